// Keeps record-sync progress bars up to date without reloading the page. Without JavaScript
// the page shows the progress as it was, with a link to refresh it.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-run-progress-url]");
  if (!boxes.length || !window.fetch) return;

  function poll(box) {
    fetch(box.getAttribute("data-run-progress-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status !== "running" && state.status !== "queued") {
          window.location.reload(); // finished: show the full report
          return;
        }
        box.querySelector("progress").value = state.percent;
        box.querySelector("[data-run-progress-text]").textContent =
          state.percent + "%, " + state.rows.toLocaleString("en-GB") + " rows" +
          (state.phase ? " (" + state.phase + ")" : "");
        window.setTimeout(function () { poll(box); }, 2000);
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 10000); });
  }

  Array.prototype.forEach.call(boxes, function (box) {
    window.setTimeout(function () { poll(box); }, 1000);
  });
})();
