"""The report in headless Chromium: no console errors, every image loads, the video plays.

Chromium is Debian's, driven by Playwright (``tests/browser_fixtures.py``); the tests skip
with a reason when it is not installed (``apt-get install chromium``). A full-page
screenshot is saved under the test's tmp dir (path printed with ``-s``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzer.render.annotate_video import annotate_clip
from analyzer.render.report import key_frame_indices, write_report
from tests.browser_fixtures import WatchedPage
from tests.render.factories import make_result, write_clip

pytestmark = pytest.mark.browser

#: Loaded: the page is complete and the video has enough data to play through
#: (HAVE_ENOUGH_DATA, readyState 4) or has failed.
READY_JS = """(() => {
  if (document.readyState !== "complete") return false;
  const v = document.getElementById("clip");
  return !v || v.readyState >= 4 || !!v.error;
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


def _load(page: WatchedPage, path: Path, *, screenshot: Path | None = None) -> dict:
    """Open ``path``, wait until it and its video are loaded, return STATE_JS's value."""
    page.open(path)
    page.page.wait_for_function(READY_JS)
    if screenshot is not None:
        page.page.screenshot(path=screenshot, full_page=True)
    return page.evaluate(STATE_JS)


def test_report_renders_without_errors_and_the_video_plays(report_dir, page):
    shot = report_dir / "screenshot.png"
    s = _load(page, report_dir / "report.html", screenshot=shot)
    print(f"\nreport screenshot: {shot}")
    assert page.console_errors == []
    assert page.network == []
    assert s["findings"] == 3
    assert s["images"] == 8 and s["loaded"] == 8
    assert s["videoError"] is None
    assert s["videoReadyState"] == 4, s
    assert s["status"]["video"] == "canplay"
    assert s["videoWidth"] == 640 and s["videoDuration"] == pytest.approx(2.0, abs=0.1)
    assert shot.is_file() and shot.stat().st_size > 50_000


def test_the_harness_sees_errors(tmp_path, page):
    """A control: a broken image, a console error, an uncaught exception, a missing video
    and a script from the web must all be reported."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><body><img src='data:image/png;base64,AAAA'>"
        "<video id='clip' src='missing.mp4'></video><div id='report-status'></div>"
        "<script src='https://cdn.example.org/lib.js'></script>"
        "<script>console.error('boom'); null.x;</script></body></html>"
    )
    s = _load(page, bad)
    assert any("boom" in e for e in page.console_errors)
    assert any(e.startswith("uncaught:") for e in page.console_errors)
    assert page.network == ["https://cdn.example.org/lib.js"]
    assert s["loaded"] == 0
    assert s["videoError"] is not None


def test_report_folder_is_portable(report_dir, tmp_path, page):
    """Moved elsewhere (e.g. emailed as a folder), the report still finds its video."""
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("report.html", "annotated.mp4"):
        shutil.copy(report_dir / name, moved / name)
    s = _load(page, moved / "report.html")
    assert page.console_errors == []
    assert s["videoReadyState"] == 4


@pytest.mark.slow
def test_sample_clip_report_end_to_end(tmp_path, page):
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
    s = _load(page, written["report.html"], screenshot=shot)
    print(f"\nsample report screenshot: {shot}")
    assert page.console_errors == []
    assert page.network == []
    n_findings = len(result.faults.findings) if result.faults else 0
    assert s["images"] == 5 + n_findings == s["loaded"]
    assert s["videoReadyState"] == 4 and s["videoError"] is None
    assert shot.is_file()
