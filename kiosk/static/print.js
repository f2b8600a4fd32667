// Print the ticket page itself: print.css puts only the printed ticket on paper. Once when the
// page has loaded, and again on "Print again". Printing asks the server for nothing, so a print
// that fails or is cancelled is simply repeated: the ticket is never issued twice.
(function () {
  "use strict";
  var ticket = document.getElementById("printed-ticket");
  if (!ticket) { return; }
  var MM_PER_PX = 25.4 / 96;
  var pageRule = null;

  // A long number shrinks to the paper's width instead of running off the roll.
  function fitNumber() {
    var number = ticket.querySelector(".printed-ticket__number");
    if (!number) { return; }
    number.style.fontSize = "";
    if (number.scrollWidth > number.clientWidth) {
      var size = parseFloat(window.getComputedStyle(number).fontSize);
      number.style.fontSize = Math.floor(size * number.clientWidth / number.scrollWidth) + "px";
    }
  }

  // The page is exactly as long as the ticket: one page, and no blank paper fed after it.
  function sizePage() {
    var link = document.querySelector("link[href*='print.css']");
    var sheet = link && link.sheet;
    if (!sheet) { return; }
    var paper = parseInt(ticket.dataset.paperMm, 10) || 80;
    var length = Math.ceil(ticket.getBoundingClientRect().height * MM_PER_PX) + 1;
    if (pageRule !== null) { sheet.deleteRule(pageRule); }
    pageRule = sheet.insertRule("@page { size: " + paper + "mm " + length + "mm; margin: 0; }", sheet.cssRules.length);
  }

  function layOut() {
    fitNumber();
    sizePage();
    ticket.dataset.ready = "1";
  }

  function printTicket() {
    layOut();
    try {
      window.print();
    } catch (error) {
      // No printer or no print dialog: the ticket stays on screen, with "Print again".
    }
  }

  var again = document.getElementById("print-again");
  if (again) {
    again.addEventListener("click", function (event) { event.preventDefault(); printTicket(); });
  }
  window.addEventListener("beforeprint", layOut);   // Ctrl+P too gets a ticket-long page
  function whenLoaded() {
    var fonts = document.fonts && document.fonts.ready;
    if (fonts) { fonts.then(printTicket, printTicket); } else { printTicket(); }
  }
  if (document.readyState === "complete") { whenLoaded(); } else { window.addEventListener("load", whenLoaded); }
})();
