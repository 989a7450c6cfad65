"""Body model of the parametric athlete: segment lengths, feet, legs (IK) and arms.

Used by ``backpedal_dev.synth.parametric`` (see there for the public API). Segment proportions
from METRICS §2 [S:39]: thigh 0.245 H, shank 0.246 H, ankle height 0.039 H, foot 0.152 H,
torso (mid-hip to mid-shoulder) 0.288 H, shoulder width 0.259 H, upper arm 0.186 H,
forearm 0.146 H; hip-joint width 0.12 H and ear height above the shoulders 0.10 H are
engineering choices.

API
---
``Body(height_m)``                                  segment lengths (attributes, metres).
``Contact``                                         one planned foot contact.
``foot_shape``, ``sole_pitch_for``                  foot points for a sole pitch / yaw.
``foot_trajectory(body, contacts, t, *, clearance_m)``  planted stance + min-jerk swing.
``knee_ik(hip, ankle, knee_dir, thigh, shank)``     two-link inverse kinematics.
``relax_overreach(body, foot, hip)``                heel raise / foot pull when out of reach.
``arm_angles``, ``arm_points``                      thigh-driven arm swing geometry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from backpedal_dev.synth.parametric import BackpedalParams

UP = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True)
class Body:
    """Segment lengths (metres) for a stature ``height_m`` (proportions [S:39])."""

    height_m: float

    def __getattr__(self, name: str) -> float:
        ratios = {
            "thigh": 0.245, "shank": 0.246, "ankle_h": 0.039, "foot": 0.152,
            "torso": 0.288, "shoulder_w": 0.259, "hip_w": 0.12, "upper_arm": 0.186,
            "forearm": 0.146, "neck_head": 0.10,
        }  # fmt: skip
        if name in ratios:
            return ratios[name] * self.height_m
        raise AttributeError(name)

    @property
    def leg(self) -> float:
        """Leg length L = thigh + shank."""
        return self.thigh + self.shank


@dataclass
class Contact:
    """One planned foot contact."""

    foot: str
    td: float
    to: float
    x: float = 0.0
    z: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    phase: str = "backpedal"
    reach: float = 0.0


def smoothstep(s: np.ndarray | float) -> np.ndarray:
    s = np.clip(s, 0.0, 1.0)
    return s * s * s * (10 - 15 * s + 6 * s * s)


def heading(yaw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward and right unit vectors (…, 3) for yaw angles (rad, 0 = +x, + = towards -z)."""
    c, s = np.cos(yaw), np.sin(yaw)
    z = np.zeros_like(c)
    return np.stack([c, z, -s], axis=-1), np.stack([s, z, c], axis=-1)


def foot_shape(body: Body, pitch: np.ndarray, yaw: np.ndarray, toe_flat: np.ndarray) -> dict:
    """Foot points relative to the ball of the foot for sole pitch/yaw (rad), (T, 3) each.

    ``toe_flat`` in [0, 1]: 1 keeps the toes flat on the ground (bent at the ball) instead of
    following the sole. Returned keys: ball, toe, heel, ankle.
    """
    fwd, _ = heading(yaw)
    cp, sp = np.cos(pitch)[:, None], np.sin(pitch)[:, None]
    d = cp * fwd - sp * UP  # heel -> toe direction of the sole
    n = sp * fwd + cp * UP  # sole normal
    f = body.foot
    w = np.asarray(toe_flat, float)[:, None]
    toe_dir = w * fwd + (1 - w) * d
    toe_up = w * UP + (1 - w) * n
    return {
        "ball": np.zeros_like(fwd),
        "toe": 0.27 * f * toe_dir + 0.01 * toe_up,
        "heel": -0.73 * f * d + 0.015 * n,
        "ankle": -0.51 * f * d + body.ankle_h * n,
    }


def sole_pitch_for(body: Body, measured_deg: float) -> float:
    """Sole pitch (rad) whose heel-toe landmark pitch (M9a, toes flat) is ``measured_deg``."""

    def measured(p: float) -> float:
        pts = foot_shape(body, np.array([p]), np.array([0.0]), np.array([1.0 if p > 0 else 0.0]))
        dv = pts["heel"][0] - pts["toe"][0]
        return float(np.degrees(np.arctan2(dv[1], abs(dv[0]))))

    lo, hi = np.radians(-30.0), np.radians(45.0)
    for _ in range(60):
        m = 0.5 * (lo + hi)
        lo, hi = (m, hi) if measured(m) < measured_deg else (lo, m)
    return 0.5 * (lo + hi)


def place_foot(body: Body, pitch, yaw, toe_flat, center_xz, lift) -> dict:
    """Foot points with the heel-toe mid-point at ``center_xz`` and lowest sole point at lift."""
    pts = foot_shape(body, pitch, yaw, toe_flat)
    centre = 0.5 * (pts["heel"] + pts["toe"])
    low = np.minimum(
        np.minimum(pts["ball"][:, 1], pts["heel"][:, 1] - 0.015), pts["toe"][:, 1] - 0.01
    )
    shift = np.stack(
        [center_xz[:, 0] - centre[:, 0], lift - low, center_xz[:, 1] - centre[:, 2]], 1
    )
    return {k: v + shift for k, v in pts.items()}


def minjerk(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u * u)


def foot_trajectory(
    body: Body,
    contacts: list[Contact],
    t: np.ndarray,
    *,
    clearance_m: float,
    swing_pitch_deg: float = 8.0,
) -> dict[str, np.ndarray]:
    """Foot points (T, 3) of one foot: planted in stance, minimum-jerk swing between contacts."""
    cs = sorted(contacts, key=lambda c: c.td)
    n = t.size
    centre = np.zeros((n, 2))
    lift, pitch, yaw, flat = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for i, c in enumerate(cs):
        flat_c = 1.0 if c.pitch > 0 else 0.0
        st = (t >= c.td) & (t < c.to) if i else t < c.to
        centre[st] = (c.x, c.z)
        pitch[st], yaw[st], flat[st] = c.pitch, c.yaw, flat_c
        if i + 1 >= len(cs):
            continue
        nx = cs[i + 1]
        sw = (t >= c.to) & (t < nx.td)
        u = (t[sw] - c.to) / (nx.td - c.to)
        m = minjerk(u)
        centre[sw] = np.column_stack([c.x + (nx.x - c.x) * m, c.z + (nx.z - c.z) * m])
        lift[sw] = clearance_m * 4 * u * (1 - u)
        pitch[sw] = (
            c.pitch + (nx.pitch - c.pitch) * m + np.radians(swing_pitch_deg) * np.sin(np.pi * u)
        )
        yaw[sw] = c.yaw + (nx.yaw - c.yaw) * m
        flat_n = 1.0 if nx.pitch > 0 else 0.0
        flat[sw] = flat_c * (1 - smoothstep(u / 0.25)) + flat_n * smoothstep((u - 0.75) / 0.25)
    last = cs[-1]
    tail = t >= last.td
    centre[tail] = (last.x, last.z)
    pitch[tail], yaw[tail] = last.pitch, last.yaw
    flat[tail] = 1.0 if last.pitch > 0 else 0.0
    out = place_foot(body, pitch, yaw, flat, centre, lift)
    out.update(pitch=pitch, yaw=yaw)
    return out


def relax_overreach(
    body: Body, foot: dict[str, np.ndarray], hip: np.ndarray, *, margin: float = 0.998
) -> dict[str, np.ndarray]:
    """Keep the ankle within ``margin`` × leg length of the hip joint.

    Where a knob combination puts the ankle out of reach (high hips, long stance, strong
    lean), the heel is raised about the planted ball of the foot (what a real foot does
    before toe-off), up to 75°; if that is not enough (or the foot is pivoting on its heel)
    the whole foot is moved towards the hip. Returns a new dict (same keys).
    """
    reach = margin * body.leg
    dist = np.linalg.norm(hip - foot["ankle"], axis=1)
    bad = np.flatnonzero(dist > reach)
    if bad.size == 0:
        return foot
    out = {k: v.copy() for k, v in foot.items()}
    for i in bad:
        yaw = np.array([foot["yaw"][i]])

        def pts_at(p: float, yaw: np.ndarray = yaw) -> dict[str, np.ndarray]:
            return foot_shape(body, np.array([p]), yaw, np.array([1.0]))

        def ok(p: float, i: int = int(i)) -> bool:
            return bool(np.linalg.norm(hip[i] - foot["ball"][i] - pts_at(p)["ankle"][0]) <= reach)

        lo, hi = float(foot["pitch"][i]), np.radians(75.0)
        if lo > 0 and ok(hi):
            for _ in range(30):
                mid_p = 0.5 * (lo + hi)
                lo, hi = (lo, mid_p) if ok(mid_p) else (mid_p, hi)
            new = pts_at(hi)
            for key in ("ankle", "heel", "toe"):
                out[key][i] = foot["ball"][i] + new[key][0]
            out["pitch"][i] = hi
        d = hip[i] - out["ankle"][i]
        excess = np.linalg.norm(d) - reach
        if excess > 0:
            for key in ("ankle", "heel", "toe", "ball"):
                out[key][i] = out[key][i] + excess * d / np.linalg.norm(d)
    return out


def knee_ik(
    hip: np.ndarray, ankle: np.ndarray, knee_dir: np.ndarray, thigh: float, shank: float
) -> tuple[np.ndarray, float]:
    """Knee (T, 3) from two-link IK bending towards ``knee_dir``; also the max overreach (m)."""
    d = ankle - hip
    dist = np.linalg.norm(d, axis=1)
    u = d / dist[:, None]
    reach = thigh + shank
    over = float(np.max(dist - reach * 0.9995, initial=0.0))
    dc = np.clip(dist, abs(thigh - shank) + 1e-6, reach * 0.9995)
    cos_a = (thigh**2 + dc**2 - shank**2) / (2 * thigh * dc)
    a = np.arccos(np.clip(cos_a, -1, 1))
    kp = knee_dir - np.sum(knee_dir * u, axis=1, keepdims=True) * u
    kp /= np.linalg.norm(kp, axis=1, keepdims=True)
    return hip + thigh * (np.cos(a)[:, None] * u + np.sin(a)[:, None] * kp), max(over, 0.0)


def arm_angles(
    p: BackpedalParams, beta: np.ndarray, t: np.ndarray, p1: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Shoulder flexion α (deg) driven by the thigh angle β (deg) of the same side."""
    mean = 25.0 if p.hands_at_chest else p.arm_mean_deg
    b1 = beta[p1]
    amp_b = float(np.percentile(b1, 95) - np.percentile(b1, 5)) if b1.size else 1.0
    k = p.arm_swing_deg / max(amp_b, 1e-6)
    omega = np.pi * p.cadence_steps_per_s
    dbeta = np.gradient(beta, t)
    ph = np.radians(p.arm_leg_phase_deg)
    alpha = mean + k * (np.cos(ph) * (beta - np.mean(b1)) + np.sin(ph) * dbeta / omega)
    a1 = alpha[p1]
    return alpha, float(np.percentile(a1, 5)), float(np.percentile(a1, 95))


def arm_points(
    p: BackpedalParams,
    body: Body,
    side: str,
    shoulder: np.ndarray,
    frame: dict,
    alpha_deg: np.ndarray,
    lo: float,
    hi: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Elbow and wrist (T, 3) for shoulder flexion α, elbow flexion and mid-line crossing."""
    s = 1.0 if side == "right" else -1.0
    t_up, t_fwd, right = frame["up"], frame["fwd"], frame["right"]
    a = np.radians(alpha_deg)[:, None]
    if p.hands_at_chest:
        g, cross = np.ones(len(a)), -0.08
    else:
        g, cross = smoothstep((alpha_deg - lo) / max(hi - lo, 1e-6)), p.arm_cross_m
    sag = np.cos(a) * (-t_up) + np.sin(a) * t_fwd
    lat0 = np.sum((shoulder - frame["mid_shoulder"]) * right, axis=1) * s + 0.12 * body.upper_arm
    # medial shift beyond what the forearm can give comes from adducting the upper arm
    adduct = np.clip((lat0 + cross - 0.6 * body.forearm) / body.upper_arm, 0.0, 0.8) * g
    u = sag + (0.12 - adduct)[:, None] * s * right
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    elbow = shoulder + body.upper_arm * u
    theta = np.radians(145.0 if p.hands_at_chest else p.elbow_flexion_deg)
    w0 = np.cos(a + theta) * (-t_up) + np.sin(a + theta) * t_fwd
    lat_e = np.sum((elbow - frame["mid_shoulder"]) * right, axis=1) * s
    need = np.clip((lat_e + cross) * g / body.forearm, 0.0, 0.97)
    gam = np.arcsin(need)[:, None]
    w = np.cos(gam) * w0 - np.sin(gam) * s * right
    return elbow, elbow + body.forearm * w
