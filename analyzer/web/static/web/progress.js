// Clip page while the analysis runs: poll the status JSON and show the stage and percent;
// reload the page when the analysis is done or failed (the page then shows the report).
(function () {
  "use strict";
  var card = document.getElementById("progress-card");
  if (!card) return;
  var url = card.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var stage = document.getElementById("job-stage");
  var status = document.getElementById("clip-status");
  var names = { pose: "Finding the athlete in each frame", video: "Drawing the annotated video",
                starting: "Starting", render: "Writing the report", done: "Done" };

  var danger = document.querySelector(".danger-zone");

  function show(d) {
    if (status) status.textContent = d.status;
    if (danger) danger.hidden = d.status === "running"; // a running analysis cannot be deleted
    if (d.status === "queued") {
      bar.removeAttribute("value");
      stage.textContent = d.queued_ahead > 0 ? "Waiting: " + d.queued_ahead + " clip(s) ahead" : "Waiting for a worker";
      return;
    }
    var label = names[d.stage] || d.stage || "Working";
    if (typeof d.percent === "number") {
      bar.value = d.percent;
      stage.textContent = label + "… " + d.percent + "%";
    } else {
      bar.removeAttribute("value");
      stage.textContent = label + "…";
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (d) {
        show(d);
        if (d.status === "done" || d.status === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
