/* Compare page: two frame steppers (stepper.js) stepped and played together, keeping the
   frame offset of the chosen event (each side starts on its aligned frame); shown side by
   side or superposed (B's skeleton over A's video, from compare/overlay.json). */
(function () {
  "use strict";
  var box = document.getElementById("compare");
  if (!box || !window.BackpedalStepper) return;
  var sides = ["a", "b"].map(function (k) { return document.getElementById("side-" + k); });
  var COLOUR = { a: "#ffd400", b: "#e0218a" };

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

  /* The overlay view: A's video frame, dimmed, with A's skeleton and B's (moved and scaled
     onto A by the server) drawn over it. */
  function Overlay(a, b) {
    var view = document.getElementById("overlay-view"), canvas = document.getElementById("overlay-canvas");
    var ctx = canvas.getContext("2d"), video = sides[0].querySelector("video");
    var travel = document.getElementById("overlay-travel");
    var data = null, self = this;

    function skeleton(row, colour, sx, sy, width) {
      if (!row) return false;
      ctx.strokeStyle = colour; ctx.fillStyle = colour; ctx.lineWidth = width; ctx.lineCap = "round";
      data.edges.forEach(function (e) {
        var x0 = row[2 * e[0]], y0 = row[2 * e[0] + 1], x1 = row[2 * e[1]], y1 = row[2 * e[1] + 1];
        if (x0 === null || x1 === null) return;
        ctx.beginPath(); ctx.moveTo(x0 * sx, y0 * sy); ctx.lineTo(x1 * sx, y1 * sy); ctx.stroke();
      });
      for (var k = 0; k < row.length; k += 2) {
        if (row[k] === null) continue;
        ctx.beginPath(); ctx.arc(row[k] * sx, row[k + 1] * sy, width, 0, 2 * Math.PI); ctx.fill();
      }
      return true;
    }

    this.draw = function () {
      if (!data || view.hidden) return;
      var i = a.current(), k = i - data.first_frame, w = canvas.width, h = canvas.height;
      try { ctx.drawImage(video, 0, 0, w, h); } catch (e) { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, w, h); }
      ctx.fillStyle = "rgba(0, 0, 0, 0.5)"; ctx.fillRect(0, 0, w, h);
      var sx = w / data.image_size[0], sy = h / data.image_size[1], lw = Math.max(2, w / 260);
      var note = "", rows = travel && travel.checked ? data.b_travel : data.b_posture;
      if (k < 0 || k >= data.a.length) {
        note = "Outside the compared reps: no skeletons here.";
      } else {
        // A wider under B: where the two bodies match, A shows as a rim around B
        if (!skeleton(data.a[k], COLOUR.a, sx, sy, 2 * lw)) note = "A: no pose at this frame. ";
        if (!skeleton(rows[k], COLOUR.b, sx, sy, lw)) note += "B: no pose at this frame.";
      }
      document.getElementById("overlay-frames").textContent = "A frame " + i + " · B frame " + (i + data.offset);
      document.getElementById("overlay-note").textContent = note;
      view.setAttribute("data-drawn", String(i));
    };

    this.load = function () {
      if (data) return Promise.resolve(data);
      return fetch(view.getAttribute("data-url"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("overlay " + r.status); return r.json(); })
        .then(function (d) {
          data = d;
          var scale = d.image_size[0] > 0 ? Math.min(1, 960 / Math.max(d.image_size[0], d.image_size[1])) : 1;
          canvas.width = Math.round(d.image_size[0] * scale);
          canvas.height = Math.round(d.image_size[1] * scale);
          var fit = "moved onto A's hips and scaled ×" + (d.scale === null ? "1" : d.scale.toFixed(2)) + " to A's torso";
          if (d.mirrored) fit += ", mirrored (the two face opposite ways)";
          document.getElementById("overlay-fit").textContent = fit;
          view.setAttribute("data-ready", "1");
          self.draw();
          return d;
        });
    };

    a.onFrame(function () { self.draw(); });
    video.addEventListener("seeked", function () { self.draw(); });
    video.addEventListener("loadeddata", function () { self.draw(); });
    if (travel) travel.addEventListener("change", function () { self.draw(); });
    if (video.requestVideoFrameCallback) {
      var onVideoFrame = function () { self.draw(); video.requestVideoFrameCallback(onVideoFrame); };
      video.requestVideoFrameCallback(onVideoFrame);
    }
  }

  function setView(name, overlay) {
    var pair = document.getElementById("pair"), view = document.getElementById("overlay-view");
    pair.hidden = name === "overlay";
    view.hidden = name !== "overlay";
    document.getElementById("view-side").setAttribute("aria-pressed", String(name !== "overlay"));
    document.getElementById("view-overlay").setAttribute("aria-pressed", String(name === "overlay"));
    box.setAttribute("data-view", name);
    var url = new URL(window.location.href);
    if (name === "overlay") url.searchParams.set("view", "overlay"); else url.searchParams.delete("view");
    window.history.replaceState(null, "", url.toString());
    if (name === "overlay") {
      overlay.load().catch(function (err) {
        document.getElementById("overlay-note").textContent = "The skeletons could not be loaded (" + err.message + ").";
      });
    }
  }

  Promise.all(sides.map(load)).then(function (st) {
    var a = st[0], b = st[1];
    function offset() { return b.alignFrame - a.alignFrame; }
    function stepBoth(d) { a.step(d); b.seek(a.current() + offset()); }
    function playBoth(rate) { a.seek(a.current()); b.seek(a.current() + offset()); a.play(rate); b.play(rate); }
    function on(id, fn) { var e = document.getElementById(id); if (e) e.addEventListener("click", fn); }
    var overlay = new Overlay(a, b);
    on("view-side", function () { setView("side", overlay); });
    on("view-overlay", function () { setView("overlay", overlay); });
    on("both-align", function () { a.seek(a.alignFrame); b.seek(b.alignFrame); });
    on("both-back", function () { stepBoth(-1); });
    on("both-fwd", function () { stepBoth(1); });
    on("both-025", function () { playBoth(0.25); });
    on("both-05", function () { playBoth(0.5); });
    on("both-pause", function () { a.pause(); b.pause(); });
    document.addEventListener("keydown", function (ev) {
      var t = ev.target, tag = t && t.tagName;
      if ((tag === "INPUT" && t.type !== "checkbox") || tag === "TEXTAREA" || tag === "SELECT") return;
      if (ev.key === ",") { stepBoth(-1); ev.preventDefault(); }
      if (ev.key === ".") { stepBoth(1); ev.preventDefault(); }
    });
    if (box.getAttribute("data-view") === "overlay") setView("overlay", overlay);
    box.setAttribute("data-ready", "1");
    window.backpedalCompare = { a: a, b: b, overlay: overlay };
  }).catch(function (err) {
    box.insertAdjacentText("afterbegin", "The reps could not be loaded (" + err.message + ").");
  });
})();
