// The demo LMS's side of LTI Client Side postMessage Storage: answers lti.capabilities, lti.put_data and
// lti.get_data from the tool's frame, keeping values per tool origin for the page's lifetime.
(function () {
  var el = document.getElementById("lti-platform-storage");
  if (!el) { return; }
  var toolOrigin = el.dataset.toolOrigin;
  var kept = {};
  window.addEventListener("message", function (event) {
    var m = event.data || {};
    if (event.origin !== toolOrigin || typeof m.subject !== "string" || !event.source) { return; }
    var answer = { subject: m.subject + ".response", message_id: m.message_id };
    if (m.subject === "lti.capabilities") {
      answer.supported_messages = [{ subject: "lti.put_data" }, { subject: "lti.get_data" }];
    } else if (m.subject === "lti.put_data") {
      kept[m.key] = m.value;
      answer.key = m.key; answer.value = m.value;
    } else if (m.subject === "lti.get_data") {
      answer.key = m.key; answer.value = kept[m.key];
    } else {
      answer.error = { code: "unsupported_subject", message: "Unsupported: " + m.subject };
    }
    event.source.postMessage(answer, event.origin);
  });
})();
