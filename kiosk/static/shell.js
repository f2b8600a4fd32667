// The kiosk shell: keeps the kiosk's own screen when the server or the network goes away.
// The kiosk pages run in a frame; the shell itself never navigates, so the browser's error
// page can only ever appear inside the frame, where the shell notices it and covers it.
(function () {
  "use strict";
  var frame = document.getElementById("kiosk-frame");
  var offline = document.getElementById("kiosk-offline");
  var start = frame.dataset.start;
  var probeUrl = frame.dataset.probe;
  var HEARTBEAT_MS = 5000, RETRY_MS = 2000, PROBE_TIMEOUT_MS = 3000;
  var pending = null;      // the ticket form a visitor sent and has not yet seen answered
  var misses = 0, timer = null, probing = false;

  // A page of ours loaded in the frame carries the kiosk's setup block; the browser's error
  // page (another origin: reading it throws) or a proxy's error page does not.
  function frameIsOurs() {
    try {
      var doc = frame.contentDocument;
      return Boolean(doc && doc.getElementById("kiosk-setup"));
    } catch (error) {
      return false;
    }
  }

  function showOffline() {
    if (offline.hidden) { offline.hidden = false; }
    schedule(RETRY_MS);
  }
  function showOnline() {
    offline.hidden = true;
    misses = 0;
    schedule(HEARTBEAT_MS);
  }
  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(probe, delay);
  }

  // Is the server answering? A cheap public read, never cached, with its own timeout.
  function probe() {
    if (probing) { return; }
    probing = true;
    var controller = "AbortController" in window ? new AbortController() : null;
    var abort = window.setTimeout(function () { if (controller) { controller.abort(); } }, PROBE_TIMEOUT_MS);
    fetch(probeUrl, { cache: "no-store", signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (response.ok) { noticeConfig(response.headers.get("X-Antrean-Config")); }
        return response.ok;
      }, function () { return false; })
      .then(function (up) {
        window.clearTimeout(abort);
        probing = false;
        if (up && !offline.hidden) { recover(); return; }
        if (up) { misses = 0; schedule(HEARTBEAT_MS); return; }
        misses += 1;
        if (misses >= 2 || !offline.hidden) { showOffline(); } else { schedule(RETRY_MS); }
      });
  }

  // The office was edited (a new service, a renamed counter): every answer says which
  // office.toml is in force. The start screen reloads to show the change; a visitor past it
  // is left alone, and the start screen they come back to is the new one anyway.
  var configVersion = null;
  function noticeConfig(version) {
    if (!version) { return; }
    if (configVersion !== null && version !== configVersion && !pending && atStart()) {
      frame.contentWindow.location.reload();
    }
    configVersion = version;
  }
  function atStart() {
    try {
      return frame.contentWindow.location.pathname === new URL(start, window.location.href).pathname;
    } catch (error) {
      return false;
    }
  }

  // The server is back: send the visitor's unanswered ticket form again (same request key, so
  // the same ticket if it was issued), else reopen the start screen.
  function recover() {
    if (pending) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = pending.action;
      form.target = "kiosk-frame";
      Object.keys(pending.fields).forEach(function (name) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = pending.fields[name];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
      form.remove();
    } else {
      frame.src = start;
    }
  }

  frame.addEventListener("load", function () {
    if (frameIsOurs()) {
      pending = null;   // the answer to whatever was sent is on screen
      showOnline();
      configVersion = null;   // ask at once which office.toml this page was made from
      schedule(0);
    } else {
      showOffline();
    }
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.antrean !== "pending-ticket") { return; }
    if (event.source !== frame.contentWindow) { return; }
    pending = { action: event.data.action, fields: event.data.fields };
  });
  // `/kiosk/app#register=TOKEN`: register this kiosk inside the frame. The token stays in the
  // address's fragment, which the browser never sends, so it reaches no server log.
  var REGISTER = "#register=";
  if (window.location.hash.indexOf(REGISTER) === 0) {
    var token = window.location.hash.slice(REGISTER.length);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    frame.src = frame.dataset.register + "#" + token;
  }
  schedule(HEARTBEAT_MS);
})();
