// Upload page: drag-and-drop onto the drop zone, upload with a progress bar, then go to the
// clip's page. Without this script the form still posts as a plain multipart upload.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = document.getElementById("id_clip");
  var drop = document.getElementById("drop");
  var chosen = document.getElementById("chosen");
  var bar = document.getElementById("upload-progress");
  var statusText = document.getElementById("upload-status");
  var errorBox = document.getElementById("upload-error");
  var button = document.getElementById("upload-button");
  var limit = parseInt(form.getAttribute("data-limit-bytes") || "0", 10);

  function showError(message, hint) {
    errorBox.textContent = message + (hint ? " " + hint : "");
    errorBox.hidden = false;
  }
  function showChosen() {
    var f = input.files && input.files[0];
    chosen.textContent = f ? f.name + " (" + (f.size / 1048576).toFixed(1) + " MB)" : "";
  }
  input.addEventListener("change", showChosen);
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      showChosen();
    }
  });

  form.addEventListener("submit", function (e) {
    if (!window.FormData || !window.XMLHttpRequest) return; // plain form post
    e.preventDefault();
    errorBox.hidden = true;
    var f = input.files && input.files[0];
    if (!f) { showError("Choose a video first.", ""); return; }
    if (limit && f.size > limit) {
      showError("The clip is larger than the " + Math.round(limit / 1048576) + " MB limit.",
                "Trim the clip to the rep or export it at a lower quality.");
      return;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    bar.hidden = false;
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) {
        bar.value = Math.round(100 * ev.loaded / ev.total);
        statusText.textContent = "Uploading… " + bar.value + "%";
      }
    });
    xhr.addEventListener("load", function () {
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
      if (xhr.status === 201 && data.url) {
        statusText.textContent = "Uploaded. Opening the analysis…";
        window.location.assign(data.url);
        return;
      }
      button.disabled = false;
      bar.hidden = true;
      statusText.textContent = "";
      showError(data.error || ("The upload failed (HTTP " + xhr.status + ")."), data.hint || "");
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      statusText.textContent = "";
      showError("The connection broke during the upload.", "Check the network and upload again.");
    });
    xhr.send(new FormData(form));
  });
})();
