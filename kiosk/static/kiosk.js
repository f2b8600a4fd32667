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

  // Check-in: the on-screen keypad types into the code field, which keeps the focus, because a
  // USB barcode scanner "types" the booking's QR link into whatever has it (then Enter).
  var checkinField = document.getElementById("checkin-code");
  var keypad = document.getElementById("checkin-keypad");
  if (checkinField && keypad) {
    keypad.hidden = false;
    // Our keypad is up, so a tablet's own keyboard need not cover it; a real keyboard and the
    // scanner still type (inputmode only governs on-screen keyboards).
    checkinField.setAttribute("inputmode", "none");
    var caretToEnd = function () {
      var end = checkinField.value.length;
      checkinField.setSelectionRange(end, end);
    };
    checkinField.focus();
    caretToEnd();
    // A touch on a key must not take the focus from the field; the key shows it was pressed.
    keypad.addEventListener("pointerdown", function (event) {
      var pressed = event.target.closest("button");
      if (!pressed) { return; }
      event.preventDefault();
      pressed.classList.add("is-pressed");
      window.setTimeout(function () { pressed.classList.remove("is-pressed"); }, 200);
    });
    keypad.addEventListener("click", function (event) {
      var key = event.target.closest("button[data-key]");
      if (!key) { return; }
      var value = checkinField.value;
      checkinField.value = key.dataset.key === "backspace" ? value.slice(0, -1) : value + key.dataset.key;
      if (event.detail !== 0) { checkinField.focus(); }  // a touch; a keyboard user stays on the key
      caretToEnd();
    });
    // Characters typed while something else has the focus (the scanner after a stray touch)
    // still land in the field.
    document.addEventListener("keydown", function (event) {
      if (document.activeElement === checkinField || event.key.length !== 1 || event.key === " " ||
          event.ctrlKey || event.metaKey || event.altKey) { return; }
      checkinField.focus();
      caretToEnd();
    });
    var checkinForm = document.getElementById("checkin-form");
    checkinForm.addEventListener("submit", function (event) {
      if (checkinForm.dataset.sent) { event.preventDefault(); return; }
      checkinForm.dataset.sent = "1";
    });
    window.addEventListener("pageshow", function () { delete checkinForm.dataset.sent; });
  }

})();
