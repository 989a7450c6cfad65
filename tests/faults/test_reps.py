"""Several reps in one clip: per-rep scores, trend, and form dropping with fatigue."""

from __future__ import annotations

import itertools

import pytest

from analyzer.faults import evaluate_faults, load_profile
from tests.faults.helpers import N_FRAMES, make_motion

PROFILE = load_profile("db-backpedal")


def _tiring(n: int) -> list[dict[str, float]]:
    """Reps getting taller, slower and more upright as the athlete tires."""
    return [
        {
            "hip_height_ratio": 0.85 + 0.04 * i,
            "cadence_steps_per_s": 4.0 - 0.35 * i,
            "trunk_lean_deg": 25.0 - 7.0 * i,
        }
        for i in range(n)
    ]


def test_per_rep_scores_and_dropping_trend() -> None:
    reps = _tiring(4)
    report = evaluate_faults(make_motion(reps[0], rep_values=reps), PROFILE)
    per_rep = report.scores.per_rep
    assert [r["rep"] for r in per_rep] == [0, 1, 2, 3]
    overall = [r["overall"] for r in per_rep]
    assert overall[0] == pytest.approx(100)
    assert all(a >= b for a, b in itertools.pairwise(overall))
    assert overall[-1] < overall[0] - PROFILE.fatigue.drop_points
    assert report.scores.trend["direction"] == "dropping"
    assert report.scores.trend["slope_points_per_rep"] < 0


def test_form_drop_fatigue_is_its_own_finding() -> None:
    reps = _tiring(4)
    report = evaluate_faults(make_motion(reps[0], rep_values=reps), PROFILE)
    f = next(f for f in report.findings if f.id == "form_drop_fatigue")
    assert f.value >= PROFILE.fatigue.drop_points  # type: ignore[operator]
    assert f.reps == (3,)
    assert all(3 * N_FRAMES <= a <= b < 4 * N_FRAMES for a, b in f.frames)
    assert "Hip height" in f.explanation
    assert f.drills


def test_no_fatigue_finding_when_form_holds() -> None:
    reps = [{"hip_height_ratio": 0.85 + 0.005 * (i % 2)} for i in range(4)]
    report = evaluate_faults(make_motion(rep_values=reps), PROFILE)
    assert "form_drop_fatigue" not in {f.id for f in report.findings}
    assert report.scores.trend["direction"] == "steady"


def test_no_fatigue_verdict_with_too_few_reps() -> None:
    reps = _tiring(2)
    report = evaluate_faults(make_motion(reps[0], rep_values=reps), PROFILE)
    assert "form_drop_fatigue" not in {f.id for f in report.findings}
    assert len(report.scores.per_rep) == 2


def test_fault_in_some_reps_is_one_finding_naming_them() -> None:
    reps = [{}, {"trunk_lean_deg": 3.0}, {}, {"trunk_lean_deg": 2.0}]
    report = evaluate_faults(make_motion(rep_values=reps), PROFILE)
    found = [f for f in report.findings if f.id == "leaning_back"]
    assert len(found) == 1
    f = found[0]
    assert f.reps == (1, 3)
    assert f.rep is None
    assert "rep 2, 4 of 4" in f.explanation
    # frames from both reps' backpedal phases
    assert any(N_FRAMES <= a < 2 * N_FRAMES for a, _ in f.frames)
    assert any(3 * N_FRAMES <= a < 4 * N_FRAMES for a, _ in f.frames)


def test_single_rep_has_no_per_rep_table() -> None:
    report = evaluate_faults(make_motion(), PROFILE)
    assert report.scores.per_rep == []
    assert report.scores.trend == {}
