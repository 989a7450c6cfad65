/* Compare page: two frame steppers (stepper.js) stepped and played together, keeping the
   frame offset of the chosen event (each side starts on its aligned frame). */
(function () {
  "use strict";
  var box = document.getElementById("compare");
  if (!box || !window.BackpedalStepper) return;
  var sides = ["a", "b"].map(function (k) { return document.getElementById("side-" + k); });

  function load(side) {
    return fetch(side.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("timeline " + r.status); return r.json(); })
      .then(function (data) {
        var s = new window.BackpedalStepper({
          video: side.querySelector("video"), data: data,
          frameNo: side.querySelector(".rv-frame-label"), frameTime: side.querySelector(".rv-time"),
          here: side.querySelector(".rv-here"), timeline: side.querySelector(".rv-timeline"),
          playhead: side.querySelector(".rv-head"), keys: false
        });
        s.alignFrame = parseInt(side.getAttribute("data-align-frame"), 10) || 0;
        s.seek(s.alignFrame);
        return s;
      });
  }

  Promise.all(sides.map(load)).then(function (st) {
    var a = st[0], b = st[1];
    function offset() { return b.alignFrame - a.alignFrame; }
    function stepBoth(d) { a.step(d); b.seek(a.current() + offset()); }
    function playBoth(rate) { a.seek(a.current()); b.seek(a.current() + offset()); a.play(rate); b.play(rate); }
    function on(id, fn) { var e = document.getElementById(id); if (e) e.addEventListener("click", fn); }
    on("both-align", function () { a.seek(a.alignFrame); b.seek(b.alignFrame); });
    on("both-back", function () { stepBoth(-1); });
    on("both-fwd", function () { stepBoth(1); });
    on("both-025", function () { playBoth(0.25); });
    on("both-05", function () { playBoth(0.5); });
    on("both-pause", function () { a.pause(); b.pause(); });
    document.addEventListener("keydown", function (ev) {
      var tag = ev.target && ev.target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
      if (ev.key === ",") { stepBoth(-1); ev.preventDefault(); }
      if (ev.key === ".") { stepBoth(1); ev.preventDefault(); }
    });
    box.setAttribute("data-ready", "1");
    window.backpedalCompare = { a: a, b: b };
  }).catch(function (err) {
    box.insertAdjacentText("afterbegin", "The reps could not be loaded (" + err.message + ").");
  });
})();
