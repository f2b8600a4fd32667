// The display screens (wall and entrance): render pushed snapshots and calls, fitted to the
// screen; announce each call through the announcer (flash, caption, chime, voice); say plainly
// when the connection is lost instead of showing old calls as current; recover by themselves
// (a snapshot on every connect, a re-fetch when a `seq` gap shows a missed event).
//
// A profile's screen (`/display/<profile>`) only knows its own counters and services (the
// setup): calls to other counters are neither shown nor announced, but still advance `seq`.
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("wall-setup").textContent);
  var texts = setup.texts;
  var entrance = setup.kind === "entrance";
  var live = window.antreanLive;
  var fit = window.antreanFit;
  var FLASH_MS = 3200;      // three flashes (wall.css): a few seconds for visitors who cannot hear
  var lastSeq = -1;
  var state = null;
  var cells = null;         // the counter grid's cells by counter number, made once
  var invitedSince = null;  // the entrance: when each invited number first showed (to flash new ones)

  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function fitText(tag, className, text) {
    var node = el(tag, className, text);
    node.setAttribute("data-fit-text", "");
    return node;
  }
  function counterName(number) { return setup.counters[String(number)] || (texts.counter + " " + number); }
  function serviceName(code) { var s = setup.services[code]; return s ? s[setup.language] || s.id : code; }
  function shows(call) { return Object.prototype.hasOwnProperty.call(setup.counters, String(call.counter)); }
  var prefixes = Object.keys(setup.services).map(function (code) { return setup.services[code].prefix; });
  function ownNumber(number) { return prefixes.indexOf(String(number).split("-")[0]) >= 0; }
  function sentence(call, language) { return (call.announce && (call.announce[language] || call.announce.id)) || ""; }

  function standingCalls(snapshot) {
    var byCounter = {};
    snapshot.calls.forEach(function (call) { if (!byCounter[call.counter]) { byCounter[call.counter] = call; } });
    return byCounter;
  }
  function stands(call, byCounter) {
    var current = call && byCounter[call.counter];
    return Boolean(current && current.number === call.number);
  }

  // -- rendering ------------------------------------------------------------------------------

  function render(snapshot) {
    state = snapshot;
    showAnnouncement(snapshot.announcement || "");
    var byCounter = standingCalls(snapshot);
    var recent = snapshot.recent.filter(shows);
    // The big box: the latest call (or recall) still standing: once that visitor is done,
    // transferred or absent it falls back to the previous one still called (the newest of this
    // screen's counters, also when the office's last calls were all elsewhere), or to nobody.
    var latest = recent.filter(function (call) { return stands(call, byCounter); })[0] ||
      snapshot.calls.filter(function (call) { return shows(call) && stands(call, byCounter); })[0] || null;
    $("latest-number").textContent = latest ? latest.number : "—";
    $("latest-counter").textContent = latest ? counterName(latest.counter) : "";

    var occupancy = snapshot.occupancy || {};
    $("occupancy").textContent = occupancy.max ? occupancy.inside + "/" + occupancy.max : String(occupancy.inside || 0);
    var invited = (snapshot.invited || []).filter(ownNumber);
    if (entrance) {
      renderEntrance(invited, occupancy);
    } else {
      renderWall(snapshot, byCounter, latest, recent, invited);
    }
    fitAll();
  }

  // The counters are the profile's, fixed for the page: their cells are made once and updated
  // in place, so a cell's flash goes on while other calls come in.
  function counterCells() {
    if (cells) { return cells; }
    cells = {};
    var grid = $("counter-grid");
    Object.keys(setup.counters).forEach(function (number) {
      var item = el("li");
      item.appendChild(fitText("span", "counter-grid__name", setup.counters[number]));
      var shown = el("span", "counter-grid__number", "—");
      var stateText = el("span", "counter-grid__state");
      item.appendChild(shown);
      item.appendChild(stateText);
      grid.appendChild(item);
      cells[number] = { item: item, number: shown, state: stateText };
    });
    return cells;
  }

  function renderWall(snapshot, byCounter, latest, recent, invited) {
    var grid = counterCells();
    Object.keys(grid).forEach(function (number) {
      var cell = grid[number];
      var call = byCounter[number];
      var counterState = (snapshot.counters && snapshot.counters[number]) || "open";
      cell.number.textContent = call ? call.number : "—";
      cell.item.classList.toggle("is-newest", Boolean(latest && call && String(latest.counter) === number &&
                                                      latest.number === call.number));
      ["closed", "paused"].forEach(function (name) { cell.item.classList.toggle("is-" + name, counterState === name); });
      cell.state.textContent = counterState === "open" ? "" : (texts[counterState] || counterState);
      cell.state.hidden = counterState === "open";
    });

    var recentList = $("recent-list");
    recentList.textContent = "";
    recent.slice(0, 3).forEach(function (call) {
      var item = el("li");
      item.appendChild(el("strong", "", call.number));
      item.appendChild(fitText("span", "", counterName(call.counter)));
      recentList.appendChild(item);
    });
    $("recent-block").hidden = !recent.length;

    var invitedList = $("invited-list");
    invitedList.textContent = "";
    invited.forEach(function (number) { invitedList.appendChild(el("li", "", number)); });
    $("invited-block").hidden = !invited.length;

    var waiting = $("waiting-list");
    waiting.textContent = "";
    Object.keys(snapshot.waiting).filter(function (code) { return setup.services[code]; }).forEach(function (code) {
      var lanes = snapshot.waiting[code];
      var total = Object.keys(lanes).reduce(function (sum, lane) { return sum + lanes[lane]; }, 0);
      var item = el("li");
      item.appendChild(fitText("span", "", serviceName(code)));
      item.appendChild(el("strong", "", String(total)));
      waiting.appendChild(item);
    });
  }

  // The entrance: a number invited since the last render flashes (and chimes, with the sound
  // on); the numbers shown when the page opened do not.
  function renderEntrance(invited, occupancy) {
    var now = Date.now();
    var first = invitedSince === null;
    var since = {};
    var fresh = 0;
    invited.forEach(function (number) {
      since[number] = first ? 0 : (invitedSince[number] !== undefined ? invitedSince[number] : now);
      if (since[number] === now) { fresh += 1; }
    });
    invitedSince = since;   // numbers no longer invited are forgotten
    var list = $("invited-list");
    list.textContent = "";
    invited.forEach(function (number) {
      list.appendChild(el("li", now - since[number] < FLASH_MS ? "is-fresh" : "", number));
    });
    $("invited-empty").hidden = invited.length > 0;
    $("outside").textContent = String(occupancy.outside || 0);
    if (fresh && soundOn) { live.chime(); }
  }

  // The supervisor's running text, as text (never markup). When it is longer than its line it runs
  // across at a reading pace: the time is set by its length, so a long text is not rushed.
  var announced = null;
  function showAnnouncement(text, force) {
    if (text === announced && !force) { return; }
    var changed = text !== announced;
    announced = text;
    var ticker = $("ticker");
    $("ticker-text").textContent = text;
    $("ticker-copy").textContent = text;
    ticker.hidden = !text;
    ticker.classList.remove("is-running");
    var width = $("ticker-text").getBoundingClientRect().width;
    var track = ticker.querySelector(".wall__ticker-track").clientWidth;
    if (text && width > track) {
      var vmin = Math.min(window.innerWidth, window.innerHeight) / 100;
      ticker.style.setProperty("--ticker-seconds", Math.max(8, width / (10 * vmin)) + "s");
      ticker.classList.add("is-running");
    }
    if (changed && state) { fitAll(true); }   // the line took or gave back room
  }

  // Fitting costs a few layouts, so a list is refitted only when its content or the window changed.
  function fitList(list, options, force) {
    var key = list.textContent + "|" + list.children.length + "|" + window.innerWidth + "x" + window.innerHeight;
    if (!force && list.getAttribute("data-fitted") === key) { return; }
    if (options.min) { fit.gridOrFewer(list, options); } else { fit.grid(list, options); }
    list.setAttribute("data-fitted", key);
  }
  function more(count) { return el("li", "chip-list__more", texts.more.replace("%(count)s", String(count))); }
  function fitAll(force) {
    var vmin = Math.min(window.innerWidth, window.innerHeight) / 100;
    if (entrance) {
      fitList($("invited-list"), { max: 30 * vmin }, force);
      return;
    }
    fitList($("counter-grid"), { max: 9 * vmin }, force);
    fitList($("latest-fit"), { max: 22 * vmin }, force);
    if (!$("recent-block").hidden) { fitList($("recent-list"), { max: 5 * vmin, min: 3 * vmin }, force); }
    fitList($("waiting-list"), { max: 4.4 * vmin }, force);
    if (!$("invited-block").hidden) { fitList($("invited-list"), { max: 6 * vmin, min: 2.6 * vmin, more: more }, force); }
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { showAnnouncement(announced || "", true); fitAll(true); }, 150);
  });

  function accept(snapshot) {
    if (snapshot.seq >= lastSeq) { lastSeq = snapshot.seq; render(snapshot); }
    noticeConfig(snapshot.config);
  }

  // The office was edited while this screen runs (every snapshot and the `config` event say
  // which office.toml is in force): re-read this page's setup (names, counters, services) in
  // place rather than reloading, so the sound stays on and no call is missed meanwhile.
  var configVersion = null;
  function noticeConfig(version) {
    if (!version) { return; }
    if (configVersion !== null && version !== configVersion) { reloadSetup(); }
    configVersion = version;
  }
  function reloadSetup() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("setup " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = JSON.parse(page.getElementById("wall-setup").textContent);
        Object.keys(fresh).forEach(function (key) { setup[key] = fresh[key]; });
        texts = setup.texts;
        prefixes = Object.keys(setup.services).map(function (code) { return setup.services[code].prefix; });
        document.querySelector(".wall__office").textContent = page.querySelector(".wall__office").textContent;
        if (cells) { $("counter-grid").textContent = ""; cells = null; }
        if (state) { render(state); }
        document.body.setAttribute("data-config", configVersion || "");
      })
      .catch(function () { configVersion = ""; });   // try again with the next snapshot
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

  // -- announcing -----------------------------------------------------------------------------

  // Each call flashes the big box and its counter's cell for a few seconds, even when calls come
  // at once (two calls, two flashes); the class goes once the flash is over, so nothing flashes
  // again later (say, when the connection comes back).
  var flashTimers = {};
  function flash(node, key) {
    window.clearTimeout(flashTimers[key]);
    node.classList.remove("is-fresh");
    void node.offsetWidth;  // restart the animation
    node.classList.add("is-fresh");
    flashTimers[key] = window.setTimeout(function () { node.classList.remove("is-fresh"); }, FLASH_MS);
  }
  var caption = $("caption");
  var announcer = window.antreanAnnouncer.create({
    announce: setup.announce,
    speechUrl: setup.speechUrl,
    player: $("speech-player"),
    chime: live.chime,
    caption: function (text) { caption.textContent = text; },
  });
  function present(call) {
    flash($("latest"), "latest");
    var cell = cells && cells[String(call.counter)];
    if (cell) { flash(cell.item, "counter-" + call.counter); }
    // Without sound the caption is the newest call's sentence; with it, the one being spoken.
    if (!announcer.state().soundOn) { caption.textContent = sentence(call, announcer.languages[0] || setup.language); }
    announcer.enqueue(call);
  }

  // The display may only make sound after someone pressed its button once.
  var soundOn = false;
  var soundButton = $("sound-toggle");
  soundButton.addEventListener("click", function () {
    live.enableSound();
    soundOn = true;
    announcer.enableSound();
    soundButton.textContent = texts.soundOn;
    soundButton.setAttribute("aria-pressed", "true");
  });
  if ("speechSynthesis" in window) { window.speechSynthesis.getVoices(); }  // starts loading the voices

  // -- the connection -------------------------------------------------------------------------

  // Every (re)connect tells the server the last `seq` applied here (-1: none yet), so that it
  // can replay the `called` events sent while this display was cut off; they go through the
  // same rules as live ones below. A function, because the client asks again at each attempt.
  var socket = live.connect("/display", {
    banner: "connection-status",
    auth: function (send) { send({ since: lastSeq }); },
  });
  function showOffline(lost) {
    $("offline").hidden = !lost;
    document.body.classList.toggle("is-offline", lost);
  }
  socket.on("connect", function () { showOffline(false); });
  socket.on("disconnect", function () { showOffline(true); });
  socket.on("connect_error", function () { showOffline(true); });
  socket.on("snapshot", function (snapshot) { lastSeq = -1; accept(snapshot); });
  socket.on("queue", accept);
  socket.on("announcement", function (message) {
    if (lastSeq >= 0 && message.seq > lastSeq + 1) { refetchSoon(); }
    if (message.seq > lastSeq && state) {
      lastSeq = message.seq;
      state = Object.assign({}, state, { seq: message.seq, announcement: message.text });
      showAnnouncement(message.text || "");
    }
  });
  socket.on("config", function (message) { noticeConfig(message && message.version); });
  socket.on("called", function (call) {
    if (lastSeq >= 0 && call.seq > lastSeq + 1) { refetchSoon(); }
    if (call.seq > lastSeq && state) {
      lastSeq = call.seq;
      var standing = { number: call.number, counter: call.counter, service: call.service, lane: call.lane };
      var calls = [standing].concat(state.calls.filter(function (c) { return c.counter !== call.counter; }));
      render(Object.assign({}, state, { seq: call.seq, recent: [standing].concat(state.recent), calls: calls }));
    }
    if (!entrance && shows(call)) { present(call); }
  });
  window.antreanDisplay = {
    lastSeq: function () { return lastSeq; },
    announcer: function () { return announcer.state(); },
    announcement: function () { return announced; },
  };

  // Office clock, in the office's time zone whatever the display's own setting.
  var clock = $("clock");
  var format = new Intl.DateTimeFormat(setup.language === "en" ? "en-GB" : "id-ID",
    { timeZone: setup.utcOffsetZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  function tick() { clock.textContent = format.format(new Date()); }
  tick();
  window.setInterval(tick, 1000);
})();
