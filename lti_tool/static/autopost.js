// Posts a form marked data-autopost as soon as the page loads (the LTI message goes back to the LMS).
document.querySelectorAll("form[data-autopost]").forEach(function (form) { form.submit(); });
