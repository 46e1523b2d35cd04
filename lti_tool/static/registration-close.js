// LTI Dynamic Registration 1.0: tell the platform the registration is over so it closes this frame or window.
(function () {
  var target = window.opener || window.parent;
  if (target && target !== window) {
    target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
