"""Issue 11: scores agree with the findings, and no verdict without evidence."""

from __future__ import annotations

import dataclasses

import pytest

from analyzer.errors import ProfileError
from analyzer.faults import evaluate_faults, load_profile
from tests.faults.helpers import make_motion

PROFILE = load_profile()
SPEC = PROFILE.verdict


def test_major_finding_caps_its_category_and_the_overall_in_needs_work() -> None:
    # trunk behind the hips: a major "leaning back" while everything else is clean
    report = evaluate_faults(make_motion({"trunk_lean_deg": -4.0}), PROFILE)
    lean = next(f for f in report.findings if f.id == "leaning_back")
    assert lean.severity == "major"
    assert report.scores.overall is not None and report.scores.overall <= SPEC.cap_major
    assert SPEC.band(report.scores.overall) == "needs work"
    assert report.scores.categories["posture"] <= SPEC.cap_major  # type: ignore[operator]
    assert report.scores.caps == {"posture": "leaning_back", "overall": "leaning_back"}
    # other categories are not capped by a posture finding
    assert report.scores.categories["arms"] == pytest.approx(100)


def test_moderate_finding_caps_in_fair() -> None:
    # 4.5 deg: past the 8 deg limit, half-way down the fall-off -> moderate
    report = evaluate_faults(make_motion({"trunk_lean_deg": 4.5}), PROFILE)
    sev = {f.id: f.severity for f in report.findings}
    assert sev == {"leaning_back": "moderate"}
    overall = report.scores.overall
    assert overall is not None and SPEC.fair_from <= overall <= SPEC.cap_moderate
    assert SPEC.band(overall) == "fair"
    assert report.scores.caps["overall"] == "leaning_back"


def test_clean_rep_is_not_capped_and_reads_good() -> None:
    report = evaluate_faults(make_motion(), PROFILE)
    assert report.findings == [] and report.scores.caps == {}
    assert report.verdict is not None and report.verdict.status == "assessed"
    assert report.verdict.headline.endswith(": good")


def test_a_category_docked_without_a_finding_names_what_docked_it() -> None:
    # head tilt 15 deg: outside "good" (up to 10) but inside the fault limit (20): no finding
    report = evaluate_faults(make_motion({"head_pitch_deg": 15.0}), PROFILE)
    assert not report.findings
    assert report.scores.categories["head"] < 100  # type: ignore[operator]
    assert report.scores.docked == {"head": ["head_pitch_deg"]}


def test_forward_walk_is_not_analysable() -> None:
    motion = make_motion()
    motion = dataclasses.replace(
        motion,
        travel_direction="forward",
        phases=[p for p in motion.phases if p.kind != "backpedal"],
    )
    verdict = evaluate_faults(motion, PROFILE).verdict
    assert verdict is not None and verdict.status == "not_analysable"
    assert verdict.headline == "Could not analyse this clip"
    assert "moves forwards" in verdict.reasons[0]
    assert any("Film a backpedal" in a for a in verdict.actions)


def test_implausibly_slow_steps_ask_for_the_capture_rate() -> None:
    # an 8x slow-motion clip read at its playback rate: 4 steps/s look like 0.5 steps/s
    verdict = evaluate_faults(make_motion({"cadence_steps_per_s": 0.5}), PROFILE).verdict
    assert verdict is not None and verdict.status == "not_analysable"
    assert any("slow-motion" in r for r in verdict.reasons)
    assert any("--capture-fps" in a for a in verdict.actions)
    # a slow but real backpedal (2.5 steps/s) is judged, with slow feet
    report = evaluate_faults(make_motion({"cadence_steps_per_s": 2.5}), PROFILE)
    assert report.verdict is not None and report.verdict.status == "assessed"


def test_too_few_backpedal_steps_is_not_analysable() -> None:
    motion = make_motion()
    motion = dataclasses.replace(motion, steps=motion.steps[:1])
    verdict = evaluate_faults(motion, PROFILE).verdict
    assert verdict is not None and verdict.status == "not_analysable"
    assert "foot landings" in verdict.reasons[0]


def test_a_view_that_shows_too_little_is_not_analysable() -> None:
    motion = make_motion(view="rear")  # the rear view supports almost nothing
    report = evaluate_faults(motion, PROFILE)
    assert report.verdict is not None and report.verdict.status == "not_analysable"
    assert any("camera angle" in r for r in report.verdict.reasons)
    assert any("from the side" in a for a in report.verdict.actions)


def test_caps_must_sit_in_their_bands(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[profile]\nextends = "db-backpedal"\nname = "bad"\n'
        '[verdict]\ncap_major = 65\nsource = "test"\n'
    )
    with pytest.raises(ProfileError, match="cap_major"):
        load_profile(path)


def test_every_builtin_profile_states_its_verdict_rules() -> None:
    from analyzer.faults import list_profiles

    for info in list_profiles():
        prof = load_profile(info.name)
        assert prof.verdict.source and prof.units in ("imperial", "metric")
