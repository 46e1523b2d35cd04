// The demo LMS's launch form posts itself (a CSP forbids inline scripts).
document.getElementById("lti-launch").submit();
