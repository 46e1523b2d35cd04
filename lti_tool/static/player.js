// Reports reading and leaving to Passeport: a section counts as read when its end marker comes into view
// (or after a minimum time on the page); leaving or hiding the page sends a beacon (xAPI terminated/suspended).
(function () {
  "use strict";
  // A page shown in the launch's response (a POST) takes its own address, so a reload asks for it again.
  var address = document.getElementById("page-address");
  if (address && window.history.replaceState) { window.history.replaceState(null, "", address.dataset.url); }

  var tracking = document.getElementById("tracking");
  if (!tracking) { return; }
  var csrf = tracking.dataset.csrf;

  function form(fields) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    Object.keys(fields).forEach(function (key) { data.append(key, fields[key]); });
    return data;
  }

  var readUrl = tracking.dataset.readUrl;
  if (readUrl) {
    var sent = false;
    var markRead = function () {
      if (sent) { return; }
      sent = true;
      fetch(readUrl, { method: "POST", body: form({}), credentials: "same-origin" });
    };
    var end = document.getElementById("section-end");
    if (end && "IntersectionObserver" in window) {
      new IntersectionObserver(function (entries, observer) {
        if (entries.some(function (e) { return e.isIntersecting; })) { observer.disconnect(); markRead(); }
      }).observe(end);
    }
    window.setTimeout(markRead, Number(tracking.dataset.minSeconds || 90) * 1000);
  }

  var leaveUrl = tracking.dataset.leaveUrl;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { navigator.sendBeacon(leaveUrl, form({ state: "hidden" })); }
  });
  window.addEventListener("pagehide", function () { navigator.sendBeacon(leaveUrl, form({ state: "left" })); });

  var quiz = document.getElementById("quiz-form");
  if (quiz && quiz.dataset.confirmText) {
    quiz.addEventListener("submit", function (event) {
      var names = {};
      quiz.querySelectorAll("input[name^='answer-']").forEach(function (i) { names[i.name] = names[i.name] || i.checked; });
      var missing = Object.keys(names).filter(function (n) { return !names[n]; }).length;
      var confirmed = event.submitter && event.submitter.name === "confirm";
      if (missing && !confirmed && !window.confirm(quiz.dataset.confirmText.replace("{n}", missing))) {
        event.preventDefault();
      } else if (missing && !confirmed) {
        var flag = document.createElement("input");
        flag.type = "hidden"; flag.name = "confirm"; flag.value = "unanswered";
        quiz.appendChild(flag);
      }
    });
  }
})();
