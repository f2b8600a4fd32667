// Kiosk behaviour: return to the start when idle, block double presses, print the ticket.
(function () {
  "use strict";
  var setup = document.getElementById("kiosk-setup");
  var idleSeconds = setup ? parseInt(setup.dataset.idleSeconds, 10) || 20 : 20;
  var homeUrl = setup ? setup.dataset.homeUrl : "/kiosk/";

  // Back to the start screen (in Indonesian) after a visitor walks away.
  var idleTimer = null;
  function goHome() {
    var here = window.location.pathname + window.location.search;
    if (here !== homeUrl && !document.getElementById("register-form")) {
      window.location.assign(homeUrl);
    }
  }
  function resetIdle() {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(goHome, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, resetIdle, { passive: true });
  });
  resetIdle();

  // One touch, one ticket: disable every lane button once a form is sent.
  document.querySelectorAll(".lane-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      document.querySelectorAll(".lane-form").forEach(function (other) {
        other.dataset.sent = "1";
        var button = other.querySelector("button");
        if (button) { button.setAttribute("aria-disabled", "true"); }
      });
    });
  });

  // Registration link `…/kiosk/register#TOKEN`: the token never reaches a server log.
  var registerForm = document.getElementById("register-form");
  if (registerForm && window.location.hash.length > 1) {
    var token = decodeURIComponent(window.location.hash.slice(1));
    history.replaceState(null, "", window.location.pathname);
    registerForm.querySelector("input[name=token]").value = token;
    registerForm.submit();
  }

  // Print the ticket: load the PDF in a hidden frame and print it (silent with --kiosk-printing).
  var frame = document.getElementById("print-frame");
  function printTicket() {
    if (!frame) { return; }
    frame.onload = function () {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (error) { /* viewer without print */ }
    };
    frame.src = frame.dataset.src;
  }
  if (frame) {
    printTicket();
    var again = document.getElementById("print-again");
    if (again) {
      again.addEventListener("click", function (event) { event.preventDefault(); printTicket(); });
    }
  }
})();
