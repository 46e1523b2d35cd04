// LTI Client Side postMessage Storage (1EdTech): keep the OIDC state's binding in the platform's frame
// when the browser keeps no cookie for this tool, and read it back at launch.
(function () {
  var el = document.getElementById("lti-storage");
  if (!el) { return; }
  var d = el.dataset;
  var form = document.getElementById("lti-storage-form");

  function platformFrame() {
    var parent = window.parent !== window ? window.parent : window.opener;
    if (!parent) { return null; }
    if (!d.target || d.target === "_parent") { return parent; }
    try { return parent.frames[d.target] || parent; } catch (e) { return parent; }
  }

  function ask(message, done) {
    var frame = platformFrame();
    if (!frame || !d.origin) { done(null); return; }
    var id = "passeport-" + Math.random().toString(36).slice(2);
    var answered = false;
    function listen(event) {
      var data = event.data || {};
      if (event.origin !== d.origin || data.message_id !== id) { return; }
      answered = true;
      window.removeEventListener("message", listen);
      done(data.error ? null : data);
    }
    message.message_id = id;
    window.addEventListener("message", listen);
    frame.postMessage(message, d.origin);
    window.setTimeout(function () {
      if (!answered) { window.removeEventListener("message", listen); done(null); }
    }, 5000);
  }

  function supports(capabilities, subject) {
    var listed = (capabilities && capabilities.supported_messages) || [];
    for (var i = 0; i < listed.length; i++) { if (listed[i].subject === subject) { return true; } }
    return false;
  }

  if (d.mode === "put") {
    // Ask what the platform's frame supports first; without lti.put_data the state cookie is all there is.
    ask({ subject: "lti.capabilities" }, function (capabilities) {
      if (!supports(capabilities, "lti.put_data")) { window.location.replace(d.next); return; }
      ask({ subject: "lti.put_data", key: d.key, value: d.value }, function () {
        window.location.replace(d.next);
      });
    });
  } else {
    ask({ subject: "lti.get_data", key: d.key }, function (answer) {
      if (answer && typeof answer.value === "string") { form.elements.lti_storage_binding.value = answer.value; }
      form.submit();
    });
  }
})();
