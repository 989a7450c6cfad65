"""The offline report's frame stepper and review, in headless Chromium from ``file://``.

No server: step frames with the keys and buttons, jump between flags, confirm and dismiss
findings with a note, flag a frame, download the review and read it back with the web app's
reader (``analyzer.review.review_from_dict``). Screenshots: ``tests/_artifacts/review/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.render.annotate_video import annotate_clip
from analyzer.render.report import key_frame_indices, write_report
from analyzer.render.timeline import review_timeline
from analyzer.review import review_from_dict
from tests.render.factories import make_result, write_clip

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts" / "review"
READY_JS = """(() => {
  const r = document.getElementById("review"), v = document.getElementById("clip");
  return document.readyState === "complete" && r && r.dataset.ready === "1"
    && v && v.readyState >= 2;
})()"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report-review")
    r = make_result()
    clip = write_clip(r.motion.track, out / "clip_source.mp4")
    _, kept = annotate_clip(clip, r, out / "annotated.mp4", keep_frames=key_frame_indices(r))
    write_report(r, out, key_frames=kept)
    return out / "report.html", r


def _frame(page) -> str:
    return page.page.inner_text("#frame-no")


def test_offline_stepper_steps_jumps_and_downloads_a_review(report, page):
    path, result = report
    line = review_timeline(result)
    page.open(path)
    p = page.page
    p.wait_for_function(READY_JS)
    assert _frame(page) == f"Frame 0 / {line['n_frames'] - 1}"
    p.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(3):
        p.keyboard.press(".")
    assert _frame(page).startswith("Frame 3 /")
    p.keyboard.press(",")
    assert _frame(page).startswith("Frame 2 /")
    # the video itself shows the frame: its time lies inside frame 2's display interval
    t = p.evaluate("document.getElementById('clip').currentTime")
    assert line["times_s"][2] <= t < line["times_s"][3]
    p.click("#next-flag")
    first = min(m for f in line["findings"] for m in [f["key_frame"], *[r[0] for r in f["frames"]]])
    assert _frame(page).startswith(f"Frame {first} /")
    assert "⚑" in p.inner_text("#frame-flag")
    p.click("#step-fwd")
    assert _frame(page).startswith(f"Frame {first + 1} /")
    # the timeline has a marker per flagged range and per touchdown
    n_ranges = sum(len(f["frames"]) for f in line["findings"])
    n_touch = sum(c["kind"] == "touchdown" for c in line["contacts"])
    assert p.locator("#timeline .rv-range").count() == n_ranges
    assert p.locator("#timeline .rv-contact").count() == n_touch
    # slowed play
    p.click("#play-025")
    assert p.evaluate("document.getElementById('clip').playbackRate") == 0.25
    p.click("#pause")
    # decisions, a note, a flag
    a, b = line["findings"][0]["id"], line["findings"][1]["id"]
    p.click("#review-decisions summary")
    p.fill(f"#rnote-{a}", "camera too low")
    p.click(f".rv-dismiss[data-finding='{a}']")
    p.click(f".rv-confirm[data-finding='{b}']")
    p.click("#step-back")
    here = int(_frame(page).split()[1])
    p.fill("#rflag-note", "watch the hands")
    p.click("#rflag-add")
    assert p.locator("#timeline .rv-coach").count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=ARTIFACTS / "report_stepper.png", full_page=True)
    with p.expect_download() as dl:
        p.click("#review-download")
    doc = json.loads(Path(dl.value.path()).read_text())
    review = review_from_dict(
        doc, finding_ids={f["id"] for f in line["findings"]}, n_frames=line["n_frames"]
    )
    got = {d.finding_id: (d.decision, d.note) for d in review.decisions}
    assert got == {a: ("dismissed", "camera too low"), b: ("confirmed", "")}
    assert [(f.frame, f.note) for f in review.flags] == [(here, "watch the hands")]
    # kept in this browser across a reload (localStorage of the file)
    p.reload()
    p.wait_for_function(READY_JS)
    assert p.text_content(f"#state-{a}") == "dismissed"
    assert p.input_value(f"#rnote-{a}") == "camera too low"
    assert p.text_content(f"#state-{b}") == "confirmed"
    assert p.text_content("#rflag-list") == f"Frame {here}: watch the hands"
    assert p.locator("#timeline .rv-coach").count() == 1
    assert page.console_errors == [] and page.network == []


def test_offline_stepper_at_phone_width(report, browser):
    path, _ = report
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        p = ctx.new_page()
        p.goto(path.resolve().as_uri())
        p.wait_for_function(READY_JS)
        p.tap("#step-fwd")
        p.tap("#step-fwd")
        assert p.inner_text("#frame-no").startswith("Frame 2 /")
        width = p.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width} px)"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        p.locator("#video").screenshot(path=ARTIFACTS / "report_stepper_phone.png")
    finally:
        ctx.close()
