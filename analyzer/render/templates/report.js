(function () {
  "use strict";
  var status = document.getElementById("report-status");
  var video = document.getElementById("clip");

  function updateImages() {
    var imgs = Array.prototype.slice.call(document.images);
    var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
    status.setAttribute("data-images", String(imgs.length));
    status.setAttribute("data-images-loaded", String(ok.length));
  }
  window.addEventListener("load", updateImages);

  if (video) {
    status.setAttribute("data-video", "loading");
    var ready = function () {
      status.setAttribute("data-video", "canplay");
      status.setAttribute("data-video-ready-state", String(video.readyState));
    };
    video.addEventListener("canplay", ready);
    video.addEventListener("error", function () {
      status.setAttribute("data-video", "error");
    });
    if (video.readyState >= 3) { ready(); }
  }

  var buttons = document.querySelectorAll("[data-seek]");
  Array.prototype.forEach.call(buttons, function (b) {
    b.addEventListener("click", function () {
      if (!video) { return; }
      video.currentTime = parseFloat(b.getAttribute("data-seek"));
      video.scrollIntoView({ behavior: "smooth", block: "center" });
      var p = video.play();
      if (p && p.catch) { p.catch(function () {}); }
    });
  });
})();
