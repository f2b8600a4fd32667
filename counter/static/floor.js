// The supervisor's floor: live over Socket.IO `/floor` (no polling). Every `floor` event
// re-fetches the live part of the page; a silent alarm shows at once from its event (then the
// fetched panel confirms it), sounds an alarm tone when sound is on, and marks the tab title.
(function () {
  "use strict";
  var live = document.getElementById("floor-live");
  if (!live) { return; }
  var setup = JSON.parse(document.getElementById("floor-setup").textContent);
  var title = document.title;
  var heard = 0;   // alarms received on this page (tests read it)

  // One press, one post: a form is sent once; the page comes back after the redirect.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  function sending() { return Boolean(document.querySelector("form[data-sent]")); }

  // -- the live part ------------------------------------------------------------------------------

  var pending = null;
  function refresh(delay) {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      if (sending()) { return; }   // a redirect is on its way
      fetch(live.dataset.panelUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.redirected || !response.ok) { window.location.reload(); return null; }
          return response.text();
        })
        .then(function (html) {
          if (html === null || sending()) { return; }
          var focused = document.activeElement && live.contains(document.activeElement) ? document.activeElement.id : "";
          live.innerHTML = html;
          var again = focused ? document.getElementById(focused) : null;
          if (again) { again.focus(); }
          markTitle();
        })
        .catch(function () { /* offline: the next event or the reconnect refreshes */ });
    }, delay);
  }

  function markTitle() {
    var alarms = live.querySelectorAll(".floor__alarm").length;
    document.title = alarms ? "⚠ " + setup.texts.alarmTitle + " · " + title : title;
    document.body.classList.toggle("has-alarm", alarms > 0);
  }

  // -- the silent alarm ---------------------------------------------------------------------------

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, name) { return values[name]; });
  }
  function showAlarm(alarm) {
    var box = document.getElementById("floor-alarms");
    if (!box || box.querySelector('[data-alarm="' + alarm.alarm_id + '"]')) { return; }
    var banner = document.getElementById("alarm-template").content.firstElementChild.cloneNode(true);
    banner.setAttribute("data-alarm", String(alarm.alarm_id));
    var time = String(alarm.at || "").slice(11, 16);
    banner.querySelector(".floor__alarm-where").textContent = format(setup.texts.alarmAt, {
      counter: setup.counters[String(alarm.counter)] || alarm.counter, username: alarm.by, time: time,
    });
    var form = banner.querySelector("form");
    form.setAttribute("action", form.getAttribute("action").replace(/\/0\/acknowledge$/, "/" + alarm.alarm_id + "/acknowledge"));
    box.appendChild(banner);
    box.setAttribute("data-count", String(box.querySelectorAll(".floor__alarm").length));
    markTitle();
  }

  // Browsers let a page make sound only after someone touched it: the sound button (or any
  // click). The page's one audio context is live.js's.
  var sound = window.antreanLive;
  var soundButton = document.getElementById("floor-sound");
  function enableSound() {
    if (sound.enableSound() && soundButton) {
      soundButton.textContent = setup.texts.soundOn;
      soundButton.setAttribute("aria-pressed", "true");
    }
  }
  if (soundButton) { soundButton.addEventListener("click", enableSound); }
  document.addEventListener("click", function () { if (!sound.soundOn()) { enableSound(); } }, { once: true });

  // Three rising double beeps, unlike the call chime, so an alarm is never taken for a call.
  function alarmTone() {
    if (!sound.soundOn()) { return; }
    var notes = [];
    for (var beep = 0; beep < 6; beep += 1) {
      notes.push([beep * 0.22 + Math.floor(beep / 2) * 0.25, beep % 2 ? 1320 : 880]);
    }
    sound.tones(notes, { wave: "square", peak: 0.25, length: 0.18 });
  }

  // -- the connection -----------------------------------------------------------------------------

  var socket = window.antreanLive.connect("/floor", { banner: "floor-connection" });
  socket.on("floor", function () { refresh(120); });
  socket.on("connect", function () { refresh(0); });
  socket.on("alarm", function (alarm) {
    heard += 1;
    showAlarm(alarm);
    alarmTone();
    refresh(0);
  });
  socket.on("alarm_acknowledged", function () { refresh(0); });
  markTitle();

  window.antreanFloor = {
    alarmsHeard: function () { return heard; },
    soundOn: function () { return sound.soundOn(); },
  };
})();
