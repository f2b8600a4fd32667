// The console's side of the floor: the silent alarm (its button, or Ctrl+Alt+A even while
// typing), sent without leaving the page so nothing visibly changes; and the notices of what a
// supervisor did for this counter (a call, a move) or that they answered the alarm.
(function () {
  "use strict";
  var notices = document.getElementById("console-notices");
  var form = document.getElementById("alarm-form");
  if (!notices || !form) { return; }
  var texts = JSON.parse(document.getElementById("console-floor-texts").textContent);
  var counter = Number(notices.getAttribute("data-counter"));
  var button = document.getElementById("alarm-button");
  var label = button.textContent;
  var sent = 0;   // alarms this page sent (tests read it)

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, name) { return values[name]; });
  }

  // -- the silent alarm -----------------------------------------------------------------------

  var resetTimer = null;
  function showState(text, ok) {
    window.clearTimeout(resetTimer);
    button.textContent = text;
    button.classList.toggle("is-sent", ok);
    resetTimer = window.setTimeout(function () {
      button.textContent = label;
      button.classList.remove("is-sent");
    }, 6000);
  }
  function raise() {
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("alarm " + response.status); }
        sent += 1;
        showState(texts.sent, true);
      })
      .catch(function () { showState(texts.failed, false); });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); raise(); });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey && event.altKey && !event.metaKey && !event.repeat && event.code === "KeyA") {
      event.preventDefault();
      raise();
    }
  });

  // -- notices --------------------------------------------------------------------------------

  function notice(text) {
    var item = document.createElement("p");
    item.className = "flash flash--notice";
    var words = document.createElement("span");
    words.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = texts.dismiss;
    close.addEventListener("click", function () { item.remove(); });
    item.appendChild(words);
    item.appendChild(close);
    notices.insertBefore(item, notices.firstChild);
    while (notices.children.length > 3) { notices.removeChild(notices.lastChild); }
  }

  var socket = window.antreanConsole && window.antreanConsole.socket;
  if (socket) {
    socket.on("notice", function (message) {
      if ((message.counters || []).indexOf(counter) < 0) { return; }
      notice(format(message.action === "called" ? texts.called : texts.moved, {
        username: message.by, number: message.number,
        service: texts.services[message.service] || message.service, lane: texts.lanes[message.lane] || message.lane,
      }));
    });
    socket.on("alarm_acknowledged", function (message) {
      if (message.counter === counter) { notice(format(texts.answered, { username: message.by })); }
    });
  }
  window.antreanAlarm = { sent: function () { return sent; } };
})();
