// The wall display's spoken calls: once someone turned the sound on, each call is chimed and
// spoken, one after the other, in the order the calls were made: two calls at once give two
// announcements, and none cuts another off. (The flash, for visitors who cannot hear, is the
// page's: wall.js.) The caption line shows the sentence being spoken.
//
// Speech: the browser's own voice for the language when it has one (`speechSynthesis`), else the
// sentence rendered by the server (a WAV, played in the page's one <audio> element): most display
// devices have no Indonesian voice. The queue is bounded: beyond MAX_QUEUED waiting calls the
// oldest waiting ones are dropped (they stay on the counter grid); the one playing is never cut.
(function () {
  "use strict";

  var MAX_QUEUED = 10;
  var FILE_TIMEOUT_MS = 15000;
  var VOICE_PATTERNS = { id: /^(id|in)([-_]|$)/i, en: /^en([-_]|$)/i };

  // options: announce ("id", "en", "both" or "chime"), speechUrl, player (<audio>), chime()
  // (a promise), caption(text) (shows the sentence being spoken).
  function create(options) {
    var queue = [];
    var running = false;
    var soundOn = false;
    var dropped = 0;
    var languages = { id: ["id"], en: ["en"], both: ["id", "en"], chime: [] }[options.announce] || ["id"];
    var speaking = null;   // the utterance being spoken: kept so it is not collected mid-sentence

    function voiceFor(language) {
      if (!("speechSynthesis" in window)) { return null; }
      var pattern = VOICE_PATTERNS[language] || new RegExp("^" + language + "([-_]|$)", "i");
      return window.speechSynthesis.getVoices().filter(function (voice) { return pattern.test(voice.lang); })[0] || null;
    }

    function speakWithBrowser(sentence, voice) {
      return new Promise(function (resolve) {
        var utterance = new SpeechSynthesisUtterance(sentence);
        var timer = null;
        function finish() {
          window.clearTimeout(timer);
          utterance.onend = null;
          utterance.onerror = null;
          if (speaking === utterance) { speaking = null; }
          resolve();
        }
        utterance.voice = voice;
        utterance.lang = voice.lang;
        utterance.rate = 0.9;
        utterance.onend = finish;
        utterance.onerror = finish;
        speaking = utterance;
        timer = window.setTimeout(finish, 4000 + sentence.length * 150);   // a voice that never ends
        window.speechSynthesis.speak(utterance);
      });
    }

    function playFile(url) {
      var player = options.player;
      return new Promise(function (resolve) {
        var timer = null;
        function finish() {
          window.clearTimeout(timer);
          player.removeEventListener("ended", finish);
          player.removeEventListener("error", finish);
          resolve();
        }
        player.addEventListener("ended", finish);
        player.addEventListener("error", finish);
        timer = window.setTimeout(finish, FILE_TIMEOUT_MS);
        player.src = url;
        var playing = player.play();
        if (playing && playing.catch) { playing.catch(finish); }
      });
    }

    function speak(call, language) {
      var sentence = call.announce && call.announce[language];
      if (!sentence) { return Promise.resolve(); }
      options.caption(sentence);
      var voice = voiceFor(language);
      if (voice) { return speakWithBrowser(sentence, voice); }
      return playFile(options.speechUrl + language + "/" + encodeURIComponent(call.number) + "/" +
                      encodeURIComponent(call.counter) + ".wav");
    }

    function sound(call) {
      return languages.reduce(function (done, language) {
        return done.then(function () { return speak(call, language); });
      }, options.chime());
    }

    function next() {
      if (running || !queue.length) { return; }
      running = true;
      sound(queue.shift()).then(function () {
        running = false;
        next();
      });
    }

    return {
      enqueue: function (call) {
        if (!soundOn) { return; }
        queue.push(call);
        while (queue.length > MAX_QUEUED) { queue.shift(); dropped += 1; }
        next();
      },
      enableSound: function () { soundOn = true; },
      languages: languages,
      state: function () { return { queued: queue.length, running: running, dropped: dropped, soundOn: soundOn }; },
    };
  }

  window.antreanAnnouncer = { create: create, MAX_QUEUED: MAX_QUEUED };
})();
