// Visitor's phone: follow one ticket live over Socket.IO; resync after sleep or network loss.
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("status-setup").textContent);
  var card = document.getElementById("status-card");
  var lastStatus = card.className.replace(/.*status-card--(\w+).*/, "$1");

  var live = window.antreanLive;

  function alertVisitor() {
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
    live.chime();
  }
  // Phones allow sound only after a touch: the first touch (or key) on the page readies the chime.
  // A touch counts as a user gesture when the finger lifts, a mouse when it is pressed.
  ["pointerdown", "pointerup", "keydown"].forEach(function (name) {
    document.addEventListener(name, live.enableSound, { once: true, passive: true });
  });

  function render(ticket) {
    card.className = "status-card status-card--" + ticket.status;
    document.getElementById("status-text").textContent = live.statusText(ticket.status);
    // After a transfer the ticket belongs to another service (and perhaps the general lane).
    document.getElementById("status-service").textContent = setup.services[ticket.service] || ticket.service;
    document.getElementById("status-lane").textContent = setup.lanes[ticket.lane] || ticket.lane;
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
    var defer = document.getElementById("defer-form");
    if (defer) { defer.hidden = ["outside", "waiting"].indexOf(ticket.status) < 0; }
    if ((ticket.status === "called" || ticket.status === "invited") && lastStatus !== ticket.status) {
      alertVisitor();
    }
    lastStatus = ticket.status;
    document.dispatchEvent(new CustomEvent("antrean-ticket", { detail: ticket }));   // survey.js
  }

  var cancelForm = document.getElementById("cancel-form");
  if (cancelForm) {
    cancelForm.addEventListener("submit", function (event) {
      if (!window.confirm(setup.confirmCancel)) { event.preventDefault(); }
    });
  }

  var socket = live.connect("/ticket", { banner: "status-connection" });
  socket.on("connect", function () {
    socket.emit("watch", { token: setup.token });   // again after every reconnect
  });
  socket.on("ticket", render);
  // A phone that slept may have missed events: ask again when it wakes.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (socket.connected) { socket.emit("watch", { token: setup.token }); } else { socket.connect(); }
    }
  });
})();
