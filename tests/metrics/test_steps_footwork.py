"""Footwork metrics: step-time CV (M7), paired step length (M6a), reach (M6b), COM."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer import skeleton as sk
from analyzer.metrics.steps import _landed_step_lengths
from analyzer.motion import analyze_motion
from analyzer.numeric import com_x_series
from analyzer.results import Step
from tests.metrics.stickfigure import Gait, camera_for, generate, to_track


def _analyze(gait: Gait, view: str = "left", **kw):
    t, w, truth = generate(gait)
    return analyze_motion(to_track(t, w, camera_for(w, view)), clean=False, **kw), truth


@pytest.fixture(scope="module")
def side30():
    return _analyze(Gait(fps=30.0, cadence_steps_per_s=3.8, duration_s=5.0))


def test_even_gait_at_30_fps_has_no_rhythm_fault(side30) -> None:
    ma, _ = side30
    cv = ma.metrics["step_time_cv_pct"]
    assert cv.assessable
    assert cv.value is not None and cv.value < 3.0
    assert cv.details["raw_cv_pct"] < 3.0  # sub-frame touchdowns, not only the correction
    assert cv.confidence == "low"  # 30 fps (METRICS §7 M7)


def test_front_view_at_30_fps_cannot_resolve_the_rhythm() -> None:
    ma, _ = _analyze(Gait(fps=30.0, cadence_steps_per_s=3.8, duration_s=5.0), "front")
    cv = ma.metrics["step_time_cv_pct"]
    assert not cv.assessable and "fps" in cv.reason
    assert ma.metrics["cadence_steps_per_s"].value == pytest.approx(3.8, rel=0.05)


def test_reach_assessable_without_the_far_arm() -> None:
    """MediaPipe masks the far arm in a side view; the COM (M6b reach) must survive it."""
    t, w, _ = generate(Gait())
    tr = to_track(t, w, camera_for(w, "left"))
    far_arm = [sk.RIGHT_ELBOW, sk.RIGHT_WRIST, 18, 20, 22]
    xy = tr.image_xy.copy()
    xy[:, far_arm] = np.nan
    full, part = com_x_series(tr.image_xy), com_x_series(xy)
    leg = np.nanmedian(np.abs(tr.image_xy[:, sk.LEFT_HIP, 1] - tr.image_xy[:, sk.LEFT_ANKLE, 1]))
    assert np.isfinite(part).all()
    assert np.max(np.abs(part - full)) < 0.03 * leg
    ma = analyze_motion(replace(tr, image_xy=xy), clean=False)
    reach = ma.metrics["reach_at_touchdown_leg_lengths"]
    assert reach.assessable and len(reach.per_step) >= 8
    legs = xy.copy()
    legs[:, [sk.LEFT_KNEE, sk.LEFT_ANKLE, sk.RIGHT_KNEE]] = np.nan  # too much mass missing
    assert np.isnan(com_x_series(legs)).all()


def test_step_length_side_view(side30) -> None:
    ma, truth = side30
    sl = ma.metrics["step_length_leg_lengths"]
    want = Gait().speed_m_per_s / 3.8 / truth.leg_m
    assert sl.value == pytest.approx(want, abs=0.05)


class _Ctx:
    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps


def _step(i: int, frame: int, length: float | None) -> Step:
    return Step(i, ("left", "right")[i % 2], frame, frame / 30, length_leg_lengths=length)


def test_paired_step_lengths_cancel_parallax() -> None:
    """Near->far and far->near steps read 0.5 -/+ 0.05 L (parallax); pairs read 0.5 L."""
    lengths = [0.45, 0.55, 0.45, 0.55, 0.45, 0.80, None]
    steps = [_step(i, 8 * i, x) for i, x in enumerate(lengths)]
    m = np.zeros(60, bool)
    m[8:41] = True  # landings at frames 8..40 in the phase; the step landing at 48 is not
    sl, fr, pairs = _landed_step_lengths(_Ctx(steps), m)  # type: ignore[arg-type]
    assert fr == [8, 16, 24, 32, 40]
    assert sl == [0.45, 0.55, 0.45, 0.55, 0.45]
    assert np.median(pairs) == pytest.approx(0.5)
