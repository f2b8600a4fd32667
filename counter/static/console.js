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

  // Keyboard shortcuts (shown on their buttons): one letter, never while typing in a field
  // (a number like "E2" must not call the next visitor), never from a held-down key.
  function typing(target) {
    var tag = (target && target.tagName || "").toLowerCase();
    return tag === "input" || tag === "select" || tag === "textarea" || Boolean(target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat || event.defaultPrevented) { return; }
    if (typing(event.target) || !event.key || event.key.length !== 1) { return; }
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
          if (html !== null && !root.querySelector("form[data-sent]")) { swap(html); }
        })
        .catch(function () { /* offline: the next event or reconnect refreshes */ });
    }, 150);
  }
  // Swap in the fresh panel without losing what the officer is doing: typed numbers and
  // reasons, the open "more" section, the focused field, and the transfer target while the
  // same visitor is at the counter (a new visitor gets the fresh list).
  function text(scope, selector) {
    var node = scope.querySelector(selector);
    return node ? node.textContent.trim() : "";
  }
  function swap(html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    var sameVisitor = text(root, "#current-number") === text(fresh, "#current-number");
    root.querySelectorAll("input[id]:not([type=hidden]), select[id]").forEach(function (field) {
      var twin = fresh.querySelector("#" + field.id);
      if (!twin || twin.disabled) { return; }
      if (field.tagName === "SELECT") {
        if (sameVisitor && twin.querySelector('option[value="' + field.value + '"]')) { twin.value = field.value; }
      } else if (field.value) {
        twin.value = field.value;
      }
    });
    root.querySelectorAll("details[id]").forEach(function (details) {
      var twin = fresh.querySelector("#" + details.id);
      if (twin) { twin.open = details.open; }
    });
    var focused = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : "";
    var caret = null;
    try { caret = focused ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : null; }
    catch (error) { caret = null; }  // selects and buttons have no caret
    root.replaceChildren.apply(root, Array.prototype.slice.call(fresh.childNodes));
    var again = focused ? document.getElementById(focused) : null;
    if (again) {
      again.focus();
      if (caret && caret[0] !== null && again.setSelectionRange) { again.setSelectionRange(caret[0], caret[1]); }
    }
  }

  // While the connection is down the list goes stale: the officer sees a notice until it is back.
  var socket = window.antreanLive.connect("/counter", { banner: "console-connection" });
  window.antreanConsole = { socket: socket };   // console_floor.js hears the supervisor's notices on it
  socket.on("queue", refresh);
  socket.on("called", refresh);
  socket.on("connect", refresh);
})();
