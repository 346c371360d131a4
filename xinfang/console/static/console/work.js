/* Handler, leader and inspector pages: small conveniences, nothing the pages need to work. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a conflict or a refused action, take keyboard and screen-reader focus to the message.
    var alert = document.querySelector("main .work-conflict, main .form-errors, main .field-invalid");
    if (alert) {
      var details = alert.closest("details");
      if (details) { details.open = true; }
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
    // Filter lists as soon as a choice changes (the button stays for keyboards without change events).
    document.querySelectorAll("form.filters select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  });
})();
