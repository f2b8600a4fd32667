// Counter console: keyboard shortcuts, no double actions, live waiting list over Socket.IO.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) { return; }

  // One press, one action: a form is sent once, the page comes back after the redirect.
  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") { return; }
    var button = root.querySelector('button[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  // Refresh the panel when the queue changes (another counter called, a ticket was issued…).
  var pending = null;
  function refresh() {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      if (root.querySelector("form[data-sent]")) { return; }  // a redirect is on its way
      fetch(root.dataset.panelUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.redirected || !response.ok) { window.location.reload(); return null; }
          return response.text();
        })
        .then(function (html) {
          // A button pressed while the panel was loading keeps its page: never swap it away.
          if (html !== null && !root.querySelector("form[data-sent]")) { root.innerHTML = html; }
        })
        .catch(function () { /* offline: the next event or reconnect refreshes */ });
    }, 150);
  }
  var socket = io("/counter", { transports: ["websocket", "polling"] });
  socket.on("queue", refresh);
  socket.on("called", refresh);
  socket.on("connect", refresh);
})();
