"""Issue 11 in the report: the verdict, the score rule, plain units, evidence for every flag."""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from analyzer.render.coach_text import Scale, say_band, say_drill, say_value, scale_for
from analyzer.render.report import embed_video, write_report
from analyzer.results import Finding, FindingBand, Verdict
from tests.render.factories import make_result, render_frames


@pytest.fixture(scope="module")
def base():
    return make_result()


@pytest.fixture(scope="module")
def frames(base):
    return dict(render_frames(base.motion.track))


def _with(result, **fault_changes):
    return dataclasses.replace(result, faults=dataclasses.replace(result.faults, **fault_changes))


def _html(result, frames, tmp_path: Path, **kw) -> str:
    return write_report(result, tmp_path, key_frames=frames, **kw).read_text()


def test_not_analysable_report_gives_reasons_and_no_score(base, frames, tmp_path):
    verdict = Verdict(
        "not_analysable",
        "Could not analyse this clip",
        reasons=("The athlete moves forwards in this clip, not backwards.",),
        actions=("Film a backpedal from the side.",),
    )
    html = _html(_with(base, verdict=verdict), frames, tmp_path, video_name=None)
    assert "Could not analyse this clip" in html
    assert "The athlete moves forwards" in html and "Film a backpedal from the side." in html
    assert 'class="dial"' not in html  # no score ring
    assert "Keep it up" not in html and "Nothing to fix" not in html
    assert "What to work on</h2>" not in html


def test_score_rule_is_stated_and_caps_are_named(base, frames, tmp_path):
    scores = dataclasses.replace(
        base.faults.scores,
        caps={"posture": "standing_tall"},
        docked={"arms": ["arm_swing_deg"], "footwork": ["cadence_steps_per_s"]},
        bands={"good_from": 80, "fair_from": 60, "cap_major": 59, "cap_moderate": 79},
    )
    html = _html(_with(base, scores=scores), frames, tmp_path, video_name=None)
    assert "80 or more is good, 60-79 fair, under 60 needs work" in html
    assert "A major finding holds its area and the overall under 60" in html
    assert "held down by: standing too tall" in html
    # footwork has no finding: the metric that lowered it is named
    assert "lowered by: step rate" in html
    # the band is said once: the old second form is gone
    assert html.count("80 or more is good") == 1


def test_timing_finding_shows_a_step_time_strip_not_a_frame(base, frames, tmp_path):
    slow = Finding(
        id="slow_feet",
        title="Slow feet",
        severity="moderate",
        frames=((6, 44),),
        key_frame=20,
        metric="cadence_steps_per_s",
        value=2.6,
        unit="steps/s",
        band=FindingBand(source="test", unit="steps/s", good=(3.6, None), ok=(3.0, None)),
        confidence=0.7,
        cue="Quick feet.",
        drills=(),
        category="footwork",
    )
    result = _with(base, findings=[slow])
    html = _html(result, frames, tmp_path, video_name=None)
    block = html[html.index('id="finding-slow_feet"') :]
    block = block[: block.index("</article>")]
    assert "data:image/png;base64" in block  # the chart
    assert "data:image/jpeg" not in block  # not a standing frame
    assert "Each bar is one backpedal step" in block


def test_no_two_findings_share_a_frame_with_nothing_drawn(base, frames, tmp_path):
    from analyzer.render.report import build_report_context

    ctx = build_report_context(base, key_frames=frames, video_name=None)
    shown = [(f["key_frame"], f["measured_on_image"]) for f in ctx["findings"] if f["image"]]
    bare = [k for k, drawn in shown if not drawn]
    assert len(bare) == len(set(bare)) and not bare


def test_metric_units_and_drills(base, frames, tmp_path):
    prov = {**base.provenance, "settings": {"units": "metric", "athlete_height_m": 1.80}}
    drill = "Pedal 5 to 10 yards, turn, sprint 5 yards."
    findings = [dataclasses.replace(base.faults.findings[0], drills=(drill,))]
    result = dataclasses.replace(_with(base, findings=findings), provenance=prov)
    html = _html(result, frames, tmp_path, video_name=None)
    assert "Pedal 5 to 9 metres, turn, sprint 5 metres." in html
    assert " cm lower than standing" in html and " in lower than standing" not in html
    assert "Lengths use the athlete&#39;s height, 1.80 m." in html


def test_sources_are_behind_a_toggle(base, frames, tmp_path):
    first = base.faults.findings[0]
    f = dataclasses.replace(
        first, band=dataclasses.replace(first.band, source="METRICS.md M1 [EJ]")
    )
    html = _html(_with(base, findings=[f]), frames, tmp_path, video_name=None)
    toggle = html[html.index("<summary>Where the numbers come from</summary>") :]
    assert "METRICS.md M1 [EJ]" in toggle
    assert "METRICS.md" not in html[: html.index("<summary>Where the numbers come from")]


def test_embed_video_makes_one_forwardable_file(base, frames, tmp_path):
    video = tmp_path / "annotated.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    report = write_report(base, tmp_path, key_frames=frames, video_name="annotated.mp4")
    assert embed_video(report, video) is True
    html = report.read_text()
    m = re.search(r'<video id="clip" src="data:video/mp4;base64,([^"]+)"', html)
    assert m and base64.b64decode(m.group(1)) == video.read_bytes()
    assert "media-src 'self' file: blob: data:" in html
    # --no-embed-video keeps the file next to the report
    report = write_report(base, tmp_path, key_frames=frames, video_name="annotated.mp4")
    assert embed_video(report, video, embed=False) is False
    assert 'src="annotated.mp4"' in report.read_text()


def test_plain_comparisons_need_a_scale() -> None:
    s = Scale()  # imperial, assumed stature
    assert say_value("reach_at_touchdown_leg_lengths", "leg lengths", 0.25, s) == (
        "feet land 9 in behind the hips"
    )
    assert "5 ft 9 in" in s.note() and "estimate" in s.note()
    m = scale_for("metric", 1.80, "imperial")
    assert say_value("shoulder_over_knee_index", "thigh lengths", -0.5, m) == (
        "shoulders 22 cm behind the knees"
    )
    band = FindingBand(source="test", unit="deg", good=(15.0, 40.0), ok=(8.0, 50.0))
    assert say_band("trunk_lean_deg", "deg", band, s) == (
        "Target: between 15° and 40° (flagged under 8° or over 50°)."
    )
    assert say_drill("Pedal 10 yards.", s) == "Pedal 10 yards."
    assert np.isclose(scale_for(None, None, "metric").stature_m, 1.75)
