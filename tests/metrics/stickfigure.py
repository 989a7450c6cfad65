"""A small 3D stick-figure gait generator with known contacts and angles, for unit tests.

World frame as in ``backpedal_dev.synth``: metres, x along the backpedal line, y up, z lateral;
facing +x, the athlete's right side at +z. The figure stands still for ``ready_s``, then
travels at ``speed_m_per_s`` along ``travel`` (-1 = backward towards -x), optionally turns
its body by ``turn_deg`` at ``turn_at_s`` over ``turn_s`` (a hip flip that keeps the travel
direction) and may change speed after the turn. Feet are placed exactly; knee angles follow
from two-link inverse kinematics, so every metric has a known answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyzer import skeleton as sk
from analyzer.pose.track import PoseTrack
from backpedal_dev.synth.camera import Camera, side_camera

THIGH = SHANK = 0.4
ANKLE_H = 0.065


@dataclass(frozen=True)
class Gait:
    """Knobs of the stick figure (SI units, degrees)."""

    fps: float = 60.0
    duration_s: float = 4.0
    ready_s: float = 0.6
    speed_m_per_s: float = 2.0
    travel: int = -1
    cadence_steps_per_s: float = 3.5
    duty: float = 0.55
    hip_height_m: float = 0.70
    trunk_lean_deg: float = 25.0
    torso_m: float = 0.50
    arm_amp_deg: float = 30.0
    clearance_m: float = 0.08
    foot_half_width_m: float = 0.10
    turn_at_s: float | None = None
    turn_s: float = 0.3
    turn_deg: float = 180.0
    speed_after_turn_m_per_s: float | None = None
    reverse_at_s: float | None = None


@dataclass
class Truth:
    """Ground truth of a generated clip."""

    touchdowns: dict[str, list[float]]
    toe_offs: dict[str, list[float]]
    knee_flexion_deg: np.ndarray
    world: np.ndarray
    leg_m: float = THIGH + SHANK
    height_m: float = (THIGH + SHANK) / 0.491


def _yaw(g: Gait, t: np.ndarray) -> np.ndarray:
    if g.turn_at_s is None:
        return np.zeros_like(t)
    u = np.clip((t - g.turn_at_s) / g.turn_s, 0, 1)
    return np.radians(g.turn_deg) * (0.5 - 0.5 * np.cos(np.pi * u))


def _velocity(g: Gait, t: np.ndarray) -> np.ndarray:
    v = np.where(t >= g.ready_s, g.travel * g.speed_m_per_s, 0.0)
    ramp = np.clip((t - g.ready_s) / 0.15, 0, 1)
    v = v * ramp
    if g.turn_at_s is not None and g.speed_after_turn_m_per_s is not None:
        v = np.where(t >= g.turn_at_s + g.turn_s, g.travel * g.speed_after_turn_m_per_s, v)
    if g.reverse_at_s is not None:
        k = np.clip((t - g.reverse_at_s) / 0.3, 0, 1)
        v = v * (1 - 2 * k)
    return v


def generate(g: Gait) -> tuple[np.ndarray, np.ndarray, Truth]:
    """(times, world landmarks (T, 33, 3) y up, truth)."""
    t = np.arange(round(g.duration_s * g.fps)) / g.fps
    v = _velocity(g, t)
    hx = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) / g.fps)])
    yaw = _yaw(g, t)
    fwd = np.stack([np.cos(yaw), np.zeros_like(yaw), -np.sin(yaw)], 1)  # facing vector
    lat = np.stack([np.sin(yaw), np.zeros_like(yaw), np.cos(yaw)], 1)  # right side
    ts = 1.0 / g.cadence_steps_per_s
    tst = 2 * ts
    first_td = g.ready_s + (1 - g.duty) * tst
    feet = np.zeros((2, t.size, 3))
    tds: dict[str, list[float]] = {"left": [], "right": []}
    tos: dict[str, list[float]] = {"left": [], "right": []}
    hip = np.stack([hx, np.full_like(hx, g.hip_height_m), np.zeros_like(hx)], 1)
    for k, name in enumerate(("left", "right")):
        side = -1 if k == 0 else 1
        td_times = np.arange(first_td + k * ts, g.duration_s + tst, tst)
        # stance position: hip(TD) + e_t * reach, reach = half the stance travel
        pos_prev = hip[0] + side * g.foot_half_width_m * lat[0] + (0.05 if k else -0.05) * fwd[0]
        pos_prev[1] = ANKLE_H
        t_prev_end = -1.0
        for td in td_times:
            to_prev = td - (1 - g.duty) * tst
            i = min(round(td * g.fps), t.size - 1)
            vtd = v[i]
            e = np.sign(vtd) if abs(vtd) > 1e-6 else g.travel
            reach = 0.5 * abs(vtd) * g.duty * tst
            pos = hip[i] + e * reach * np.array([1.0, 0, 0]) + side * g.foot_half_width_m * lat[i]
            pos[1] = ANKLE_H
            if td < g.duration_s:
                tds[name].append(float(td))
            if to_prev > 0 and to_prev < g.duration_s:
                tos[name].append(float(to_prev))
            m_st = (t > t_prev_end) & (t <= to_prev)
            feet[k, m_st] = pos_prev
            m_sw = (t > to_prev) & (t <= td)
            u = (t[m_sw] - to_prev) / (td - to_prev)
            w = 0.5 - 0.5 * np.cos(np.pi * u)
            feet[k, m_sw] = pos_prev + w[:, None] * (pos - pos_prev)
            feet[k, m_sw, 1] += g.clearance_m * np.sin(np.pi * u)
            pos_prev, t_prev_end = pos, td
        feet[k, t > t_prev_end] = pos_prev
    world, knee = _assemble(g, t, hip, fwd, lat, feet)
    return t, world, Truth(tds, tos, knee, world)


def _assemble(g, t, hip, fwd, lat, feet):
    n = t.size
    lm = np.zeros((n, 33, 3))
    up = np.array([0.0, 1.0, 0.0])
    lean = np.radians(g.trunk_lean_deg)
    trunk_dir = np.cos(lean) * up + np.sin(lean) * fwd
    sh = hip + g.torso_m * trunk_dir
    knees = np.zeros((n,))
    for k in (0, 1):
        side = -1 if k == 0 else 1
        h = hip + side * 0.10 * lat
        a = feet[k]
        d = a - h
        dist = np.clip(np.linalg.norm(d, axis=1), 1e-6, THIGH + SHANK - 1e-4)
        dn = d / np.linalg.norm(d, axis=1, keepdims=True)
        # knee bends forward: offset from the hip-ankle line along the facing direction
        perp = fwd - np.sum(fwd * dn, 1, keepdims=True) * dn
        perp /= np.linalg.norm(perp, axis=1, keepdims=True)
        x = dist / 2
        hgt = np.sqrt(np.clip(THIGH**2 - x**2, 0, None))
        kn = h + dn * x[:, None] + perp * hgt[:, None]
        inner = np.degrees(2 * np.arcsin(np.clip(x / THIGH, 0, 1)))
        knees = 180 - inner if k == 0 else np.stack([knees, 180 - inner], 1)
        hip_i, knee_i, ank_i, heel_i, toe_i = sk.LEFT_LEG if k == 0 else sk.RIGHT_LEG
        lm[:, hip_i], lm[:, knee_i], lm[:, ank_i] = h, kn, a
        lm[:, heel_i] = a - 0.05 * fwd - np.array([0, 0.055, 0])
        lm[:, toe_i] = a + 0.17 * fwd - np.array([0, 0.06, 0])
    stride_hz = g.cadence_steps_per_s / 2
    for k in (0, 1):
        side = -1 if k == 0 else 1
        s_i, e_i, w_i = (
            (sk.LEFT_SHOULDER, sk.LEFT_ELBOW, sk.LEFT_WRIST)
            if k == 0
            else (sk.RIGHT_SHOULDER, sk.RIGHT_ELBOW, sk.RIGHT_WRIST)
        )
        s = sh + side * 0.21 * lat
        # left arm swings in phase with the right leg (anti-phase with its own leg)
        ph = 2 * np.pi * stride_hz * (t - g.ready_s) + (0 if k == 0 else np.pi)
        alpha = np.radians(g.arm_amp_deg) * np.sin(ph) * (t > g.ready_s)
        down = -trunk_dir
        upper = np.cos(alpha)[:, None] * down + np.sin(alpha)[:, None] * fwd
        el = s + 0.3 * upper
        fore = np.cos(alpha + np.pi / 2)[:, None] * down + np.sin(alpha + np.pi / 2)[:, None] * fwd
        lm[:, s_i], lm[:, e_i], lm[:, w_i] = s, el, el + 0.27 * fore
        for j in (17, 19, 21) if k == 0 else (18, 20, 22):
            lm[:, j] = lm[:, w_i] + 0.05 * fore
    head = sh + 0.2 * trunk_dir + 0.05 * fwd
    for i in range(11):
        lm[:, i] = head
    lm[:, sk.NOSE] = head + 0.1 * fwd
    lm[:, sk.LEFT_EAR] = head - 0.07 * lat - 0.01 * fwd
    lm[:, sk.RIGHT_EAR] = head + 0.07 * lat - 0.01 * fwd
    lm[:, sk.LEFT_EYE] = head + 0.08 * fwd - 0.03 * lat + 0.03 * up
    lm[:, sk.RIGHT_EYE] = head + 0.08 * fwd + 0.03 * lat + 0.03 * up
    lm[:, 9] = head + 0.09 * fwd - 0.02 * lat - 0.04 * up
    lm[:, 10] = head + 0.09 * fwd + 0.02 * lat - 0.04 * up
    return lm, knees


def to_track(
    times: np.ndarray,
    world: np.ndarray,
    camera: Camera | None = None,
    *,
    noise_px: float = 0.0,
    rng: np.random.Generator | None = None,
) -> PoseTrack:
    """Project world landmarks (y up) through ``camera`` into a PoseTrack with world landmarks
    in MediaPipe's convention (hip-centred, camera axes: x right, y down, z away)."""
    cam = camera or side_camera(side="left", center_x_m=float(np.mean(world[:, 23, 0])))
    xy = cam.project(world)
    if noise_px:
        xy = xy + (rng or np.random.default_rng(0)).normal(0, noise_px, xy.shape)
    hipc = 0.5 * (world[:, 23] + world[:, 24])
    wl = (world - hipc[:, None]) @ cam.rotation.T
    return PoseTrack(
        times_s=times.astype(np.float64), image_xy=xy.astype(np.float32),
        visibility=np.ones(xy.shape[:2], np.float32), image_size=(cam.width, cam.height),
        world_xyz=wl.astype(np.float32), model="stickfigure",
    )  # fmt: skip


def camera_for(world: np.ndarray, view: str = "left", *, distance_m: float = 9.0) -> Camera:
    """Side camera (``left``/``right``), ``front`` (on the line at +x, looking at -x) or a
    45-degree ``diagonal``, centred on the figure's path."""
    cx = float(np.mean(world[:, 23, 0]))
    if view in ("left", "right"):
        return side_camera(side=view, center_x_m=cx, distance_m=distance_m)
    if view == "front":
        x0 = float(np.max(world[:, 23, 0])) + distance_m
        return Camera(1280, 720, 1000.0, (x0, 1.2, 0.0), (cx, 0.8, 0.0))
    d = distance_m / np.sqrt(2)
    return Camera(1280, 720, 1000.0, (cx + d, 1.0, -d), (cx, 1.0, 0.0))
