"""The report in headless Chromium: no console errors, every image loads, the video plays.

Skipped with a reason when no Chromium is installed (``apt-get install chromium``).
A full-page screenshot is saved under the test's tmp dir (path printed with ``-s``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzer.render.annotate_video import annotate_clip
from analyzer.render.report import key_frame_indices, write_report
from tests.render.factories import make_result, write_clip
from tests.report.browser import find_chromium, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="headless chromium is not installed"),
]
pytest.importorskip("websocket", reason="websocket-client (dev extra) is not installed")

READY_JS = """(() => {
  if (document.readyState !== "complete") return false;
  const v = document.getElementById("clip");
  return !v || v.readyState >= 3 || !!v.error;
})()"""

STATE_JS = """(() => {
  const imgs = Array.from(document.images);
  const v = document.getElementById("clip");
  return {
    images: imgs.length,
    loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    videoReadyState: v ? v.readyState : null,
    videoError: v && v.error ? v.error.code : null,
    videoDuration: v ? v.duration : null,
    videoWidth: v ? v.videoWidth : null,
    status: Object.assign({}, document.getElementById("report-status").dataset),
    findings: document.querySelectorAll("article.finding").length,
    pageHeight: document.documentElement.scrollHeight,
  };
})()"""


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    r = make_result()
    clip = write_clip(r.motion.track, out / "clip_source.mp4")
    _, kept = annotate_clip(clip, r, out / "annotated.mp4", keep_frames=key_frame_indices(r))
    write_report(r, out, key_frames=kept)
    return out


def test_report_renders_without_errors_and_the_video_plays(report_dir):
    shot = report_dir / "screenshot.png"
    page = open_page(
        report_dir / "report.html", ready_js=READY_JS, state_js=STATE_JS, screenshot=shot
    )
    print(f"\nreport screenshot: {shot}")
    assert page.console_errors == []
    s = page.state
    assert s["findings"] == 3
    assert s["images"] == 8 and s["loaded"] == 8
    assert s["videoError"] is None
    assert s["videoReadyState"] >= 3, s
    assert s["status"]["video"] == "canplay"
    assert s["videoWidth"] == 640 and s["videoDuration"] == pytest.approx(2.0, abs=0.1)
    assert shot.is_file() and shot.stat().st_size > 50_000


def test_the_harness_sees_errors(tmp_path):
    """A control: a broken image, a console error and a missing video must be reported."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><body><img src='data:image/png;base64,AAAA'>"
        "<video id='clip' src='missing.mp4'></video><div id='report-status'></div>"
        "<script>console.error('boom')</script></body></html>"
    )
    got = open_page(page, ready_js=READY_JS, state_js=STATE_JS, timeout_s=10)
    assert any("boom" in e for e in got.console_errors)
    assert got.state["loaded"] == 0
    assert got.state["videoError"] is not None


def test_report_folder_is_portable(report_dir, tmp_path):
    """Moved elsewhere (e.g. emailed as a folder), the report still finds its video."""
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("report.html", "annotated.mp4"):
        shutil.copy(report_dir / name, moved / name)
    page = open_page(moved / "report.html", ready_js=READY_JS, state_js=STATE_JS)
    assert page.console_errors == []
    assert page.state["videoReadyState"] >= 3


@pytest.mark.slow
def test_sample_clip_report_end_to_end(tmp_path):
    """The bundled sample clip through the real pipeline, then the report in Chromium."""
    from analyzer.pipeline import analyze_clip
    from analyzer.render.folder import write_render_outputs

    root = Path(__file__).resolve().parents[2]
    clip = root / "sample_videos" / "backpedal_side_left.mp4"
    if not clip.is_file():
        pytest.skip("the sample clip is not in sample_videos/")
    result = analyze_clip(clip, cache_dir=tmp_path / "cache")
    out = tmp_path / "out"
    written = write_render_outputs(result, out, clip=clip)
    shot = out / "screenshot.png"
    page = open_page(written["report.html"], ready_js=READY_JS, state_js=STATE_JS, screenshot=shot)
    print(f"\nsample report screenshot: {shot}")
    assert page.console_errors == []
    n_findings = len(result.faults.findings) if result.faults else 0
    assert page.state["images"] == 5 + n_findings == page.state["loaded"]
    assert page.state["videoReadyState"] >= 3 and page.state["videoError"] is None
    assert shot.is_file()
