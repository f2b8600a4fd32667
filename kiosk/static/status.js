// Visitor's phone: follow one ticket live over Socket.IO; resync after sleep or network loss.
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("status-setup").textContent);
  var card = document.getElementById("status-card");
  var lastStatus = card.className.replace(/.*status-card--(\w+).*/, "$1");

  function alertVisitor() {
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
    try {
      var AudioContext = window.AudioContext || window.webkitAudioContext;
      var audio = new AudioContext();
      [0, 0.35].forEach(function (offset, index) {
        var tone = audio.createOscillator();
        var gain = audio.createGain();
        tone.frequency.value = index ? 660 : 880;
        gain.gain.setValueAtTime(0.25, audio.currentTime + offset);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + offset + 0.3);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + offset);
        tone.stop(audio.currentTime + offset + 0.32);
      });
    } catch (error) { /* no audio without a user gesture on some phones */ }
  }

  function render(ticket) {
    card.className = "status-card status-card--" + ticket.status;
    document.getElementById("status-text").textContent = setup.texts[ticket.status] || ticket.status;
    document.getElementById("status-hint").hidden = ticket.status !== "invited";
    var counterLine = document.getElementById("status-counter");
    counterLine.hidden = !ticket.counter;
    document.getElementById("status-counter-number").textContent = ticket.counter || "";
    document.getElementById("status-ahead-line").hidden = ["waiting", "outside", "invited"].indexOf(ticket.status) < 0;
    document.getElementById("status-ahead").textContent = ticket.ahead;
    var estimate = ticket.estimate_min;
    document.getElementById("status-estimate-line").hidden = !estimate;
    document.getElementById("status-estimate").textContent = estimate
      ? setup.estimate.replace("{low}", estimate[0]).replace("{high}", estimate[1]) : "";
    var cancel = document.getElementById("cancel-form");
    if (cancel) { cancel.hidden = ["outside", "invited", "waiting"].indexOf(ticket.status) < 0; }
    if ((ticket.status === "called" || ticket.status === "invited") && lastStatus !== ticket.status) {
      alertVisitor();
    }
    lastStatus = ticket.status;
  }

  var cancelForm = document.getElementById("cancel-form");
  if (cancelForm) {
    cancelForm.addEventListener("submit", function (event) {
      if (!window.confirm(setup.confirmCancel)) { event.preventDefault(); }
    });
  }

  var connection = document.getElementById("status-connection");
  var socket = io("/ticket", { transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    connection.hidden = true;
    socket.emit("watch", { token: setup.token });   // again after every reconnect
  });
  socket.on("disconnect", function () { connection.hidden = false; });
  socket.on("ticket", render);
  // A phone that slept may have missed events: ask again when it wakes.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (socket.connected) { socket.emit("watch", { token: setup.token }); } else { socket.connect(); }
    }
  });
})();
