/* The web app's review page: the frame stepper (stepper.js) over the annotated video, the
   flag form following the current frame, "draw it on the current frame" for each finding. */
(function () {
  "use strict";
  var root = document.getElementById("stepper");
  if (!root || !window.BackpedalStepper) return;
  var flagFrame = document.getElementById("flag-frame");
  var frameUrl = root.getAttribute("data-frame-url"); // .../frame/0.jpg

  function coachFlags() {
    return Array.prototype.map.call(document.querySelectorAll(".rv-flags li[data-frame]"), function (li) {
      var note = li.querySelector(".rv-flag-note");
      return { frame: parseInt(li.getAttribute("data-frame"), 10), note: note ? note.textContent : "" };
    });
  }

  fetch(root.getAttribute("data-url"), { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
    .then(function (r) { if (!r.ok) throw new Error("timeline " + r.status); return r.json(); })
    .then(function (data) {
      var s = new window.BackpedalStepper({
        video: document.getElementById("review-video"),
        data: data,
        frameNo: document.getElementById("frame-no"),
        frameTime: document.getElementById("frame-time"),
        here: document.getElementById("frame-flag"),
        timeline: document.getElementById("timeline"),
        playhead: document.getElementById("playhead"),
        coachFlags: coachFlags,
        keys: true
      });
      s.bindButtons(root);
      root.setAttribute("data-ready", "1");
      s.onFrame(function (i) { if (flagFrame) flagFrame.value = String(i); });
      document.querySelectorAll(".rv-jump").forEach(function (b) {
        b.addEventListener("click", function () {
          s.seek(parseInt(b.getAttribute("data-frame"), 10));
          root.scrollIntoView({ behavior: "smooth", block: "start" });
        });
      });
      document.querySelectorAll(".rv-draw").forEach(function (b) {
        b.addEventListener("click", function () {
          var fig = b.closest("figure"), img = fig.querySelector("img"), i = s.current();
          img.src = frameUrl.replace(/\/0\.jpg$/, "/" + i + ".jpg") + "?finding=" + encodeURIComponent(b.getAttribute("data-finding"));
          fig.querySelector(".rv-frame-no").textContent = String(i);
        });
      });
      var hash = window.location.hash.match(/^#frame-(\d+)$/);
      if (hash) s.seek(parseInt(hash[1], 10));
      window.backpedalReview = s;
    })
    .catch(function (err) {
      var out = document.getElementById("frame-flag");
      if (out) out.textContent = "The timeline could not be loaded (" + err.message + "); reload the page.";
    });
})();
