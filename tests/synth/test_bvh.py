"""BVH reader and forward kinematics: a hand-made file with a known answer, then real mocap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backpedal_dev.synth.bvh import axis_rotation, forward_kinematics, read_bvh
from backpedal_dev.synth.mocap import load_100style, load_bandai, load_cmu

TINY = """HIERARCHY
ROOT Hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Leg
  {
    OFFSET 0 -10 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 -10 0
    }
  }
  JOINT Spine
  {
    OFFSET 0 5 0
    CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 5 0
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.0333333
1 100 0  0 0 0  0 0 0  0 7 0  0 0 0
1 100 0  90 0 0  0 90 0  0 7 0  0 0 0
"""


def _tiny(tmp_path: Path):
    path = tmp_path / "tiny.bvh"
    path.write_text(TINY)
    return read_bvh(path)


def test_tiny_bvh_hierarchy_and_frames(tmp_path: Path) -> None:
    m = _tiny(tmp_path)
    assert m.names == ("Hips", "Leg", "Leg_End", "Spine", "Spine_End")
    assert m.parents.tolist() == [-1, 0, 1, 0, 3]
    assert m.n_frames == 2
    assert m.fps == pytest.approx(30.0, rel=1e-4)
    assert m.channels[1] == ("Zrotation", "Xrotation", "Yrotation")


def test_tiny_forward_kinematics_known_answer(tmp_path: Path) -> None:
    fk = forward_kinematics(_tiny(tmp_path), unit_m=0.01)
    p = fk.positions
    # frame 0: identity rotations; Spine's position channels (0, 7, 0) replace its OFFSET
    np.testing.assert_allclose(p[0, 0], [0.01, 1.0, 0.0])
    np.testing.assert_allclose(p[0, 2], [0.01, 0.8, 0.0])
    np.testing.assert_allclose(p[0, 3], [0.01, 1.07, 0.0])
    # frame 1: root rotated 90 deg about z: the leg (0, -10, 0) points to +x
    # (Rz(90) @ (0, -1, 0) = (1, 0, 0)); the leg's own Xrotation 90 turns its child first
    r_root = axis_rotation("Z", np.array(90.0))
    r_leg = axis_rotation("X", np.array(90.0))
    knee = np.array([0.01, 1.0, 0]) + r_root @ np.array([0, -0.1, 0])
    foot = knee + r_root @ r_leg @ np.array([0, -0.1, 0])
    np.testing.assert_allclose(p[1, 1], knee, atol=1e-12)
    np.testing.assert_allclose(p[1, 2], foot, atol=1e-12)


def test_channel_order_is_respected() -> None:
    z, x = axis_rotation("Z", np.array(30.0)), axis_rotation("X", np.array(60.0))
    assert not np.allclose(z @ x, x @ z)
    np.testing.assert_allclose(
        axis_rotation("Y", np.array(90.0)) @ [1, 0, 0], [0, 0, -1], atol=1e-12
    )


def _bone_lengths(positions: np.ndarray, parents: np.ndarray) -> np.ndarray:
    child = np.flatnonzero(parents >= 0)
    return np.linalg.norm(positions[:, child] - positions[:, parents[child]], axis=-1)


@pytest.mark.shared_data
def test_cmu_frames_rate_and_rigid_bones(shared_data: Path) -> None:
    clip = load_cmu(shared_data / "mocap/cmu/09_12.bvh")
    assert clip.positions.shape[0] == 1918  # 1919 frames minus the T-pose
    assert clip.fps == pytest.approx(120.0, rel=1e-3)
    lengths = _bone_lengths(clip.positions, clip.parents)
    assert np.max(np.ptp(lengths, axis=0)) < 1e-9
    # leg length (thigh + shank) in metres is human-sized with the 0.05644 m unit
    thigh = np.linalg.norm(clip.joint("LeftUpLeg") - clip.joint("LeftLeg"), axis=1)[0]
    shank = np.linalg.norm(clip.joint("LeftLeg") - clip.joint("LeftFoot"), axis=1)[0]
    assert 0.75 < thigh + shank < 0.95


@pytest.mark.shared_data
def test_bandai_rate_units_and_rigid_bones(shared_data: Path) -> None:
    clip = load_bandai(shared_data / "mocap/bandai_namco_ds1/dataset-1_walk-back_normal_001.bvh")
    assert clip.positions.shape[0] == 31
    assert clip.fps == pytest.approx(30.0, rel=1e-3)
    # joint_Root -> Hips is the moving root translation, not a bone: skip it
    lengths = _bone_lengths(clip.positions, clip.parents)[:, 1:]
    assert np.max(np.ptp(lengths, axis=0)) < 1e-6
    leg = np.linalg.norm(clip.joint("UpperLeg_L") - clip.joint("LowerLeg_L"), axis=1)[0]
    leg += np.linalg.norm(clip.joint("LowerLeg_L") - clip.joint("Foot_L"), axis=1)[0]
    assert leg == pytest.approx(0.80, abs=0.02)  # README: actors scaled to leg ~0.80 m
    # y up: feet near the floor, head well above
    assert clip.joint("Toes_L_End")[:, 1].min() < 0.1
    assert clip.joint("Head")[:, 1].min() > 1.3


@pytest.mark.shared_data
def test_100style_npz_without_pickle(shared_data: Path) -> None:
    clip = load_100style(shared_data / "mocap/100style_geno_ai4animationpy/WalkingStickLeft_BR.npz")
    assert clip.positions.shape[1:] == (23, 3)
    assert clip.fps == pytest.approx(60.0, rel=1e-3)
    # global quaternions: child offsets constant in the parent's rotated frame
    r = clip.rotations
    par = clip.parents
    c = 2  # LeftLeg, parent LeftUpLeg
    local = np.einsum("tji,tj->ti", r[:, par[c]], clip.positions[:, c] - clip.positions[:, par[c]])
    assert np.max(np.std(local, axis=0)) < 1e-3  # (w, x, y, z) order would give ~0.1 m
