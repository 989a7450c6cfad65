"""Stepped travel (issue 12): hips moving over planted feet are not travel."""

from __future__ import annotations

import numpy as np

from analyzer.events.travel import stepped_travel


def _travel(n: int, spans: list[tuple[int, int, int]]) -> np.ndarray:
    out = np.zeros(n, dtype=int)
    for a, b, sign in spans:
        out[a:b] = sign
    return out


def test_a_stretch_needs_two_plants() -> None:
    travel = _travel(100, [(10, 40, 1), (60, 90, -1)])
    # one plant in the first stretch (a weight shift), two in the second (a step)
    got = stepped_travel(travel, np.array([20, 65, 80]), max_gap=15, min_touchdowns=2,
                         min_step=5)  # fmt: skip
    assert not got[10:40].any()
    assert (got[60:90] == -1).all()


def test_feet_landing_together_are_one_plant() -> None:
    travel = _travel(100, [(10, 40, 1)])
    got = stepped_travel(travel, np.array([20, 22]), max_gap=15, min_touchdowns=2, min_step=5)
    assert not got.any()


def test_runs_a_short_gap_apart_are_one_stretch() -> None:
    # a slow walker: the hip speed dips under the threshold between steps
    travel = _travel(100, [(10, 30, 1), (40, 60, 1), (80, 95, 1)])
    got = stepped_travel(travel, np.array([20, 50, 85]), max_gap=15, min_touchdowns=2,
                         min_step=5)  # fmt: skip
    assert (got[10:30] == 1).all() and (got[40:60] == 1).all()
    assert not got[30:40].any()  # frames keep their own sign: the gap is not filled
    assert not got[80:95].any()  # 20 frames after the others: a stretch of its own, one plant


def test_plants_quicker_than_any_step_are_one_plant() -> None:
    """Two touchdowns 0.17 s apart at 60 fps (a weight shift read as a second touchdown,
    the pose2sim balance) are not a step; 0.25 s apart (4 steps/s) are."""
    from analyzer.events.phase_params import PhaseParams

    min_step = round(PhaseParams().min_travel_step_s * 60)
    travel = np.zeros(100, dtype=int)
    travel[60:100] = -1
    shift = stepped_travel(travel, np.array([65, 75]), max_gap=30, min_touchdowns=2,
                           min_step=min_step)  # fmt: skip
    assert not shift.any()
    step = stepped_travel(travel, np.array([65, 80]), max_gap=30, min_touchdowns=2,
                          min_step=min_step)  # fmt: skip
    assert np.array_equal(step, travel)
