"""Mocap → 33 landmarks in the project convention; backward trials move backward; truth."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from backpedal_dev.synth import truth
from backpedal_dev.synth.landmarks import load_mocap_motion, straight_segments

pytestmark = pytest.mark.shared_data

BACKWARD = [
    f"bandai_namco_ds1/dataset-1_walk-back_{s}_001.bvh"
    for s in (
        "active", "angry", "childish", "chimpira", "feminine", "happy", "masculinity",
        "musical", "normal", "not-confident",
    )
] + ["cmu/06_06.bvh"]  # fmt: skip
FORWARD = [
    "bandai_namco_ds1/dataset-1_walk_normal_001.bvh",
    "bandai_namco_ds2/dataset-2_run_normal_001.bvh",
    "cmu/08_01.bvh",
    "cmu/09_01.bvh",
]


@pytest.mark.parametrize("rel", BACKWARD)
def test_backward_trials_move_backward_along_minus_x(shared_data: Path, rel: str) -> None:
    m = load_mocap_motion(shared_data / "mocap" / rel)
    lm = m.landmarks_world
    hip = truth.mid(lm, 23, 24)
    fwd = truth.body_forward(lm)
    assert np.median(fwd[:, 0]) > 0.9  # faces +x
    assert hip[-1, 0] - hip[0, 0] < -0.8  # travels towards -x
    assert abs(hip[-1, 2] - hip[0, 2]) < 0.3  # along the x line
    v = truth.travel_along_facing(lm, m.times_s)
    assert np.mean(v < 0) > 0.9


@pytest.mark.parametrize("rel", FORWARD)
def test_forward_trials_move_forward(shared_data: Path, rel: str) -> None:
    m = load_mocap_motion(shared_data / "mocap" / rel)
    hip = truth.mid(m.landmarks_world, 23, 24)
    assert hip[-1, 0] - hip[0, 0] > 1.5
    assert np.median(truth.body_forward(m.landmarks_world)[:, 0]) > 0.9


def test_landmark_geometry_cmu(shared_data: Path) -> None:
    m = load_mocap_motion(shared_data / "mocap/cmu/06_06.bvh")
    lm = m.landmarks_world
    assert np.isfinite(lm).all()
    fwd = truth.body_forward(lm)
    for ankle, heel, toe in ((27, 29, 31), (28, 30, 32)):
        # heel behind and below the ankle, toe in front (along the foot)
        foot_dir = lm[:, toe] - lm[:, heel]
        assert np.median(np.sum((lm[:, heel] - lm[:, ankle]) * foot_dir, axis=1)) < 0
        assert np.median(lm[:, heel, 1] - lm[:, ankle, 1]) < -0.03
    ears = truth.mid(lm, 7, 8)
    assert np.median(np.sum((lm[:, 0] - ears) * fwd, axis=1)) > 0.05  # nose in front
    assert np.median(lm[:, 8, 2] - lm[:, 7, 2]) > 0.1  # right ear on +z when facing +x
    # feet on the levelled ground: stance heights within a few cm of y = 0
    low = np.minimum(lm[:, 29, 1], lm[:, 31, 1])
    assert abs(np.percentile(low, 2)) < 0.01
    # README: ~1.16 m/s backward, ~0.66 m steps
    assert m.metrics["speed_along_facing_m_s"] == pytest.approx(-1.16, abs=0.1)
    assert m.metrics["step_length_m"] == pytest.approx(0.66, abs=0.07)


def test_cmu_09_12_turn_and_direction_switch(shared_data: Path) -> None:
    m = load_mocap_motion(shared_data / "mocap/cmu/09_12.bvh")
    turns = truth.turn_onset_s(m.landmarks_world, m.times_s)
    assert len(turns) == 1
    turn = turns[0]
    assert abs(turn["turn_deg"]) == pytest.approx(145, abs=10)  # README: ~145 deg
    assert turn["peak_rate_deg_s"] == pytest.approx(164, abs=15)  # README: ~164 deg/s
    assert 9.5 < turn["onset_s"] < turn["mid_s"] < 11.0
    switches = truth.direction_switches(m.landmarks_world, m.times_s)
    back_to_fwd = [s for s in switches if s["from"] == "backward" and s["to"] == "forward"]
    assert len(back_to_fwd) == 1
    assert back_to_fwd[0]["time_s"] == pytest.approx(10.2, abs=0.3)  # README: t ~ 10.5 s
    assert any(s["from"] == "forward" and s["to"] == "backward" for s in switches)


def test_100style_straight_window(shared_data: Path) -> None:
    path = shared_data / "mocap/100style_geno_ai4animationpy/WalkingStickLeft_BR.npz"
    m = load_mocap_motion(path)
    segs = straight_segments(m.landmarks_world, m.times_s, min_duration_s=1.5)
    assert segs
    a, b = max(segs, key=lambda s: s[1] - s[0])
    cut = load_mocap_motion(path, window_s=(a, b), crop=True)
    hip = truth.mid(cut.landmarks_world, 23, 24)
    assert hip[-1, 0] - hip[0, 0] < -1.0
    assert abs(hip[-1, 2] - hip[0, 2]) < 0.5
    # README: ~170 steps/min, ~0.46 m steps
    assert cut.metrics["cadence_steps_per_s"] * 60 == pytest.approx(170, abs=15)
    assert cut.metrics["step_length_m"] == pytest.approx(0.46, abs=0.08)


def test_contacts_alternate_on_backward_walk(shared_data: Path) -> None:
    m = load_mocap_motion(shared_data / "mocap/bandai_namco_ds1/dataset-1_walk-back_active_001.bvh")
    tds = truth.touchdowns(m.contacts)
    assert len(tds) >= 10
    feet = [c.foot for c in tds]
    assert all(a != b for a, b in itertools.pairwise(feet))
    rows = truth.step_table(m.landmarks_world, m.times_s, m.contacts)
    lengths = [r["length_m"] for r in rows if np.isfinite(r["length_m"])]
    assert 0.4 < np.median(lengths) < 0.8
