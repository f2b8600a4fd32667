// Fits a list of boxes into the space its container has, as large as they can be: a display
// shows 3 counters or 17, 2 waiting lines or 14, in landscape or portrait, and nothing may run
// off the screen. The items' text scales with one unit (CSS `--u`, in px); the grid's shape
// (`--cols`, `--rows`) is the one that gives the largest unit.
//
// How: each item is measured once at `--u: 100px` in its natural, unwrapped size; for every
// column count the unit that makes the widest and the tallest item fit a cell is computed, and
// the best is kept. Then the real layout is checked, and the unit shrunk a little while anything
// still overflows (rounding, borders), so the promise holds whatever the fonts do.
(function () {
  "use strict";

  var MEASURE = 100;

  function px(value) { var number = parseFloat(value); return isNaN(number) ? 0 : number; }

  function items(list) {
    return Array.prototype.filter.call(list.children, function (child) { return !child.hidden; });
  }

  function natural(list, children) {
    list.classList.add("is-measuring");
    list.style.setProperty("--u", MEASURE + "px");
    var width = 0;
    var height = 0;
    children.forEach(function (child) {
      var box = child.getBoundingClientRect();
      width = Math.max(width, box.width);
      height = Math.max(height, box.height);
    });
    list.classList.remove("is-measuring");
    return { width: width / MEASURE, height: height / MEASURE };
  }

  function overflows(list, children) {
    if (list.scrollHeight > list.clientHeight + 1 || list.scrollWidth > list.clientWidth + 1) { return true; }
    return children.some(function (child) {
      return child.scrollWidth > child.clientWidth + 1 || child.scrollHeight > child.clientHeight + 1;
    });
  }

  // A label longer than most (`Loket 17 (Prioritas)`) does not make every cell small: the list
  // is fitted to labels of ordinary length (CSS caps their width while measuring), and a longer
  // one is set smaller on its own, down to SHRINK_FLOOR of its size, then cut with an ellipsis.
  var SHRINK_FLOOR = 0.7;
  function shrinkLongLabels(list) {
    Array.prototype.forEach.call(list.querySelectorAll("[data-fit-text]"), function (text) {
      text.style.fontSize = "";
      if (text.scrollWidth > text.clientWidth + 1) {
        var ratio = Math.max(SHRINK_FLOOR, (text.clientWidth - 1) / text.scrollWidth);
        text.style.fontSize = (parseFloat(window.getComputedStyle(text).fontSize) * ratio) + "px";
      }
    });
  }

  // Lays `list`'s visible children out in the grid that lets them be largest; returns the unit
  // in px (0 for an empty list). `options.max` caps the unit (px), so 2 counters are not absurd.
  function grid(list, options) {
    var settings = options || {};
    var children = items(list);
    if (!children.length || !list.clientWidth || !list.clientHeight) { return 0; }
    var style = window.getComputedStyle(list);
    var columnGap = px(style.columnGap);
    var rowGap = px(style.rowGap);
    var size = natural(list, children);
    var width = list.clientWidth;
    var height = list.clientHeight;
    var best = { unit: 0, cols: 1, rows: children.length };
    for (var cols = 1; cols <= children.length; cols += 1) {
      var rows = Math.ceil(children.length / cols);
      var cellWidth = (width - columnGap * (cols - 1)) / cols;
      var cellHeight = (height - rowGap * (rows - 1)) / rows;
      var unit = Math.min(cellWidth / size.width, cellHeight / size.height);
      if (unit > best.unit + 0.5) { best = { unit: unit, cols: cols, rows: rows }; }
    }
    var chosen = Math.floor(Math.min(best.unit, settings.max || Infinity));
    list.style.setProperty("--cols", String(best.cols));
    list.style.setProperty("--rows", String(best.rows));
    list.style.setProperty("--u", chosen + "px");
    for (var tries = 0; tries < 16 && chosen > 4 && overflows(list, children); tries += 1) {
      chosen = Math.floor(chosen * 0.94);
      list.style.setProperty("--u", chosen + "px");
    }
    shrinkLongLabels(list);
    return chosen;
  }

  // Like grid(), but when the unit would fall below `options.min` px, shows fewer items (the first
  // ones) and, with `options.more(hiddenCount)`, a last one saying so ("+5 more"), so what is
  // shown stays readable.
  function gridOrFewer(list, options) {
    var children = Array.prototype.slice.call(list.children);
    children.forEach(function (child) { child.hidden = false; });
    var unit = grid(list, options);
    var shown = children.length;
    var more = null;
    while (unit && unit < options.min && shown > 1) {
      shown = Math.max(1, Math.floor(shown * 0.8));
      children.forEach(function (child, index) { child.hidden = index >= shown; });
      if (more) { more.remove(); }
      if (options.more) {
        more = options.more(children.length - shown);
        list.appendChild(more);
      }
      unit = grid(list, options);
    }
    return unit;
  }

  window.antreanFit = { grid: grid, gridOrFewer: gridOrFewer };
})();
