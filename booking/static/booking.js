// Booking pages work without this script; it only keeps a double tap from sending a form
// twice (a second booking, or "already booked" on a slow connection).
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("aria-busy", "true");
    });
  });
  // A page shown again from the back/forward cache may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.removeAttribute("aria-busy");
    });
  });
})();
