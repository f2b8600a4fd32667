// Wall display: render pushed snapshots, announce calls with a chime and an Indonesian voice,
// recover on its own after a server restart or a network drop (snapshot on every connect,
// and a re-fetch when a `seq` gap shows a missed event).
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("wall-setup").textContent);
  var texts = setup.texts;
  var lastSeq = -1;
  var state = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function counterName(number) { return setup.counters[String(number)] || (texts.counter + " " + number); }
  function serviceName(code) { var s = setup.services[code]; return s ? s[setup.language] || s.id : code; }

  function render(snapshot) {
    state = snapshot;
    var byCounter = {};
    snapshot.calls.forEach(function (call) { if (!byCounter[call.counter]) { byCounter[call.counter] = call; } });
    // The big box shows the latest call (or recall) still standing: once that visitor is done,
    // transferred or absent it falls back to the previous one still called, or to nobody.
    var newest = null;
    snapshot.recent.some(function (recent) {
      var call = byCounter[recent.counter];
      if (call && call.number === recent.number) { newest = recent; return true; }
      return false;
    });

    document.getElementById("latest-number").textContent = newest ? newest.number : texts.nobody;
    document.getElementById("latest-counter").textContent = newest ? counterName(newest.counter) : "";

    var grid = document.getElementById("counter-grid");
    grid.textContent = "";
    Object.keys(setup.counters).forEach(function (number) {
      var item = el("li");
      var call = byCounter[number];
      if (newest && call && String(newest.counter) === number && newest.number === call.number) {
        item.className = "is-newest";
      }
      item.appendChild(el("span", "counter-grid__name", setup.counters[number]));
      item.appendChild(el("span", "counter-grid__number", call ? call.number : texts.nobody));
      var counterState = snapshot.counters ? snapshot.counters[number] : "open";
      if (counterState && counterState !== "open") {
        item.appendChild(el("span", "counter-grid__state", texts[counterState] || counterState));
      }
      grid.appendChild(item);
    });

    var recent = document.getElementById("recent-list");
    recent.textContent = "";
    snapshot.recent.slice(0, 6).forEach(function (call) {
      var item = el("li");
      item.appendChild(el("strong", "", call.number));
      item.appendChild(el("span", "", counterName(call.counter)));
      recent.appendChild(item);
    });

    var occupancy = snapshot.occupancy || {};
    document.getElementById("occupancy").textContent =
      occupancy.max ? occupancy.inside + "/" + occupancy.max : String(occupancy.inside || 0);
    var invited = document.getElementById("invited-list");
    invited.textContent = "";
    (snapshot.invited || []).forEach(function (number) { invited.appendChild(el("li", "", number)); });
    document.getElementById("invited-block").hidden = !(snapshot.invited && snapshot.invited.length);

    var waiting = document.getElementById("waiting-list");
    waiting.textContent = "";
    Object.keys(snapshot.waiting).forEach(function (code) {
      var lanes = snapshot.waiting[code];
      var total = Object.keys(lanes).reduce(function (sum, lane) { return sum + lanes[lane]; }, 0);
      var item = el("li");
      item.appendChild(el("span", "", serviceName(code)));
      item.appendChild(el("strong", "", String(total)));
      waiting.appendChild(item);
    });
  }

  function accept(snapshot) {
    if (snapshot.seq >= lastSeq) { lastSeq = snapshot.seq; render(snapshot); }
  }

  var refetchTimer = null;
  function refetchSoon() {
    window.clearTimeout(refetchTimer);
    refetchTimer = window.setTimeout(function () {
      fetch("/api/queue", { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(accept)
        .catch(function () { /* the reconnect snapshot will follow */ });
    }, 400);
  }

  // Sound: the shared chime, then the spoken call; queued so bursts are heard one by one.
  // The display may only make sound after someone pressed its button once.
  var live = window.antreanLive;
  var soundOn = false;
  var speaking = Promise.resolve();
  var soundButton = document.getElementById("sound-toggle");
  soundButton.addEventListener("click", function () {
    live.enableSound();
    soundOn = true;
    soundButton.textContent = texts.soundOn;
    soundButton.setAttribute("aria-pressed", "true");
  });

  function speak(sentence) {
    return new Promise(function (resolve) {
      if (!("speechSynthesis" in window) || !sentence) { resolve(); return; }
      var utterance = new SpeechSynthesisUtterance(sentence);
      utterance.lang = "id-ID";
      utterance.rate = 0.9;
      var voice = window.speechSynthesis.getVoices().filter(function (v) { return /^id|^in/i.test(v.lang); })[0];
      if (voice) { utterance.voice = voice; }
      utterance.onend = resolve;
      utterance.onerror = resolve;
      window.speechSynthesis.speak(utterance);
      window.setTimeout(resolve, 8000);
    });
  }

  function announce(call) {
    var latest = document.getElementById("latest");
    latest.classList.remove("is-fresh");
    void latest.offsetWidth;  // restart the highlight animation
    latest.classList.add("is-fresh");
    if (!soundOn) { return; }
    speaking = speaking.then(live.chime).then(function () { return speak(call.announce && call.announce.id); });
  }

  // Every (re)connect tells the server the last `seq` applied here (-1: none yet), so that it
  // can replay the `called` events sent while this display was cut off; they go through the
  // same rules as live ones below. A function, because the client asks again at each attempt.
  var socket = live.connect("/display", {
    banner: "connection-status",
    auth: function (send) { send({ since: lastSeq }); },
  });
  socket.on("snapshot", function (snapshot) { lastSeq = -1; accept(snapshot); });
  socket.on("queue", accept);
  socket.on("called", function (call) {
    if (lastSeq >= 0 && call.seq > lastSeq + 1) { refetchSoon(); }
    if (call.seq > lastSeq && state) {
      lastSeq = call.seq;
      var recent = [{ number: call.number, counter: call.counter, service: call.service, lane: call.lane }];
      var calls = [{ number: call.number, counter: call.counter, service: call.service, lane: call.lane }]
        .concat(state.calls.filter(function (c) { return c.counter !== call.counter; }));
      render(Object.assign({}, state, { seq: call.seq, recent: recent.concat(state.recent), calls: calls }));
    }
    announce(call);
  });
  window.antreanDisplay = { lastSeq: function () { return lastSeq; } };

  // Office clock, in the office's time zone whatever the display's own setting.
  var clock = document.getElementById("clock");
  var format = new Intl.DateTimeFormat(setup.language === "en" ? "en-GB" : "id-ID",
    { timeZone: setup.utcOffsetZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  function tick() { clock.textContent = format.format(new Date()); }
  tick();
  window.setInterval(tick, 1000);
})();
