"""Issue 11: the report reads on a phone (390 px wide) in headless Chromium via Playwright.

Self-contained: needs the ``playwright`` package (dev extra) and Debian's /usr/bin/chromium
(no browser download). Nothing is loaded from the network.
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from analyzer.render.report import write_report
from analyzer.results import Verdict
from tests.render.factories import make_result, render_frames

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}

#: Text smaller than this (CSS px) is unreadable on a phone.
MIN_TEXT_PX = 11.5

_MEASURE = """() => {
  const doc = document.documentElement;
  const small = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent && el.tagName !== 'BODY') continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && parseFloat(getComputedStyle(el).fontSize) < MIN_TEXT_PX) small.push(el.tagName);
  }
  const wide = [...document.querySelectorAll('main *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > doc.clientWidth + 1 && !el.closest('.scroll-x');
  }).map(el => el.tagName + '.' + el.className);
  const charts = [...document.querySelectorAll('.charts img')]
    .map(i => i.getBoundingClientRect().width);
  return {scroll: doc.scrollWidth, client: doc.clientWidth, small, wide, charts};
}""".replace("MIN_TEXT_PX", str(MIN_TEXT_PX))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    result = make_result()
    frames = dict(render_frames(result.motion.track))
    out = {}
    base = tmp_path_factory.mktemp("phone")
    out["findings"] = write_report(result, base / "a", key_frames=frames, video_name=None)
    blocked = dataclasses.replace(
        result,
        faults=dataclasses.replace(
            result.faults,
            verdict=Verdict(
                "not_analysable",
                "Could not analyse this clip",
                reasons=("The athlete moves forwards in this clip, not backwards.",),
                actions=("Film a backpedal from the side, 6-10 m (7-11 yd) away.",),
            ),
        ),
    )
    out["blocked"] = write_report(blocked, base / "b", key_frames=frames, video_name=None)
    return out


@pytest.mark.parametrize("name", ["findings", "blocked"])
def test_no_horizontal_overflow_at_390_px(browser, reports, name, tmp_path):
    page = browser.new_page(viewport=PHONE)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("http*://**", lambda route: route.abort())  # offline: nothing may be fetched
    page.goto(reports[name].as_uri())
    page.wait_for_load_state("load")
    got = page.evaluate(_MEASURE)
    page.screenshot(path=str(tmp_path / f"{name}_phone.png"), full_page=True)
    page.close()
    assert got["scroll"] <= got["client"] == PHONE["width"], got
    assert got["wide"] == [], got["wide"]
    assert got["small"] == [], got["small"]
    assert not errors, errors
    if name == "findings":
        # charts keep a readable width and scroll sideways instead of shrinking their text
        assert got["charts"] and min(got["charts"]) >= 500
