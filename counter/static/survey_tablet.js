// A counter's survey tablet: follow the counter's queue changes, show the faces when the
// officer finishes a visitor, keep the thanks a few seconds, then wait for the next one.
(function () {
  "use strict";
  var root = document.getElementById("tablet");
  if (!root) { return; }
  var THANKS_MS = 5000;
  var sent = false;

  root.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }   // one tap, one rating
    sent = true;
  });

  function state() {
    var node = document.getElementById("tablet-state");
    return node ? node.dataset.state : "";
  }
  var pending = null;
  function refresh() {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      if (sent || state() === "thanks") { return; }
      fetch(root.dataset.panelUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.redirected || !response.ok) { window.location.replace(root.dataset.pageUrl); return null; }
          return response.text();
        })
        .then(function (html) {
          if (html === null || sent) { return; }
          var fresh = document.createElement("div");
          fresh.innerHTML = html;
          var before = document.getElementById("tablet-state");
          var after = fresh.querySelector("#tablet-state");
          // The same visitor's faces stay as they are (no flicker under a finger).
          if (before && after && before.dataset.state === after.dataset.state &&
              before.dataset.ticket === after.dataset.ticket) { return; }
          root.replaceChildren.apply(root, Array.prototype.slice.call(fresh.childNodes));
        })
        .catch(function () { /* offline: the next event or reconnect refreshes */ });
    }, 150);
  }

  // After a tap the page says thank you, then goes back to waiting (and drops ?thanks).
  if (state() === "thanks") {
    window.setTimeout(function () {
      window.history.replaceState(null, "", root.dataset.pageUrl + window.location.search.replace(/[?&]thanks=[^&]*/, "").replace(/^&/, "?"));
      var node = document.getElementById("tablet-state");
      if (node) { node.dataset.state = "done"; }
      refresh();
    }, THANKS_MS);
  }
  // A "rated elsewhere" notice also gives way after a while, to the idle invitation.
  window.setInterval(function () { if (state() === "rated" || state() === "ask") { refresh(); } }, 30000);

  var socket = window.antreanLive.connect("/counter", { banner: "tablet-connection" });
  socket.on("queue", refresh);
  socket.on("connect", refresh);
})();
