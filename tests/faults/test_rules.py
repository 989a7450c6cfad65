"""Each fault fires on a rep built to show it, and never on a clean rep (METRICS.md §9)."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.faults import evaluate_faults, load_profile
from analyzer.faults.coaching import DRILLS
from tests.faults.helpers import N_FRAMES, TOUCHDOWNS, make_motion

PROFILE = load_profile("db-backpedal")

# fault id -> (view, metric values that must trigger it, other faults allowed to fire too)
TRIGGERS: dict[str, tuple[str, dict[str, float], set[str]]] = {
    "standing_tall": ("side", {"hip_height_ratio": 0.98}, set()),
    "sitting_too_low": ("side", {"hip_height_ratio": 0.64}, set()),
    "leaning_back": ("side", {"trunk_lean_deg": 4.0}, set()),
    "bent_over": ("side", {"trunk_lean_deg": 57.0}, set()),
    "slow_feet": ("side", {"cadence_steps_per_s": 2.6}, set()),
    "uneven_rhythm": ("side", {"step_time_cv_low_pct": 12.0}, set()),
    "narrow_base": ("front", {"step_width_shoulder_widths": 0.05}, set()),
    "wide_base": ("front", {"base_width_shoulder_widths": 2.0}, set()),
    "on_heels": ("side", {"forefoot_stance_fraction": 0.2}, set()),
    "heels_kicking_up": ("side", {"swing_clearance_leg_lengths": 0.5}, set()),
    "passive_arms": ("side", {"arm_swing_deg": 20.0}, set()),
    "arms_crossing": ("front", {"arm_crossing_fraction": 0.5}, set()),
    "arm_leg_out_of_sync": ("side", {"arm_leg_coordination_r": 0.1}, set()),
    "eyes_off_target": ("front", {"head_turned_to_qb_max_s": 0.9}, set()),
    "slow_hip_flip": ("side", {"transition_time_s": 0.7}, set()),
    "popping_up": ("side", {"hip_rise": 0.12}, set()),
}


def _ids(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.id for f in report.findings}


@pytest.mark.parametrize("view", ["side", "front", "diagonal"])
def test_clean_rep_has_no_finding(view: str) -> None:
    report = evaluate_faults(make_motion(view=view), PROFILE)
    assert report.findings == []
    assert report.scores.overall == pytest.approx(100.0)


@pytest.mark.parametrize("fault_id", sorted(TRIGGERS))
def test_fault_fires_on_its_rep_and_only_there(fault_id: str) -> None:
    view, values, allowed = TRIGGERS[fault_id]
    report = evaluate_faults(make_motion(values, view=view), PROFILE)
    assert fault_id in _ids(report)
    assert _ids(report) - {fault_id} <= allowed
    finding = next(f for f in report.findings if f.id == fault_id)
    assert finding.severity in ("minor", "moderate", "major")
    assert finding.frames and all(0 <= a <= b < N_FRAMES for a, b in finding.frames)
    assert any(a <= finding.key_frame <= b for a, b in finding.frames)
    assert finding.metric in values
    assert finding.value == pytest.approx(values[finding.metric])
    assert finding.band.fault_below is not None or finding.band.fault_above is not None
    assert finding.band.source
    assert 0 < finding.confidence <= 1
    assert len(finding.cue) > 10 and len(finding.cue) < 90
    assert 1 <= len(finding.drills) <= 2
    assert finding.category


@pytest.mark.parametrize("fault_id", sorted(TRIGGERS))
def test_value_just_inside_the_ok_band_does_not_fire(fault_id: str) -> None:
    view, values, _ = TRIGGERS[fault_id]
    ((key, bad),) = values.items()
    band = PROFILE.metrics[key].band
    assert band is not None
    lo, hi = band.ok
    inside = hi - 1e-6 if bad > hi else lo + 1e-6
    report = evaluate_faults(make_motion({key: inside}, view=view), PROFILE)
    assert fault_id not in _ids(report)


def test_every_required_fault_is_in_the_default_profile() -> None:
    required = {
        "standing_tall",
        "leaning_back",
        "bent_over",
        "overstriding",
        "slow_feet",
        "narrow_base",
        "on_heels",
        "passive_arms",
        "arms_crossing",
        "arm_leg_out_of_sync",
        "eyes_off_target",
        "slow_hip_flip",
        "popping_up",
    }
    assert required <= set(PROFILE.faults)
    assert required - {"overstriding"} <= set(TRIGGERS)


def test_overstriding_needs_enough_steps_past_the_limit() -> None:
    frames = TOUCHDOWNS
    many = (0.5, 0.1, 0.55, 0.2, 0.6, 0.1, 0.48, 0.15)  # 4 of 8 steps over 0.42
    few = (0.5, 0.1, 0.1, 0.2, 0.1, 0.1, 0.15, 0.15)  # 1 of 8
    hit = make_motion(
        {"reach_at_touchdown_leg_lengths": float(np.median(many))},
        extra={"reach_at_touchdown_leg_lengths": {"per_step": many, "frames": frames}},
    )
    report = evaluate_faults(hit, PROFILE)
    f = next(f for f in report.findings if f.id == "overstriding")
    # the offending steps, each from its touchdown to the next one
    assert f.frames == ((40, 54), (70, 84), (100, 114), (130, 144))
    assert f.key_frame == 100  # the longest reach (0.6)
    assert f.evidence[0].step_fraction == pytest.approx(0.5)
    miss = make_motion(
        {"reach_at_touchdown_leg_lengths": float(np.median(few))},
        extra={"reach_at_touchdown_leg_lengths": {"per_step": few, "frames": frames}},
    )
    assert "overstriding" not in _ids(evaluate_faults(miss, PROFILE))


def test_overstriding_from_long_slow_steps() -> None:
    # long steps alone are not a fault; long steps with a slow rate are
    long_only = make_motion({"step_length_leg_lengths": 1.3})
    assert "overstriding" not in _ids(evaluate_faults(long_only, PROFILE))
    long_slow = make_motion({"step_length_leg_lengths": 1.3, "cadence_steps_per_s": 2.7})
    assert {"overstriding", "slow_feet"} <= _ids(evaluate_faults(long_slow, PROFILE))


def test_backward_trunk_lean_is_always_major() -> None:
    report = evaluate_faults(make_motion({"trunk_lean_deg": -1.0}), PROFILE)
    f = next(f for f in report.findings if f.id == "leaning_back")
    assert f.severity == "major"


def test_severity_grows_with_distance_past_the_limit() -> None:
    sev = []
    for cadence in (2.9, 2.6, 2.3):  # ok band 3.0-3.6 -> fall-off over 0.6
        report = evaluate_faults(make_motion({"cadence_steps_per_s": cadence}), PROFILE)
        sev.append(next(f for f in report.findings if f.id == "slow_feet").severity)
    assert sev == ["minor", "moderate", "major"]


def test_confidence_lower_near_the_limit_and_for_low_confidence_metrics() -> None:
    def conf(value: float, level: str = "high") -> float:
        m = make_motion({"trunk_lean_deg": value}, extra={"trunk_lean_deg": {"confidence": level}})
        return next(
            f for f in evaluate_faults(m, PROFILE).findings if f.id == "leaning_back"
        ).confidence

    assert conf(7.5) < conf(2.0)
    assert conf(2.0, "low") < conf(2.0, "medium") < conf(2.0, "high")


def test_degraded_support_lowers_confidence() -> None:
    base = make_motion({"trunk_lean_deg": 2.0})
    degraded = make_motion(
        {"trunk_lean_deg": 2.0}, extra={"trunk_lean_deg": {"support": "degraded"}}
    )
    c1 = next(f for f in evaluate_faults(base, PROFILE).findings).confidence
    c2 = next(f for f in evaluate_faults(degraded, PROFILE).findings).confidence
    assert c2 < c1


def test_frames_from_the_per_frame_series() -> None:
    lean = np.full(N_FRAMES, 25.0)
    lean[60:80] = 3.0  # the athlete leans back for a third of a second mid-pedal
    lean[100:104] = 1.0
    lean[5:10] = -5.0  # in the ready stance: outside the backpedal phase, not evidence
    m = make_motion({"trunk_lean_deg": 6.0}, series={"trunk_lean_deg": lean})
    f = next(f for f in evaluate_faults(m, PROFILE).findings if f.id == "leaning_back")
    assert f.frames == ((60, 79), (100, 103))
    assert f.key_frame in range(60, 80)  # typical of what is wrong, not a spike


def test_representative_frames_expand_to_their_steps() -> None:
    m = make_motion(
        {"hip_height_ratio": 0.98},
        extra={"hip_height_ratio": {"frames": (47, 101), "details": {"max_frame": 101.0}}},
    )
    f = next(f for f in evaluate_faults(m, PROFILE).findings if f.id == "standing_tall")
    assert f.frames == ((40, 54), (100, 114))
    assert f.key_frame == 101


def test_several_rules_of_one_fault_are_all_reported() -> None:
    m = make_motion({"transition_time_s": 0.8, "transition_contacts": 5.0})
    f = next(f for f in evaluate_faults(m, PROFILE).findings if f.id == "slow_hip_flip")
    assert {e.metric for e in f.evidence} == {"transition_time_s", "transition_contacts"}
    assert "Hip flip / break time" in f.explanation and "contacts" in f.explanation


def test_one_extra_transition_step_is_not_major() -> None:
    m = make_motion({"transition_contacts": 4.0})
    f = next(f for f in evaluate_faults(m, PROFILE).findings if f.id == "slow_hip_flip")
    assert f.severity == "moderate"


def test_sprint_lean_pops_up() -> None:
    m = make_motion({"sprint_trunk_lean_deg": 8.0})
    f = next(f for f in evaluate_faults(m, PROFILE).findings if f.id == "popping_up")
    assert f.frames == ((190, 239),)  # the sprint phase


def test_drills_are_known_drills() -> None:
    names = {d.name for d in DRILLS.values()}
    for fault_id, (view, values, _) in TRIGGERS.items():
        report = evaluate_faults(make_motion(values, view=view), PROFILE)
        f = next(f for f in report.findings if f.id == fault_id)
        assert all(d.split(":")[0] in names for d in f.drills)


def test_findings_are_sorted_most_severe_first() -> None:
    m = make_motion({"trunk_lean_deg": -2.0, "cadence_steps_per_s": 2.95})
    sev = [f.severity for f in evaluate_faults(m, PROFILE).findings]
    assert sev == ["major", "minor"]


def test_uneven_rhythm_needs_its_lower_bound_past_the_limit() -> None:
    """A CV above the limit whose lower confidence bound is not (a noisy clip) is no fault."""
    noisy = make_motion({"step_time_cv_pct": 14.0, "step_time_cv_low_pct": 7.0}, view="side")
    assert "uneven_rhythm" not in _ids(evaluate_faults(noisy, PROFILE))
    sure = make_motion({"step_time_cv_pct": 14.0, "step_time_cv_low_pct": 11.0}, view="side")
    assert "uneven_rhythm" in _ids(evaluate_faults(sure, PROFILE))
