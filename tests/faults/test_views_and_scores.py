"""Validity gate, not-assessable reasons and the §10 scores."""

from __future__ import annotations

import math

import pytest

from analyzer.faults import evaluate_faults, load_profile
from analyzer.faults.bands import score_value
from analyzer.faults.profiles import Band
from tests.faults.helpers import make_motion

PROFILE = load_profile("db-backpedal")
SIDE_ONLY_FAULTS = {
    "standing_tall",
    "sitting_too_low",
    "leaning_back",
    "bent_over",
    "overstriding",
    "on_heels",
    "heels_kicking_up",
    "popping_up",
}
FRONT_ONLY_FAULTS = {"narrow_base", "wide_base", "arms_crossing", "eyes_off_target"}


def _gaps(report, kind: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {n.key: n.reason for n in report.not_assessable if n.kind == kind}


def test_front_view_side_only_faults_are_not_assessable_not_verdicts() -> None:
    # Side-only metrics that would be faulty carry values anyway (honest=False): the
    # profile's view table must still refuse to judge them.
    bad = {
        "hip_height_ratio": 0.99,
        "trunk_lean_deg": -5.0,
        "hip_rise": 0.2,
        "reach_at_touchdown_leg_lengths": 0.8,
        "forefoot_stance_fraction": 0.1,
    }
    report = evaluate_faults(make_motion(bad, view="front", honest=False), PROFILE)
    assert not ({f.id for f in report.findings} & SIDE_ONLY_FAULTS)
    gaps = _gaps(report, "fault")
    assert set(gaps) >= SIDE_ONLY_FAULTS
    assert "side" in gaps["standing_tall"]
    assert "hip height" in _gaps(report, "metric")["hip_height_ratio"]


def test_side_view_front_only_faults_are_not_assessable() -> None:
    report = evaluate_faults(
        make_motion({"arm_crossing_fraction": 0.9}, view="side", honest=False), PROFILE
    )
    assert "arms_crossing" not in {f.id for f in report.findings}
    gaps = _gaps(report, "fault")
    assert set(gaps) >= FRONT_ONLY_FAULTS
    assert "front" in gaps["eyes_off_target"]


def test_metric_reason_from_the_metrics_code_is_kept() -> None:
    m = make_motion()
    m.metrics["cadence_steps_per_s"] = m.metrics["cadence_steps_per_s"].__class__(
        key="cadence_steps_per_s",
        value=None,
        unit="steps/s",
        phase="backpedal",
        assessable=False,
        reason="only 2 foot contacts found in the backpedal",
    )
    report = evaluate_faults(m, PROFILE)
    assert _gaps(report, "metric")["cadence_steps_per_s"].startswith("only 2 foot contacts")


def test_rear_view_judges_almost_nothing() -> None:
    report = evaluate_faults(
        make_motion({"trunk_lean_deg": -5.0}, view="rear", honest=False), PROFILE
    )
    assert report.findings == []
    assert report.scores.categories["posture"] is None


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.85, 100),
        (0.91, 100),
        (0.93, 80),
        (0.95, 60),
        (0.97, 30),
        (0.99, 0),
        (1.2, 0),
        (0.74, 80),
        (0.70, 60),
        (0.66, 30),
    ],
)
def test_score_is_piecewise_linear(x: float, expected: float) -> None:
    band = PROFILE.metrics["hip_height_ratio"].band
    assert band is not None
    assert score_value(x, band, ok_floor_score=60) == pytest.approx(expected, abs=1e-6)


def test_one_sided_band_and_falloff() -> None:
    band = Band(good=(-math.inf, 2.0), ok=(-math.inf, 3.0), falloff=(1.0, 2.0))
    assert score_value(0.0, band, ok_floor_score=60) == 100
    assert score_value(4.0, band, ok_floor_score=60) == pytest.approx(30)
    assert score_value(5.0, band, ok_floor_score=60) == pytest.approx(0)


def test_category_and_overall_scores_weighted_and_renormalised() -> None:
    # one posture metric in the middle of its ok band (score 80)
    report = evaluate_faults(make_motion({"hip_height_ratio": 0.93}), PROFILE)
    s = report.scores
    assert s.metrics["hip_height_ratio"] == pytest.approx(80)
    posture_w = {
        "hip_height_ratio": 8,
        "ready_hip_height_ratio": 4,
        "knee_flexion_deg": 7,
        "ready_knee_flexion_deg": 3,
        "trunk_lean_deg": 10,
        "shoulder_over_knee_index": 8,
    }
    expected = (80 * 8 + 100 * (sum(posture_w.values()) - 8)) / sum(posture_w.values())
    assert s.categories["posture"] == pytest.approx(expected)
    assert s.categories["footwork"] == pytest.approx(100)
    assert 80 < s.overall < 100  # type: ignore[operator]


def test_low_confidence_metric_counts_less() -> None:
    # 0.93: inside the ok band, so no finding caps the score
    hi = evaluate_faults(make_motion({"hip_height_ratio": 0.93}), PROFILE).scores.overall
    lo = evaluate_faults(
        make_motion({"hip_height_ratio": 0.93}, extra={"hip_height_ratio": {"confidence": "low"}}),
        PROFILE,
    ).scores.overall
    assert hi < lo < 100  # type: ignore[operator]


def test_front_view_scores_only_what_it_sees() -> None:
    report = evaluate_faults(make_motion({"arm_crossing_fraction": 0.5}, view="front"), PROFILE)
    cats = report.scores.categories
    assert cats["posture"] is None
    assert cats["arms"] is not None and cats["arms"] < 100
    assert cats["footwork"] == pytest.approx(100)
    assert "hip_height_ratio" not in report.scores.metrics
    assert report.scores.overall is not None


def test_slow_feet_are_not_excused_as_a_controlled_rep() -> None:
    # a slow pedal is slow because of slow feet: the default profile still judges them
    report = evaluate_faults(
        make_motion({"cadence_steps_per_s": 2.5, "backpedal_speed_m_per_s": 1.1}), PROFILE
    )
    assert "slow_feet" in {f.id for f in report.findings}


def test_read_step_profile_does_not_judge_step_rate() -> None:
    report = evaluate_faults(
        make_motion({"cadence_steps_per_s": 2.0, "step_length_leg_lengths": 1.3}),
        load_profile("read-step"),
    )
    assert report.findings == []
    assert "cadence_steps_per_s" not in report.scores.metrics
    assert report.scores.categories["posture"] == pytest.approx(100)


def test_arm_timing_not_judged_when_the_arms_barely_swing() -> None:
    report = evaluate_faults(
        make_motion({"arm_swing_deg": 15.0, "arm_leg_coordination_r": 0.3}), PROFILE
    )
    ids = {f.id for f in report.findings}
    assert "passive_arms" in ids and "arm_leg_out_of_sync" not in ids
    assert "arm_leg_coordination_r" in _gaps(report, "metric")


def test_nan_value_is_not_assessable() -> None:
    report = evaluate_faults(make_motion({"trunk_lean_deg": float("nan")}), PROFILE)
    assert "trunk_lean_deg" in _gaps(report, "metric")
    assert report.findings == []
