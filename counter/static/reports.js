/* The reports page's charts, drawn with Chart.js from the figures the server put in the page
   (`#report-data`, JSON: the strict CSP allows no inline script). Every chart repeats a table
   already in the page, so a screen reader, a printout or a browser without scripts loses
   nothing. No animation: the numbers are there at once, and a screenshot shows them. */
(function () {
  "use strict";
  // Switching the language keeps the range and filters on screen (the shared switch links to
  // `?lang=` alone, which would fall back to this month).
  Array.prototype.forEach.call(document.querySelectorAll(".language-switch a[hreflang]"), function (link) {
    var url = new URL(window.location.href);
    url.searchParams.set("lang", link.getAttribute("hreflang"));
    link.setAttribute("href", url.pathname + url.search);
  });

  var source = document.getElementById("report-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var figures = data.figures, names = data.names, texts = data.texts;
  var Chart = window.Chart;
  var colors = { served: "#1b5e20", no_show: "#a4161a", cancelled: "#6b6b6b", other: "#0b3d91" };
  var palette = ["#0b3d91", "#c77800", "#1b5e20", "#7b1fa2", "#a4161a", "#00695c", "#5d4037", "#37474f"];

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#111111";

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  function nameOf(table, code) { return (table && table[code]) || code; }

  var days = figures.by_day;
  draw("chart-days", {
    type: "bar",
    data: {
      labels: days.map(function (day) { return day.date.slice(5); }),
      datasets: ["served", "no_show", "cancelled", "other"].map(function (key) {
        return {
          label: texts[key], backgroundColor: colors[key],
          data: days.map(function (day) {
            return key === "other" ? day.tickets - day.served - day.no_show - day.cancelled : day[key];
          })
        };
      })
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
               plugins: { legend: { position: "bottom" } } }
  });

  // The JSON's objects come with sorted keys: the office's order is sent as lists.
  var channels = data.order.channels;
  draw("chart-channels", {
    type: "doughnut",
    data: {
      labels: channels.map(function (code) { return nameOf(names.channels, code); }),
      datasets: [{ data: channels.map(function (code) { return figures.by_channel[code]; }),
                   backgroundColor: palette.slice(0, channels.length) }]
    },
    options: { plugins: { legend: { position: "bottom" } } }
  });

  var services = data.order.services;
  draw("chart-services", {
    type: "bar",
    data: {
      labels: services.map(function (code) { return nameOf(names.services, code); }),
      datasets: [{ label: texts.tickets, data: services.map(function (code) { return figures.by_service[code]; }),
                   backgroundColor: palette[0] }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } },
               scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  draw("chart-counters", {
    type: "bar",
    data: {
      labels: figures.counters.map(function (row) { return nameOf(names.counters, row.counter); }),
      datasets: [{ label: texts.utilisation, backgroundColor: palette[1],
                   data: figures.counters.map(function (row) { return row.utilisation || 0; }) }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: 100 } } }
  });
}());
