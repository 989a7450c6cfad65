"""M7 step-time CV truth from the parametric plan's exact touchdown times."""

from __future__ import annotations

import numpy as np
import pytest

from backpedal_dev.synth.accuracy import case_params, case_truth_metrics, default_cases
from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal
from backpedal_dev.synth.parametric_plan import draw_jitter
from backpedal_dev.synth.truth_metrics import (
    planned_touchdown_times_s,
    step_time_cv_pct,
    true_metrics,
)


def test_step_time_cv_known_answer() -> None:
    # steps 0.30 (first, out of the stance), 0.25, 0.35, 0.25, 0.35, 0.40 (the plant at
    # T0): the steady four have mean 0.30 s and sample SD sqrt(0.01 / 3) s
    t = np.cumsum([0.0, 0.30, 0.25, 0.35, 0.25, 0.35, 0.40])
    assert step_time_cv_pct(t) == pytest.approx(100 * np.sqrt(0.01 / 3) / 0.30, rel=1e-9)
    assert np.isnan(step_time_cv_pct([0.0, 0.25, 0.5, 0.75]))


def test_even_gait_reads_zero_from_planned_times() -> None:
    p = BackpedalParams.clean(fps=30.0, backpedal_steps=8)
    m = generate_backpedal(p)
    assert m.metrics["step_time_cv_pct"] > 2.0  # frame rounding alone at 30 fps
    exact = planned_touchdown_times_s(p)
    assert step_time_cv_pct(exact) < 1e-6
    tm = true_metrics(m.landmarks_world, m.times_s, m.contacts, m.phases, touchdown_times_s=exact)
    assert tm["step_time_cv_pct"] < 1e-6
    # the planned touchdowns are the contacts' times before rounding to frames
    frames = [c.time_s for c in m.contacts if c.kind == "touchdown"][: exact.size]
    np.testing.assert_allclose(frames, exact, atol=1.0 / 30.0 + 1e-9)


def test_uneven_rhythm_case_carries_the_fault() -> None:
    case = next(c for c in default_cases() if c.fault == "uneven_rhythm")
    p = case_params(case)
    assert p.backpedal_steps == 12 and p.seed == case.seed and p.step_time_cv > 0
    ts = 1.0 / p.cadence_steps_per_s
    jit = draw_jitter(p, np.random.default_rng(p.seed))[0]
    # the steady steps: not step 1 (out of the stance) nor the last (the plant at T0)
    steps = ts * (1 + jit[2:-1])
    cv = 100 * np.std(steps, ddof=1) / np.mean(steps)
    assert step_time_cv_pct(planned_touchdown_times_s(p)) == pytest.approx(cv, rel=1e-6)
    truth = case_truth_metrics(case, {"step_time_cv_pct": 0.0})
    assert truth["step_time_cv_pct"] == pytest.approx(cv, rel=1e-6)
    assert cv > 13.0  # clearly above the 10 % fault limit (METRICS §7 M7)


def test_other_cases_are_even() -> None:
    for case in default_cases():
        if case.fault != "uneven_rhythm":
            assert case_truth_metrics(case, {})["step_time_cv_pct"] < 1e-6, case.name
