"""Coach review in real headless Chromium (Debian's, via Playwright) against the app served
by Django's live server: step frames with the keys, dismiss one finding and confirm another,
add a note and a flag, reload and see them kept; compare two reps stepped together; an
athlete's page over three sessions. Desktop and phone width (390 px); screenshots in
``tests/_artifacts/review/``. The clips come from ONE real analysis per session.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.web.fakes import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# beside one unless told that the calls are synchronous (they are: the test's own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "_artifacts" / "review"
PHONE = {"width": 390, "height": 844}
READY = """() => {
  const s = document.getElementById("stepper"), v = document.getElementById("review-video");
  return s && s.dataset.ready === "1" && v && v.readyState >= 2;
}"""


@pytest.fixture
def coach_page(browser, live_server, make_coach):
    """open(path, phone=False) -> a logged-in Playwright page of the live server."""
    make_coach("coach", "Eagles")
    contexts = []

    def open_page(path: str, *, phone: bool = False):
        ctx = browser.new_context(
            viewport=PHONE if phone else {"width": 1200, "height": 900},
            is_mobile=phone,
            has_touch=phone,
        )
        ctx.set_default_timeout(30_000)
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and "favicon.ico" not in (m.location or {}).get("url", "")
                else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.errors = errors
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "coach")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        page.goto(live_server.url + path)
        return page

    yield open_page
    for ctx in contexts:
        ctx.close()


def _timeline(clip) -> dict:
    """The clip's timeline (findings' frame ranges, reps' event frames) as analysed."""
    from analyzer.web import review_data

    return review_data.timeline(review_data.load_clip_result(clip.result_dir))


def _events(clip) -> dict:
    """The first rep's event frames (pedal start, hip turn) as the pose pass placed them."""
    return _timeline(clip)["reps"][0]


def _frame(page) -> int:
    return int(page.inner_text("#frame-no").split()[1])


def _shot(page, name: str, **kw) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, **kw)


def test_review_step_decide_note_reload(coach_page, add_clip):
    clip = add_clip()
    a, b, _ = (f["id"] for f in clip.summary["findings"])
    page = coach_page(f"/clips/{clip.pk}/review/")
    page.wait_for_function(READY)
    assert _frame(page) == 0
    page.locator("h1").click()
    for _ in range(3):
        page.keyboard.press(".")
    assert _frame(page) == 3
    page.keyboard.press(",")
    assert _frame(page) == 2
    # the video shows that frame: its time lies inside frame 2's display interval (60 fps)
    t = page.evaluate("() => document.getElementById('review-video').currentTime")
    assert 2 / 60 <= t < 3 / 60
    page.click("#next-flag")
    first = _frame(page)
    assert first == _events(clip)["pedal_start"]  # the flagged ranges start with the pedal
    assert "⚑" in page.inner_text("#frame-flag")
    ranges = sum(len(f["frames"]) for f in _timeline(clip)["findings"])
    assert page.locator("#timeline .rv-range").count() == ranges >= 3
    assert page.locator("#timeline .rv-contact").count() >= 6
    # the frame picture follows the stepper
    page.click(f"#finding-{b} .rv-draw")
    page.wait_for_function(
        f"() => document.querySelector('#finding-{b} img').src.includes('/frame/{first}.jpg')"
    )
    page.wait_for_function(f"() => document.querySelector('#finding-{b} img').naturalWidth > 0")
    _shot(page, "review_desktop.png", full_page=True)
    # dismiss one with a note, confirm another, flag a frame
    page.fill(f"#note-{a}", "camera too low to judge this")
    page.click(f"#finding-{a} .rv-dismiss")
    page.wait_for_load_state()
    page.click(f"#finding-{b} .rv-confirm")
    page.wait_for_load_state()
    page.wait_for_function(READY)
    page.click("#step-fwd")
    page.click("#step-fwd")
    assert page.input_value("#flag-frame") == "2"
    page.fill("#flag-note", "hands drop here")
    page.click("#add-flag")
    page.wait_for_load_state()
    page.reload()
    page.wait_for_function(READY)
    assert page.get_attribute(f"#finding-{a} .rv-decision", "data-decision") == "dismissed"
    assert page.get_attribute(f"#finding-{b} .rv-decision", "data-decision") == "confirmed"
    assert page.input_value(f"#note-{a}") == "camera too low to judge this"
    assert "hands drop here" in page.inner_text("#flags")
    assert page.locator("#timeline .rv-coach").count() == 1
    _shot(page, "review_after_reload.png", full_page=True)
    # shown on the report page
    page.goto(page.url.split("/review/")[0] + "/")
    text = page.inner_text("#coach-review")
    assert "camera too low to judge this" in text and "hands drop here" in text
    assert page.errors == []


def test_review_at_phone_width(coach_page, add_clip):
    clip = add_clip()
    page = coach_page(f"/clips/{clip.pk}/review/", phone=True)
    page.wait_for_function(READY)
    page.tap("#step-fwd")
    page.tap("#step-fwd")
    assert _frame(page) == 2
    page.tap("#next-flag")
    assert _frame(page) == _events(clip)["pedal_start"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
    _shot(page, "review_phone.png", full_page=True)
    assert page.errors == []


def test_compare_two_reps_stepped_together(coach_page, add_clip):
    a, b = add_clip(), add_clip(recorded_on=dt.date(2026, 11, 9))
    page = coach_page(f"/compare/?a={a.pk}&b={b.pk}&align=hip_turn")
    page.wait_for_function("() => document.getElementById('compare').dataset.ready === '1'")
    labels = page.locator(".rv-frame-label")
    turn = _events(a)["hip_turn"]
    assert labels.nth(0).inner_text().startswith(f"Frame {turn}")
    assert labels.nth(1).inner_text().startswith(f"Frame {turn}")
    page.locator("h1").click()
    page.keyboard.press(".")
    page.keyboard.press(".")
    page.click("#both-back")
    assert labels.nth(0).inner_text().startswith(f"Frame {turn + 1}")
    assert labels.nth(1).inner_text().startswith(f"Frame {turn + 1}")
    assert page.locator("#compare-table tbody tr").count() > 20
    _shot(page, "compare_desktop.png", full_page=True)
    phone = coach_page(f"/compare/?a={a.pk}&b={b.pk}&align=first_contact", phone=True)
    phone.wait_for_function("() => document.getElementById('compare').dataset.ready === '1'")
    _shot(phone, "compare_phone.png", full_page=True)
    assert page.errors == [] and phone.errors == []


def test_athlete_over_three_sessions(coach_page, add_clip):
    first = add_clip(recorded_on=dt.date(2026, 10, 1))
    fid = first.summary["findings"][0]["id"]

    def better(summary):
        summary["findings"] = [f for f in summary["findings"] if f["id"] != fid]
        summary["overall"] = (summary["overall"] or 0) + 15

    add_clip(recorded_on=dt.date(2026, 10, 15))
    add_clip(recorded_on=dt.date(2026, 11, 1), summary_edit=better)
    page = coach_page(f"/athletes/{first.athlete_id}/")
    page.click("#athlete-progress")
    page.wait_for_url("**/progress/")
    page.wait_for_function("() => document.getElementById('progress-plot').naturalWidth > 0")
    assert page.locator("#progress-table thead th").count() == 4
    words = page.inner_text("#changes")
    assert "Overall score improved" in words and "not flagged" in words
    _shot(page, "athlete_progress_desktop.png", full_page=True)
    phone = coach_page(f"/athletes/{first.athlete_id}/progress/", phone=True)
    phone.wait_for_function("() => document.getElementById('progress-plot').naturalWidth > 0")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
    _shot(phone, "athlete_progress_phone.png", full_page=True)
    assert page.errors == [] and phone.errors == []


OFFLINE_READY = "() => document.getElementById('review')?.dataset.ready === '1'"
OVERLAY_READY = """() => {
  const v = document.getElementById("overlay-view");
  return v && v.dataset.ready === "1" && !v.hidden && v.dataset.drawn !== undefined;
}"""
#: How many canvas pixels are close to each rep's colour (A yellow, B magenta).
COLOUR_COUNT = """() => {
  const c = document.getElementById("overlay-canvas"), d = c.getContext("2d")
    .getImageData(0, 0, c.width, c.height).data;
  let a = 0, b = 0, bright = 0;
  for (let k = 0; k < d.length; k += 4) {
    const r = d[k], g = d[k + 1], bl = d[k + 2];
    if (r > 200 && g > 170 && bl < 90) a++;
    if (r > 180 && g < 80 && bl > 100) b++;
    if (r + g + bl > 90) bright++;
  }
  return { a: a, b: b, bright: bright };
}"""


def _overlay_frames(page) -> tuple[int, int]:
    words = page.inner_text("#overlay-frames").split()
    return int(words[2]), int(words[6])


def test_compare_overlay_stepped_together(coach_page, add_clip):
    a, b = add_clip(), add_clip(athlete="Alex", recorded_on=dt.date(2026, 11, 9))
    page = coach_page(f"/compare/?a={a.pk}&b={b.pk}&align=hip_turn")
    page.wait_for_function("() => document.getElementById('compare').dataset.ready === '1'")
    assert page.is_hidden("#overlay-view") and page.is_visible("#pair")
    page.click("#view-overlay")
    page.wait_for_function(OVERLAY_READY)
    assert page.is_hidden("#pair") and page.get_attribute("#view-overlay", "aria-pressed") == "true"
    assert "view=overlay" in page.url
    turn = _events(a)["hip_turn"]
    assert _overlay_frames(page) == (turn, turn)
    page.locator("h1").click()
    page.keyboard.press(".")
    page.keyboard.press(".")
    page.click("#both-back")
    page.wait_for_function(
        f"() => document.getElementById('overlay-view').dataset.drawn === '{turn + 1}'"
    )
    assert _overlay_frames(page) == (turn + 1, turn + 1)
    page.wait_for_timeout(300)  # the seeked frame is drawn
    colours = page.evaluate(COLOUR_COUNT)
    assert colours["a"] > 150 and colours["b"] > 150, colours  # both skeletons drawn
    assert colours["bright"] > 5 * (colours["a"] + colours["b"]), colours  # over the video
    legend = page.inner_text("#overlay-legend")
    assert "A: Sam" in legend and "B: Alex" in legend and "scaled ×1.00" in legend
    page.check("#overlay-travel")
    page.keyboard.press(".")
    assert _overlay_frames(page) == (turn + 2, turn + 2)
    _shot(page, "compare_overlay_desktop.png", full_page=True)
    page.click("#view-side")
    assert page.is_visible("#pair") and page.is_hidden("#overlay-view")
    phone = coach_page(f"/compare/?a={a.pk}&b={b.pk}&align=first_contact&view=overlay", phone=True)
    phone.wait_for_function(OVERLAY_READY)
    phone.tap("#both-fwd")
    phone.wait_for_function(
        "() => document.getElementById('overlay-view').dataset.drawn !== undefined"
    )
    first, second = _overlay_frames(phone)
    assert first == second
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
    box = phone.locator("#overlay-canvas").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    _shot(phone, "compare_overlay_phone.png", full_page=True)
    assert page.errors == [] and phone.errors == []


def test_served_report_and_clip_page_show_the_decisions(coach_page, add_clip):
    clip = add_clip()
    a, b, _ = (f["id"] for f in clip.summary["findings"])
    page = coach_page(f"/clips/{clip.pk}/review/")
    page.wait_for_function(READY)
    page.fill(f"#note-{a}", "shadow on the hips")
    page.click(f"#finding-{a} .rv-dismiss")
    page.wait_for_load_state()
    page.click(f"#finding-{b} .rv-confirm")
    page.wait_for_load_state()
    page.goto(page.url.split("/review/")[0] + "/")
    card = page.locator(f'.finding[data-finding="{a}"]')
    assert "dismissed by the coach" in card.inner_text().lower()
    assert "shadow on the hips" in card.inner_text()
    assert "confirmed" in page.locator(f'.finding[data-finding="{b}"]').inner_text().lower()
    _shot(page, "clip_page_with_decisions.png", full_page=True)
    report = page.context.new_page()
    report.goto(page.url.rstrip("/") + "/files/report.html")
    report.wait_for_function(
        OFFLINE_READY
    )
    text = report.inner_text(f"#finding-{a}")
    assert "Dismissed by the coach: “shadow on the hips”" in text
    assert "Coach's review" in report.inner_text("#coach-review")
    # the report's own review part starts from the decisions stored on the server
    assert report.text_content(f"#state-{a}") == "dismissed"
    assert report.text_content(f"#state-{b}") == "confirmed"
    _shot(report, "report_served_with_decisions.png", full_page=True)
    assert page.errors == []


def test_offline_report_review_imported_into_the_app(coach_page, add_clip, browser, tmp_path):
    """The clip's own report.html from file://: decide, flag, download; the Review page
    imports the file and shows what was decided offline."""
    import json

    clip = add_clip()
    a, b, _ = (f["id"] for f in clip.summary["findings"])
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    try:
        offline = ctx.new_page()
        offline.goto((clip.result_dir / "report.html").resolve().as_uri())
        offline.wait_for_function(
            OFFLINE_READY
        )
        offline.click("#review-decisions summary")
        offline.fill(f"#rnote-{a}", "only on the first step")
        offline.click(f".rv-dismiss[data-finding='{a}']")
        offline.click(f".rv-confirm[data-finding='{b}']")
        offline.locator("body").click(position={"x": 5, "y": 5})
        for _ in range(4):
            offline.keyboard.press(".")
        offline.fill("#rflag-note", "eyes up")
        offline.click("#rflag-add")
        with offline.expect_download() as dl:
            offline.click("#review-download")
        saved = tmp_path / "review.json"
        dl.value.save_as(saved)
        doc = json.loads(saved.read_text())
        assert doc["clip_sha256"] == clip.summary["clip_sha256"]
    finally:
        ctx.close()
    page = coach_page(f"/clips/{clip.pk}/review/")
    page.wait_for_function(READY)
    page.set_input_files("#review-file", str(saved))
    page.click("form[action$='/review/import/'] button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_function(READY)
    assert page.get_attribute(f"#finding-{a} .rv-decision", "data-decision") == "dismissed"
    assert page.get_attribute(f"#finding-{b} .rv-decision", "data-decision") == "confirmed"
    assert page.input_value(f"#note-{a}") == "only on the first step"
    assert "Frame 4" in page.inner_text("#flags") and "eyes up" in page.inner_text("#flags")
    assert page.errors == []
