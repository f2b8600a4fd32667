// The phone page's survey: shown when the ticket becomes done while the page is open, and
// replaced by the thanks when the visit is rated (here, or on the counter's tablet).
(function () {
  "use strict";
  var survey = document.getElementById("survey");
  if (!survey) { return; }
  var form = document.getElementById("survey-form");
  var thanks = document.getElementById("survey-thanks");

  // status.js announces each update of the ticket as a DOM event.
  document.addEventListener("antrean-ticket", function (event) {
    var ticket = event.detail || {};
    survey.hidden = ticket.status !== "done";
    if (ticket.rated) {
      if (form) { form.hidden = true; }
      thanks.hidden = false;
    }
  });

  // One rating per visit: the form is sent once.
  if (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  }
})();
