// Shared by the live screens (wall display, visitor's phone, counter console): the Socket.IO
// connection with its "reconnecting" notice, the call chime, and the ticket-status words.
// One copy here so the screens cannot drift apart in how they recover or how a call sounds.
// Loaded after socket.io.min.js and before the page's own script (see _live.html).
(function () {
  "use strict";

  // Opens `namespace` and keeps the page's notice `options.banner` (an element id) visible for
  // as long as the connection is down: a screen showing stale data must say so. The notice also
  // shows when the first connection fails, not only after a drop. `options.auth` is handed to the
  // Socket.IO client unchanged; as a function it is asked again before every (re)connect.
  function connect(namespace, options) {
    var settings = options || {};
    var banner = settings.banner ? document.getElementById(settings.banner) : null;
    var clientOptions = { transports: ["websocket", "polling"] };
    if (settings.auth) { clientOptions.auth = settings.auth; }
    var socket = io(namespace, clientOptions);
    function showLost(lost) { if (banner) { banner.hidden = !lost; } }
    socket.on("connect", function () { showLost(false); });
    socket.on("disconnect", function (reason) {
      showLost(true);
      // The server itself closed this screen's connection: on a staff screen that means the
      // account's sessions ended (signed out elsewhere, removed, a new password). Reloading
      // leads to the sign-in page, instead of a screen that looks alive and is not.
      if (reason === "io server disconnect") { window.location.reload(); }
    });
    socket.on("connect_error", function () { showLost(true); });
    return socket;
  }

  // Browsers only let a page make sound after the user touched it, so the audio context is
  // created (or resumed) from such a touch by enableSound(); chime() uses it afterwards.
  var audio = null;
  function enableSound() {
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!audio && AudioContext) { audio = new AudioContext(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
    return Boolean(audio);
  }

  // Notes `[[offset s, frequency Hz], …]` on the page's one audio context, each faded in and
  // out so it never clicks; silent on a browser without WebAudio or before sound is allowed.
  function tones(notes, options) {
    var wave = (options && options.wave) || "sine";
    var peak = (options && options.peak) || 0.4;
    var length = (options && options.length) || 0.8;
    notes.forEach(function (note) {
      var start = audio.currentTime + note[0];
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.type = wave;
      tone.frequency.value = note[1];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(peak, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
      tone.connect(gain).connect(audio.destination);
      tone.start(start);
      tone.stop(start + length + 0.05);
    });
  }
  function soundOn() { return Boolean(audio); }

  // A two-tone "ding-dong" so a call is noticed before it is read; resolves once it has faded,
  // so a spoken announcement queued after it is not drowned. Silent (resolves at once) on a
  // browser without WebAudio.
  function chime() {
    return new Promise(function (resolve) {
      try { enableSound(); } catch (error) { audio = null; }
      if (!audio) { resolve(); return; }
      tones([[0, 784], [0.45, 587]]);
      window.setTimeout(resolve, 1300);
    });
  }

  // The visitor-facing words for ticket statuses, in the page's language, as rendered once by
  // the server from shared/web/vocabulary.py (so Python, templates and scripts say the same).
  var vocabulary = null;
  function statusText(status) {
    if (!vocabulary) {
      var block = document.getElementById("antrean-vocabulary");
      vocabulary = block ? JSON.parse(block.textContent) : { statuses: {} };
    }
    return vocabulary.statuses[status] || status;
  }

  window.antreanLive = { connect: connect, enableSound: enableSound, chime: chime, tones: tones, soundOn: soundOn,
                        statusText: statusText };
})();
