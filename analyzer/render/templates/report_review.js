/* Offline review in report.html: the frame stepper (stepper.js) over the report's video,
   decisions and flags kept in this browser (localStorage, per clip) and downloadable as a
   backpedal-review/1 JSON file the coach web app imports. No network. */
(function () {
  "use strict";
  var root = document.getElementById("review");
  var dataEl = document.getElementById("review-timeline");
  if (!root || !dataEl || !window.BackpedalStepper) return;
  var data = JSON.parse(dataEl.textContent);
  var sha = root.getAttribute("data-sha") || "";
  var key = "backpedal-review:" + (sha || root.getAttribute("data-clip"));
  var state = { decisions: {}, flags: [] };
  try { state = JSON.parse(window.localStorage.getItem(key)) || state; } catch (e) { /* private mode */ }
  // Served by the coach web app: start from the decisions and flags stored there.
  var served = document.getElementById("coach-review-data");
  if (served && !Object.keys(state.decisions).length && !state.flags.length) {
    var doc0 = JSON.parse(served.textContent);
    (doc0.decisions || []).forEach(function (d) { state.decisions[d.finding_id] = { decision: d.decision, note: d.note || "" }; });
    state.flags = (doc0.flags || []).map(function (f) { return { frame: f.frame, time_s: f.time_s, note: f.note }; });
  }

  function save() {
    try { window.localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* kept in memory */ }
    render();
  }

  var stepper = new window.BackpedalStepper({
    video: document.getElementById("clip"), data: data,
    frameNo: document.getElementById("frame-no"), frameTime: document.getElementById("frame-time"),
    here: document.getElementById("frame-flag"), timeline: document.getElementById("timeline"),
    playhead: document.getElementById("playhead"),
    coachFlags: function () { return state.flags; }, keys: true
  });
  stepper.bindButtons(root);

  function doc() {
    var decisions = Object.keys(state.decisions).map(function (id) {
      return { finding_id: id, decision: state.decisions[id].decision, note: state.decisions[id].note || "" };
    });
    return { format: "backpedal-review/1", clip_sha256: sha, clip: root.getAttribute("data-clip"),
             decisions: decisions, flags: state.flags };
  }

  function render() {
    Object.keys(state.decisions).forEach(function (id) {
      var s = document.getElementById("state-" + id);
      if (s) s.textContent = state.decisions[id].decision;
      var n = document.getElementById("rnote-" + id);
      if (n && !n.value) n.value = state.decisions[id].note || "";
    });
    var list = document.getElementById("rflag-list");
    list.textContent = "";
    state.flags.forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = "Frame " + f.frame + ": " + f.note;
      list.appendChild(li);
    });
    var a = document.getElementById("review-download");
    a.href = "data:application/json;charset=utf-8," + encodeURIComponent(JSON.stringify(doc(), null, 2));
    stepper.drawTimeline();
  }

  Array.prototype.forEach.call(root.querySelectorAll("[data-decision]"), function (b) {
    b.addEventListener("click", function () {
      var id = b.getAttribute("data-finding");
      var note = document.getElementById("rnote-" + id);
      state.decisions[id] = { decision: b.getAttribute("data-decision"), note: note ? note.value.trim() : "" };
      save();
    });
  });
  document.getElementById("rflag-add").addEventListener("click", function () {
    var note = document.getElementById("rflag-note");
    if (!note.value.trim()) { note.focus(); return; }
    var i = stepper.current();
    state.flags.push({ frame: i, time_s: data.times_s[i], note: note.value.trim() });
    note.value = "";
    save();
  });
  render();
  root.setAttribute("data-ready", "1");
  window.backpedalReview = stepper;
})();
