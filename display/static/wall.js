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

  // Sound: a two-tone chime, then the spoken call; queued so bursts are heard one by one.
  var soundOn = false;
  var audio = null;
  var speaking = Promise.resolve();
  var soundButton = document.getElementById("sound-toggle");
  soundButton.addEventListener("click", function () {
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!audio && AudioContext) { audio = new AudioContext(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
    soundOn = true;
    soundButton.textContent = texts.soundOn;
    soundButton.setAttribute("aria-pressed", "true");
  });

  function chime() {
    return new Promise(function (resolve) {
      if (!audio) { resolve(); return; }
      [[0, 784], [0.45, 587]].forEach(function (note) {
        var tone = audio.createOscillator();
        var gain = audio.createGain();
        tone.type = "sine";
        tone.frequency.value = note[1];
        gain.gain.setValueAtTime(0.0001, audio.currentTime + note[0]);
        gain.gain.exponentialRampToValueAtTime(0.4, audio.currentTime + note[0] + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + note[0] + 0.8);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + note[0]);
        tone.stop(audio.currentTime + note[0] + 0.85);
      });
      window.setTimeout(resolve, 1300);
    });
  }

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
    speaking = speaking.then(chime).then(function () { return speak(call.announce && call.announce.id); });
  }

  var socket = io("/display", { transports: ["websocket", "polling"] });
  var status = document.getElementById("connection-status");
  socket.on("connect", function () { status.hidden = true; });
  socket.on("disconnect", function () { status.hidden = false; });
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
