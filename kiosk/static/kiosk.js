// Kiosk behaviour: a countdown before returning to the start, one ticket per touch, spoken
// guidance in accessibility mode, Indonesian form messages, and a note to the kiosk shell
// (kiosk/static/shell.js) of a ticket being asked for, so a network drop cannot lose it.
(function () {
  "use strict";
  var setup = document.getElementById("kiosk-setup");
  var data = setup ? setup.dataset : {};
  var idleSeconds = parseInt(data.idleSeconds, 10) || 20;
  var warningSeconds = parseInt(data.warningSeconds, 10) || 20;
  var homeUrl = data.homeUrl || "/kiosk/";
  var accessible = data.accessible === "yes";

  // -- Back to the start screen after the visitor walks away, with a visible countdown first
  // (WCAG 2.2.1: at least 20 seconds to say "I am still here" with one touch).
  var warning = document.getElementById("idle-warning");
  var countNode = document.getElementById("idle-count");
  var stay = document.getElementById("idle-stay");
  var idleTimer = null, tickTimer = null, homeTimer = null, deadline = 0, returnFocus = null;
  // The start screen as the next visitor should find it: Indonesian, accessibility mode off.
  var homePath = new URL(homeUrl, window.location.href).pathname;
  function atHome() {
    return window.location.pathname === homePath && document.documentElement.lang === "id" && !accessible;
  }
  function goHome() { window.location.assign(homeUrl); }
  function hideWarning() {
    window.clearInterval(tickTimer);
    window.clearTimeout(homeTimer);
    if (warning && !warning.hidden) {
      warning.hidden = true;
      if (returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
    }
  }
  function showWarning() {
    if (!warning) { goHome(); return; }
    deadline = Date.now() + warningSeconds * 1000;
    countNode.textContent = String(warningSeconds);
    returnFocus = document.activeElement;
    warning.hidden = false;
    stay.focus();
    say((data.countdownText || "").replace("{seconds}", String(warningSeconds)));
    homeTimer = window.setTimeout(goHome, warningSeconds * 1000);
    tickTimer = window.setInterval(function () {
      countNode.textContent = String(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    }, 250);
  }
  function resetIdle() {
    window.clearTimeout(idleTimer);
    hideWarning();
    // The start screen itself has nothing to forget, unless accessibility mode is on.
    if (document.getElementById("register-form") || atHome()) { return; }
    idleTimer = window.setTimeout(showWarning, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, resetIdle, { passive: true });
  });
  if (stay) { stay.addEventListener("click", resetIdle); }
  resetIdle();

  // -- Spoken guidance (accessibility mode): the screen's instruction when it opens, and each
  // control's words when it gets the focus (keyboard or switch). The browser's own Indonesian
  // voice, offline; a chime instead when the device has none.
  var voiceLang = data.voiceLang || "id-ID";
  function voice() {
    if (!("speechSynthesis" in window)) { return null; }
    var prefix = voiceLang.split("-")[0];
    return window.speechSynthesis.getVoices().filter(function (candidate) {
      return candidate.lang && candidate.lang.replace("_", "-").toLowerCase().indexOf(prefix) === 0;
    })[0] || null;
  }
  function say(text) {
    if (!accessible || !text) { return; }
    var chosen = voice();
    if (!chosen) {
      if (window.antreanLive) { window.antreanLive.chime(); }
      return;
    }
    window.speechSynthesis.cancel();   // the newest focus wins: guidance must follow the visitor
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.voice = chosen;
    utterance.lang = chosen.lang;
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }
  window.antreanKiosk = { say: say };
  if (accessible) {
    var speakGuide = function () { say(data.guide); };
    if ("speechSynthesis" in window && window.speechSynthesis.getVoices().length === 0) {
      window.speechSynthesis.addEventListener("voiceschanged", speakGuide, { once: true });
      window.setTimeout(function () { if (!voice()) { speakGuide(); } }, 1500);   // no voices at all: chime
    } else {
      speakGuide();
    }
    document.addEventListener("focusin", function (event) {
      var target = event.target.closest("[data-speak]") || event.target;
      var words = target.getAttribute("data-speak") || target.getAttribute("aria-label") || target.textContent;
      if (target.tagName === "INPUT" && target.labels && target.labels.length) { words = target.labels[0].textContent; }
      var question = event.target.closest("fieldset[data-speak]");
      if (question && target.tagName === "INPUT") { words = question.dataset.speak + " " + words; }
      say((words || "").replace(/\s+/g, " ").trim());
    });
    // A keyboard or switch user starts on the first choice, not at the top of the page.
    var first = document.querySelector(".choice-grid .choice:not(.choice--full), .screening input, #checkin-code, .ticket-card .button");
    if (first && document.activeElement === document.body) { first.focus({ preventScroll: true }); }
  }

  // -- One touch, one ticket: disable every lane button once a form is sent, and tell the
  // kiosk shell, which sends the same form again (same request key, so the same ticket) if the
  // network dropped before the ticket reached the screen.
  document.querySelectorAll(".lane-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      document.querySelectorAll(".lane-form").forEach(function (other) {
        other.dataset.sent = "1";
        var button = other.querySelector("button");
        if (button) { button.setAttribute("aria-disabled", "true"); }
      });
      rememberPending(form);
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".lane-form").forEach(function (form) { delete form.dataset.sent; });
  });
  function rememberPending(form) {
    if (window.parent === window) { return; }
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name) { fields[element.name] = element.value; }
    });
    window.parent.postMessage({ antrean: "pending-ticket", action: form.action, fields: fields }, window.location.origin);
  }

  // -- The screening: an unanswered question is said in the page's language, next to the
  // question, not in the browser's own (English) bubble.
  var screening = document.getElementById("screening-form");
  if (screening) {
    screening.addEventListener("submit", function (event) {
      var missing = Array.prototype.filter.call(screening.querySelectorAll("fieldset"), function (question) {
        var answered = question.querySelector("input:checked") !== null;
        question.classList.toggle("is-missing", !answered);
        return !answered;
      });
      if (missing.length) {
        event.preventDefault();
        var message = document.getElementById("screening-error");
        message.hidden = false;
        say(message.textContent);
        missing[0].querySelector("input").focus();
      } else {
        rememberPending(screening);
      }
    });
  }

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
