// A form came back with errors (422): move the focus to their summary, so that keyboard and
// screen-reader users start from the list of what to correct. Without JavaScript the summary,
// role="alert", is announced all the same.
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
