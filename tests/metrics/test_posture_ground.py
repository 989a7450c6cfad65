"""Ground line for the hip height ratio (METRICS §3.3 step 8, M1): one point per stance at
the foot's lowest moment, not every stance frame (the partly lifted foot of touchdown and
toe-off would lift the line), checked on a synthetic foot trace with a known ground and on a
projected parametric athlete standing too tall (M1 > 0.95)."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer import skeleton as sk
from analyzer.events.ground import fit_ground_line, lowest_foot_xy, stance_envelope_points
from analyzer.motion import analyze_motion
from backpedal_dev.synth.clips import camera_for_view
from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal
from backpedal_dev.synth.projection import project_to_track

GROUND_Y = 500.0


def _feet(n_steps: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks (T, 33, 2) whose heel/toe touch y = 500 only in mid-stance (3 of 8 stance
    frames); the other stance frames are 3-8 px above (rolling on and off the ground)."""
    stance_profile = np.array([8.0, 5.0, 3.0, 0.0, 0.0, 0.0, 3.0, 6.0])  # px above ground
    swing = np.array([20.0, 40.0, 40.0, 20.0])
    cycle = np.r_[stance_profile, swing]
    n = n_steps * cycle.size
    p = np.full((n, 33, 2), np.nan)
    stance = np.zeros((n, 2), bool)
    feet = ((sk.LEFT_HEEL, sk.LEFT_TOE), (sk.RIGHT_HEEL, sk.RIGHT_TOE))
    for side, (heel, toe) in enumerate(feet):
        lift = np.roll(np.tile(cycle, n_steps), side * cycle.size // 2)
        on = np.roll(np.tile(np.r_[np.ones(8, bool), np.zeros(4, bool)], n_steps),
                     side * cycle.size // 2)  # fmt: skip
        x = 100.0 + 5.0 * np.arange(n)  # the athlete travels along the line
        p[:, toe] = np.stack([x, GROUND_Y - lift], axis=1)
        p[:, heel] = np.stack([x - 30.0, GROUND_Y - lift - 10.0], axis=1)
        stance[:, side] = on
    return p, stance


def test_envelope_points_sit_on_the_ground() -> None:
    p, stance = _feet()
    pts = stance_envelope_points(p, stance, 30.0)
    assert pts.shape[0] >= 14
    g = fit_ground_line(pts, inlier_tol_px=10.0, min_x_spread_px=50.0)
    assert g.y_at(300.0) == pytest.approx(GROUND_Y, abs=1.0)
    # every stance frame would put the line ~2 px above the ground
    every = np.concatenate([lowest_foot_xy(p, s)[stance[:, s]] for s in (0, 1)])
    g_all = fit_ground_line(every, inlier_tol_px=10.0, min_x_spread_px=50.0)
    assert GROUND_Y - g_all.y_at(300.0) > 1.5


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_standing_tall_reads_above_the_fault_limit(view: str) -> None:
    p = BackpedalParams.with_fault("standing_tall", fps=30.0, backpedal_steps=6, sprint_steps=3)
    motion = generate_backpedal(p)
    cam = camera_for_view(view, motion.landmarks_world)
    track = project_to_track(motion.landmarks_world, motion.times_s, cam)
    ma = analyze_motion(track, athlete_height_m=p.height_m)
    hhr = ma.metrics["hip_height_ratio"].value
    assert motion.metrics["hip_height_ratio"] == pytest.approx(0.985, abs=0.005)
    # perspective (the camera-side leg is nearer than the hips) costs ~0.015
    assert hhr is not None and 0.95 < hhr <= motion.metrics["hip_height_ratio"] + 0.01
