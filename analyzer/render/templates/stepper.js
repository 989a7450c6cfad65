/* Frame stepper for the annotated video: one frame back/forward, slow play, jump between
   flagged moments, a timeline with a marker per flagged moment and per foot contact.
   Shared by the offline report.html (inlined) and the coach web app (served as a script).
   No dependencies, no network. data = analyzer.render.timeline.review_timeline(result). */
(function () {
  "use strict";

  function frameAt(times, t) {
    // the last frame whose time is <= t (binary search)
    var lo = 0, hi = times.length - 1;
    if (hi < 0) return 0;
    if (t <= times[0]) return 0;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (times[mid] <= t + 1e-4) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }

  /* opts: video, data, frameNo, frameTime, timeline, playhead, here (elements, optional),
     coachFlags: function () -> [{frame, note}], onFrame: function (frame), keys: bool */
  function Stepper(opts) {
    var video = opts.video, data = opts.data, times = data.times_s || [];
    var n = times.length, last = Math.max(n - 1, 0);
    var dt = data.fps > 0 ? 1 / data.fps : 1 / 30;
    var current = 0, listeners = [];
    var self = this;

    function timeOf(i) {
      var next = i + 1 < n ? times[i + 1] : times[i] + dt;
      return times[i] + Math.min(0.3 * (next - times[i]), 0.3 * dt);
    }

    function flaggedAt(i) {
      var out = [];
      (data.findings || []).forEach(function (f) {
        f.frames.forEach(function (r) { if (i >= r[0] && i <= r[1] && out.indexOf(f.title) < 0) out.push(f.title); });
      });
      (opts.coachFlags ? opts.coachFlags() : []).forEach(function (fl) {
        if (fl.frame === i) out.push("your flag: " + fl.note);
      });
      return out;
    }

    function show(i) {
      current = i;
      if (opts.frameNo) opts.frameNo.textContent = "Frame " + i + " / " + last;
      if (opts.frameTime) opts.frameTime.textContent = (times[i] || 0).toFixed(2) + " s";
      if (opts.here) {
        var here = flaggedAt(i);
        opts.here.textContent = here.length ? "⚑ " + here.join(" · ") : "";
      }
      if (opts.playhead && last > 0) opts.playhead.style.left = (100 * i / last) + "%";
      if (opts.timeline) opts.timeline.setAttribute("aria-valuenow", String(i));
      listeners.forEach(function (cb) { cb(i); });
    }

    this.current = function () { return current; };
    this.onFrame = function (cb) { listeners.push(cb); };
    this.seek = function (i) {
      i = Math.max(0, Math.min(last, Math.round(i)));
      if (video) {
        video.pause();
        video.playbackRate = 1;
        try { video.currentTime = timeOf(i); } catch (e) { /* not loaded yet */ }
      }
      show(i);
    };
    this.step = function (d) { self.seek(current + d); };
    this.moments = function () {
      var m = [];
      (data.findings || []).forEach(function (f) {
        f.frames.forEach(function (r) { m.push(r[0]); });
        m.push(f.key_frame);
      });
      (opts.coachFlags ? opts.coachFlags() : []).forEach(function (fl) { m.push(fl.frame); });
      m.sort(function (a, b) { return a - b; });
      return m.filter(function (v, k) { return k === 0 || v !== m[k - 1]; });
    };
    this.nextFlag = function () {
      var m = self.moments().filter(function (v) { return v > current; });
      if (m.length) self.seek(m[0]);
    };
    this.prevFlag = function () {
      var m = self.moments().filter(function (v) { return v < current; });
      if (m.length) self.seek(m[m.length - 1]);
    };
    this.play = function (rate) {
      if (!video) return;
      video.playbackRate = rate;
      if (current >= last) self.seek(0);
      var p = video.play();
      if (p && p.catch) p.catch(function () { /* autoplay refused: the user presses play */ });
    };
    this.pause = function () { if (video) video.pause(); };
    this.toggle = function () { if (video && video.paused) self.play(video.playbackRate || 1); else self.pause(); };

    this.drawTimeline = function () {
      var tl = opts.timeline;
      if (!tl || last <= 0) return;
      Array.prototype.slice.call(tl.querySelectorAll(".rv-mark")).forEach(function (m) { m.remove(); });
      function pct(i) { return (100 * i / last) + "%"; }
      (data.findings || []).forEach(function (f) {
        f.frames.forEach(function (r) {
          var m = el("div", "rv-mark rv-range sev-" + f.severity, tl);
          m.style.left = pct(r[0]);
          m.style.width = Math.max(0.6, 100 * (r[1] - r[0]) / last) + "%";
          m.title = f.title + " (frames " + r[0] + "-" + r[1] + ")";
        });
        var k = el("div", "rv-mark rv-key sev-" + f.severity, tl);
        k.style.left = pct(f.key_frame);
        k.title = f.title + ": key frame " + f.key_frame;
      });
      (data.contacts || []).forEach(function (c) {
        if (c.kind !== "touchdown") return;
        var m = el("div", "rv-mark rv-contact foot-" + c.foot, tl);
        m.style.left = pct(c.frame);
        m.title = c.foot + " foot lands, frame " + c.frame;
      });
      (opts.coachFlags ? opts.coachFlags() : []).forEach(function (fl) {
        var m = el("div", "rv-mark rv-coach", tl);
        m.style.left = pct(fl.frame);
        m.title = "Your flag, frame " + fl.frame + ": " + fl.note;
      });
    };

    function fromPointer(ev) {
      var box = opts.timeline.getBoundingClientRect();
      var x = Math.max(0, Math.min(box.width, ev.clientX - box.left));
      self.seek(last * x / Math.max(1, box.width));
    }

    if (opts.timeline) {
      var dragging = false;
      opts.timeline.addEventListener("pointerdown", function (ev) { dragging = true; fromPointer(ev); });
      window.addEventListener("pointermove", function (ev) { if (dragging) fromPointer(ev); });
      window.addEventListener("pointerup", function () { dragging = false; });
      opts.timeline.addEventListener("keydown", function (ev) {
        if (ev.key === "ArrowLeft") { self.step(-1); ev.preventDefault(); }
        if (ev.key === "ArrowRight") { self.step(1); ev.preventDefault(); }
      });
    }

    if (video) {
      var follow = function () {
        if (!video.paused) show(frameAt(times, video.currentTime));
      };
      if (video.requestVideoFrameCallback) {
        var onVideoFrame = function (now, meta) {
          if (!video.paused) show(frameAt(times, meta.mediaTime));
          video.requestVideoFrameCallback(onVideoFrame);
        };
        video.requestVideoFrameCallback(onVideoFrame);
      } else {
        video.addEventListener("timeupdate", follow);
      }
      video.addEventListener("pause", function () { show(frameAt(times, video.currentTime)); });
      video.addEventListener("ended", function () { video.playbackRate = 1; });
    }

    if (opts.keys) {
      document.addEventListener("keydown", function (ev) {
        var t = ev.target, tag = t && t.tagName;
        if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
        if (ev.key === ",") { self.step(-1); ev.preventDefault(); }
        else if (ev.key === ".") { self.step(1); ev.preventDefault(); }
        else if (ev.key === "[") { self.prevFlag(); ev.preventDefault(); }
        else if (ev.key === "]") { self.nextFlag(); ev.preventDefault(); }
        else if (ev.key === " " && tag !== "BUTTON") { self.toggle(); ev.preventDefault(); }
      });
    }

    this.drawTimeline();
    show(0);
  }

  /* Wire the standard buttons (ids inside root): prev-flag, step-back, play-025, play-05,
     play-1, pause, step-fwd, next-flag. */
  Stepper.prototype.bindButtons = function (root, ids) {
    var s = this;
    ids = ids || {};
    function on(id, fn) {
      var b = root.querySelector("#" + (ids[id] || id));
      if (b) b.addEventListener("click", fn);
    }
    on("prev-flag", function () { s.prevFlag(); });
    on("next-flag", function () { s.nextFlag(); });
    on("step-back", function () { s.step(-1); });
    on("step-fwd", function () { s.step(1); });
    on("play-025", function () { s.play(0.25); });
    on("play-05", function () { s.play(0.5); });
    on("play-1", function () { s.play(1); });
    on("pause", function () { s.pause(); });
  };

  Stepper.frameAt = frameAt;
  window.BackpedalStepper = Stepper;
})();
