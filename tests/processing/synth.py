"""Synthetic side-view stick figures with known truth, for the processing tests.

A figure walks/backpedals along the image x-axis: hip centre at constant speed with a small
vertical bob, legs as two-link chains driven by sinusoids in opposite phase (so they cross
twice per stride), arms swinging against the legs, a head. Left landmarks sit slightly
in front of/above the right ones so the two sides are distinguishable.
"""

from __future__ import annotations

import numpy as np

from analyzer.pose.multi import MultiPoseTrack
from analyzer.pose.track import PoseTrack
from analyzer.skeleton import INDEX, LEFT_LEG, MIRROR, N_LANDMARKS, RIGHT_LEG


def _chain(origin: np.ndarray, angle: np.ndarray, length: float) -> np.ndarray:
    """Point ``length`` from ``origin`` at ``angle`` from straight down (image, y down)."""
    return origin + length * np.stack([np.sin(angle), np.cos(angle)], axis=-1)


def figure_xy(
    times_s: np.ndarray,
    *,
    leg_px: float = 200.0,
    start_xy: tuple[float, float] = (1500.0, 500.0),
    speed_px_s: float = -300.0,
    stride_hz: float = 1.0,
    hip_amp_rad: float = 0.45,
    jump_px: float = 0.0,
    jump_hz: float = 1.2,
    arm_amp_rad: float = 0.5,
    arms_up: bool = False,
) -> np.ndarray:
    """(T, 33, 2) pixel landmarks of the figure at ``times_s``."""
    t = np.asarray(times_s, dtype=float)
    L = leg_px
    w = 2 * np.pi * stride_hz * t
    hip = np.stack(
        [start_xy[0] + speed_px_s * t,
         start_xy[1] + 0.02 * L * np.sin(2 * w) - jump_px * np.abs(np.sin(np.pi * jump_hz * t))],
        axis=-1,
    )  # fmt: skip
    xy = np.full((t.size, N_LANDMARKS, 2), np.nan)
    side_off = {"left": np.array([0.03 * L, -0.01 * L]), "right": np.array([-0.03 * L, 0.01 * L])}
    for side, phase in (("left", 0.0), ("right", np.pi)):
        o = side_off[side]
        h = hip + o
        th = hip_amp_rad * np.sin(w + phase)
        knee_flex = 0.3 + 0.5 * (1 + np.sin(w + phase + np.pi / 2)) / 2
        k = _chain(h, th, 0.5 * L)
        a = _chain(k, th - knee_flex, 0.5 * L)
        sh = hip + o + np.array([0.05 * L, -0.6 * L])
        arm = np.full_like(th, np.pi) if arms_up else -arm_amp_rad * np.sin(w + phase)
        el = _chain(sh, arm, 0.33 * L)
        wr = _chain(el, arm + (0.0 if arms_up else 0.9), 0.3 * L)
        pts = {
            "hip": h, "knee": k, "ankle": a,
            "heel": a + np.array([-0.06 * L, 0.07 * L]),
            "foot_index": a + np.array([0.22 * L, 0.1 * L]),
            "shoulder": sh, "elbow": el, "wrist": wr,
            "pinky": wr + np.array([0.04 * L, 0.05 * L]),
            "index": wr + np.array([0.06 * L, 0.04 * L]),
            "thumb": wr + np.array([0.05 * L, 0.01 * L]),
            "ear": sh + np.array([-0.02 * L, -0.28 * L]),
            "eye": sh + np.array([0.08 * L, -0.32 * L]),
            "eye_inner": sh + np.array([0.09 * L, -0.32 * L]),
            "eye_outer": sh + np.array([0.06 * L, -0.32 * L]),
        }  # fmt: skip
        for name, p in pts.items():
            xy[:, INDEX[f"{side}_{name}"]] = p
        mouth = sh + np.array([0.09 * L, -0.22 * L])
        xy[:, INDEX[f"mouth_{side}"]] = mouth
    eyes = np.nanmean(xy[:, [INDEX["left_eye"], INDEX["right_eye"]]], axis=1)
    xy[:, INDEX["nose"]] = eyes + np.array([0.04 * L, 0.04 * L])
    return xy


def world_from_image(xy: np.ndarray, leg_px: float) -> np.ndarray:
    """Hip-centred pseudo world landmarks in metres (x right, y down, z: right side +0.1)."""
    hip = xy[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=1, keepdims=True)
    w = np.zeros((*xy.shape[:2], 3))
    w[..., :2] = (xy - hip) / leg_px * 0.9
    for i in range(N_LANDMARKS):
        if MIRROR[i] != i:
            w[:, i, 2] = 0.1 if "right" in _name(i) else -0.1
    return w


def _name(i: int) -> str:
    return next(k for k, v in INDEX.items() if v == i)


def make_track(times_s: np.ndarray, *, leg_px: float = 200.0, **kw: float) -> PoseTrack:
    """A clean PoseTrack of the synthetic figure (visibility 0.95, world landmarks)."""
    xy = figure_xy(times_s, leg_px=leg_px, **kw)
    return PoseTrack(
        times_s=np.asarray(times_s, dtype=float),
        image_xy=xy.astype(np.float32),
        visibility=np.full(xy.shape[:2], 0.95, dtype=np.float32),
        image_size=(1920, 1080),
        world_xyz=world_from_image(xy, leg_px).astype(np.float32),
        model="synthetic",
    )


def swap_legs(xy: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Copy of ``xy`` with the legs' left/right labels exchanged on ``frames``."""
    out = np.array(xy, copy=True)
    for fr in np.atleast_1d(frames):
        out[fr, list(LEFT_LEG)], out[fr, list(RIGHT_LEG)] = (
            xy[fr, list(RIGHT_LEG)],
            xy[fr, list(LEFT_LEG)],
        )
    return out


def flip_skeleton(xy: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Copy of ``xy`` with every left/right pair exchanged on ``frames``."""
    out = np.array(xy, copy=True)
    fr = np.atleast_1d(frames)
    out[fr] = xy[fr][:, list(MIRROR)]
    return out


def crossing_frames(xy: np.ndarray) -> np.ndarray:
    """Frames where the two ankles' x order changes (the legs cross)."""
    d = xy[:, INDEX["left_ankle"], 0] - xy[:, INDEX["right_ankle"], 0]
    return np.flatnonzero(np.sign(d[1:]) != np.sign(d[:-1])) + 1


def multi_track(
    people: list[np.ndarray],
    times_s: np.ndarray,
    *,
    rng: np.random.Generator,
    n_slots: int | None = None,
    drop: float = 0.0,
) -> MultiPoseTrack:
    """Put each person's (T, 33, 2) landmarks in randomly shuffled slots per frame.

    ``drop`` is the probability that a person is missing from a frame.
    """
    t_n = times_s.size
    p_n = n_slots or len(people)
    xy = np.full((t_n, p_n, N_LANDMARKS, 2), np.nan, dtype=np.float32)
    vis = np.zeros((t_n, p_n, N_LANDMARKS), dtype=np.float32)
    for t in range(t_n):
        slots = rng.permutation(p_n)
        for person, slot in zip(people, slots, strict=False):
            if np.all(np.isnan(person[t])) or rng.random() < drop:
                continue
            xy[t, slot] = person[t]
            vis[t, slot] = 0.9
    world = np.where(np.isnan(xy[..., :1]), np.nan, 0.0).repeat(3, axis=-1).astype(np.float32)
    return MultiPoseTrack(
        times_s=np.asarray(times_s, dtype=float),
        image_xy=xy,
        visibility=vis,
        image_size=(1920, 1080),
        world_xyz=world,
        model="synthetic",
    )
