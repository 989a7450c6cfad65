"""Motion-capture joints → the 33 BlazePose landmarks, re-oriented to the project convention.

API
---
``JOINT_MAPS``                          per source ("cmu", "bandai", "100style") joint names.
``clip_landmarks(clip) -> (T, 33, 3)``  landmarks in the clip's own axes (metres, y up).
``reorient(lm, times_s, *, window_s=None) -> (lm, info)``
    Ground at y = 0, backpedal line along x at z = 0, athlete facing +x (so backward travel
    goes to -x). The line is the principal axis of the horizontal hip path (in ``window_s``
    when given); its sign is chosen so the athlete faces +x in the frames where they travel
    backward (all moving frames if none).
``motion_from_mocap(clip, *, window_s=None) -> SyntheticMotion``
    Landmarks + true contacts (from ``truth.true_contacts``) + basic true metrics.
``load_mocap_motion(path, **kw)``       ``mocap.load_mocap`` then ``motion_from_mocap``.
``straight_segments(lm, times_s, ...)`` windows of steady straight backward (or forward) travel.

Landmark model (anthropometry from METRICS §2 [S:39], stature ``H ≈ L / 0.491``): hips,
knees, ankles, shoulders, elbows and wrists are the matching joint centres; the toe (foot
index) is the toe end site, or the ball of the foot extended forward by 40 % of ankle→ball
(horizontal part) when the skeleton has no toe tip; the heel sits 0.03 H behind and
(ankle height − 1 cm) below the ankle in the sole frame; the hand points (pinky, index,
thumb) lie around the distal palm; the face points (nose, eyes, ears, mouth) are fixed
offsets in a head frame whose orientation comes from the head joint's global rotation
(calibrated once per clip against the body's forward and up directions, so the head's own
yaw and pitch relative to the trunk are kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from backpedal_dev.synth import truth
from backpedal_dev.synth.mocap import MocapClip, load_mocap


@dataclass(frozen=True)
class JointMap:
    """Names of the joints used per side (format with ``{L}``/``{R}`` style side tokens)."""

    hip: tuple[str, str]
    knee: tuple[str, str]
    ankle: tuple[str, str]
    ball: tuple[str, str]
    toe: tuple[str, str] | None
    shoulder: tuple[str, str]
    elbow: tuple[str, str]
    wrist: tuple[str, str]
    hand_end: tuple[str, str] | None
    neck: str
    head: str
    head_top: str | None


JOINT_MAPS: dict[str, JointMap] = {
    "cmu": JointMap(
        hip=("LeftUpLeg", "RightUpLeg"),
        knee=("LeftLeg", "RightLeg"),
        ankle=("LeftFoot", "RightFoot"),
        ball=("LeftToeBase", "RightToeBase"),
        toe=("LeftToeBase_End", "RightToeBase_End"),
        shoulder=("LeftArm", "RightArm"),
        elbow=("LeftForeArm", "RightForeArm"),
        wrist=("LeftHand", "RightHand"),
        hand_end=("LeftHandIndex1_End", "RightHandIndex1_End"),
        neck="Neck1",
        head="Head",
        head_top="Head_End",
    ),
    "bandai": JointMap(
        hip=("UpperLeg_L", "UpperLeg_R"),
        knee=("LowerLeg_L", "LowerLeg_R"),
        ankle=("Foot_L", "Foot_R"),
        ball=("Toes_L", "Toes_R"),
        toe=("Toes_L_End", "Toes_R_End"),
        shoulder=("UpperArm_L", "UpperArm_R"),
        elbow=("LowerArm_L", "LowerArm_R"),
        wrist=("Hand_L", "Hand_R"),
        hand_end=("Hand_L_End", "Hand_R_End"),
        neck="Neck",
        head="Head",
        head_top="Head_End",
    ),
    "100style": JointMap(
        hip=("LeftUpLeg", "RightUpLeg"),
        knee=("LeftLeg", "RightLeg"),
        ankle=("LeftFoot", "RightFoot"),
        ball=("LeftToeBase", "RightToeBase"),
        toe=None,
        shoulder=("LeftArm", "RightArm"),
        elbow=("LeftForeArm", "RightForeArm"),
        wrist=("LeftHand", "RightHand"),
        hand_end=None,
        neck="Neck",
        head="Head",
        head_top=None,
    ),
}

#: Face points in the head frame (forward, up, right), metres for a 1.75 m athlete; origin at
#: the ear mid-point. Index → (fwd, up, right).
FACE_POINTS_M: dict[int, tuple[float, float, float]] = {
    0: (0.105, -0.025, 0.0),  # nose
    1: (0.090, 0.010, -0.018),  # left eye inner
    2: (0.085, 0.010, -0.032),  # left eye
    3: (0.075, 0.010, -0.047),  # left eye outer
    4: (0.090, 0.010, 0.018),
    5: (0.085, 0.010, 0.032),
    6: (0.075, 0.010, 0.047),
    7: (0.0, 0.0, -0.075),  # left ear
    8: (0.0, 0.0, 0.075),
    9: (0.090, -0.055, -0.024),  # mouth left
    10: (0.090, -0.055, 0.024),
}

_UP = np.array([0.0, 1.0, 0.0])


def _norm(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 1e-12, n, 1.0)


def face_points(
    center: np.ndarray, fwd: np.ndarray, up: np.ndarray, *, scale: float = 1.0
) -> dict[int, np.ndarray]:
    """Face landmarks (index → (T, 3)) from the ear mid-point and head axes (unit, (T, 3))."""
    f = _norm(fwd)
    u = _norm(up - np.sum(up * f, axis=-1, keepdims=True) * f)
    r = np.cross(f, u)  # forward x up = right for a right-handed y-up frame
    return {i: center + scale * (a * f + b * u + c * r) for i, (a, b, c) in FACE_POINTS_M.items()}


def foot_points(
    ankle: np.ndarray, toe: np.ndarray, knee: np.ndarray, *, height_m: float
) -> np.ndarray:
    """Heel landmark (T, 3): behind and below the ankle in the foot's sole frame."""
    v = toe - ankle
    e1 = _norm(v)
    e2 = _norm((knee - ankle) - np.sum((knee - ankle) * e1, axis=-1, keepdims=True) * e1)
    ankle_h = 0.039 * height_m
    delta = np.arcsin(np.clip(ankle_h / np.maximum(np.linalg.norm(v, axis=-1), 1e-6), 0, 0.9))
    c, s = np.cos(delta)[:, None], np.sin(delta)[:, None]
    sole_fwd = c * e1 + s * e2
    sole_up = -s * e1 + c * e2
    return ankle - (ankle_h - 0.01) * sole_up - 0.03 * height_m * sole_fwd


def hand_points(
    elbow: np.ndarray,
    wrist: np.ndarray,
    hand_end: np.ndarray | None,
    body_fwd: np.ndarray,
    *,
    height_m: float,
) -> dict[str, np.ndarray]:
    """Pinky, index and thumb points (T, 3) around the distal palm (hand length 0.108 H)."""
    d = _norm((hand_end - wrist) if hand_end is not None else (wrist - elbow))
    s = _norm(body_fwd - np.sum(body_fwd * d, axis=-1, keepdims=True) * d)
    hl = 0.108 * height_m
    return {
        "index": wrist + 0.55 * hl * d + 0.15 * hl * s,
        "pinky": wrist + 0.45 * hl * d - 0.20 * hl * s,
        "thumb": wrist + 0.30 * hl * d + 0.35 * hl * s,
    }


def _head_axes(clip: MocapClip, jm: JointMap, body_fwd: np.ndarray) -> tuple:
    """Head forward and up (T, 3) from the head joint rotation, calibrated on the body."""
    head = clip.joint(jm.head)
    up_seg = (clip.joint(jm.head_top) - head) if jm.head_top else (head - clip.joint(jm.neck))
    up_seg = _norm(up_seg)
    if clip.rotations is None:
        return body_fwd, up_seg
    rot = clip.rotations[:, clip.joint_names.index(jm.head)]
    local_f = _norm(np.mean(np.einsum("tji,tj->ti", rot, body_fwd), axis=0))
    local_u = _norm(np.mean(np.einsum("tji,tj->ti", rot, np.broadcast_to(_UP, head.shape)), axis=0))
    local_u = _norm(local_u - (local_u @ local_f) * local_f)
    return rot @ local_f, rot @ local_u


def clip_landmarks(clip: MocapClip) -> tuple[np.ndarray, float]:
    """(T, 33, 3) BlazePose landmarks in the clip's axes, and the stature estimate (m)."""
    jm = JOINT_MAPS[clip.source]
    t = clip.times_s.shape[0]
    lm = np.full((t, 33, 3), np.nan)
    side_idx = {
        "hip": (23, 24), "knee": (25, 26), "ankle": (27, 28),
        "shoulder": (11, 12), "elbow": (13, 14), "wrist": (15, 16),
    }  # fmt: skip
    for part, (il, ir) in side_idx.items():
        names = getattr(jm, part)
        lm[:, il], lm[:, ir] = clip.joint(names[0]), clip.joint(names[1])
    leg = truth.leg_length_m(lm)
    height = leg / 0.491
    right = (lm[:, 24] - lm[:, 23]) + (lm[:, 12] - lm[:, 11])
    body_fwd = _norm(np.cross(_UP, right) * np.array([1.0, 0.0, 1.0]))
    for k in range(2):
        ankle, ball = lm[:, 27 + k], clip.joint(jm.ball[k])
        if jm.toe is not None:
            toe = clip.joint(jm.toe[k])
        else:
            ext = 0.4 * (ball - ankle)
            ext[:, 1] = 0.0
            toe = ball + ext
        lm[:, 31 + k] = toe
        lm[:, 29 + k] = foot_points(ankle, toe, lm[:, 25 + k], height_m=height)
        hand_end = clip.joint(jm.hand_end[k]) if jm.hand_end else None
        hp = hand_points(lm[:, 13 + k], lm[:, 15 + k], hand_end, body_fwd, height_m=height)
        lm[:, 17 + k], lm[:, 19 + k], lm[:, 21 + k] = hp["pinky"], hp["index"], hp["thumb"]
    head_f, head_u = _head_axes(clip, jm, body_fwd)
    head = clip.joint(jm.head)
    if jm.head_top:
        center = head + 0.35 * (clip.joint(jm.head_top) - head)
    else:
        center = head + 0.04 * (height / 1.75) * head_u
    for i, p in face_points(center, head_f, head_u, scale=height / 1.75).items():
        lm[:, i] = p
    return lm, float(height)


def _rotation_y(angle_rad: float) -> np.ndarray:
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _ground_tilt(lm: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """Rotation (3, 3) that levels the floor: plane fitted to slow, low foot points.

    Mocap floors are not always level in the capture frame (cmu/06_06 sinks ~3 cm over 4 m).
    Candidates are frames where a foot's lowest point moves < 0.3 m/s; the plane
    ``y = a + b x + c z`` is fitted by trimmed least squares (points > 2 cm above dropped).
    """
    pts = []
    dt = np.gradient(times_s)[:, None]
    for heel, toe in ((29, 31), (30, 32)):
        both = np.stack([lm[:, heel], lm[:, toe]], axis=1)
        low = both[np.arange(lm.shape[0]), np.argmin(both[:, :, 1], axis=1)]
        speed = np.linalg.norm(np.gradient(low[:, [0, 2]], axis=0) / dt, axis=1)
        pts.append(low[speed < 0.3])
    p = np.concatenate(pts)
    if p.shape[0] < 20 or np.ptp(p[:, 0]) < 1.0:
        return np.eye(3)
    keep = np.ones(p.shape[0], bool)
    coef = np.zeros(3)
    for _ in range(4):
        a = np.column_stack([np.ones(keep.sum()), p[keep, 0], p[keep, 2]])
        coef = np.linalg.lstsq(a, p[keep, 1], rcond=None)[0]
        resid = p[:, 1] - (coef[0] + coef[1] * p[:, 0] + coef[2] * p[:, 2])
        keep = resid < np.percentile(resid, 20) + 0.02
    normal = _norm(np.array([-coef[1], 1.0, -coef[2]]))
    v = np.cross(normal, _UP)
    s, c = np.linalg.norm(v), float(normal @ _UP)
    if s < 1e-9:
        return np.eye(3)
    k = v / s
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * kx + (1 - c) * (kx @ kx)


def reorient(
    lm: np.ndarray,
    times_s: np.ndarray,
    *,
    window_s: tuple[float, float] | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Re-orient landmarks to the project convention (see module docstring).

    Returns the new (T, 33, 3) landmarks and ``info`` with ``rotation_deg`` (about +y),
    ``translation_m`` and the ``window_s`` used.
    """
    sel = np.ones(times_s.shape[0], bool)
    if window_s is not None:
        sel = (times_s >= window_s[0]) & (times_s <= window_s[1])
    hip = truth.mid(lm, 23, 24)
    xz = hip[sel][:, [0, 2]]
    fwd = truth.body_forward(lm)[sel][:, [0, 2]]
    cov = np.cov((xz - xz.mean(axis=0)).T)
    evals, evecs = np.linalg.eigh(cov)
    axis = evecs[:, -1]
    if evals[-1] < 0.05**2:  # no clear travel line: use the mean facing
        axis = fwd.mean(axis=0)
    vel = np.gradient(xz, axis=0) / np.gradient(times_s[sel])[:, None]
    along = np.sum(vel * fwd, axis=1)
    moving = np.linalg.norm(vel, axis=1) > 0.2
    backward = moving & (along < -0.2)
    use = backward if backward.sum() > 10 else moving if moving.sum() > 10 else np.ones_like(moving)
    if np.sum(fwd[use] @ axis) < 0:
        axis = -axis
    # rotate so that ``axis`` (x, z components) becomes +x: yaw angle of axis about +y
    yaw = np.arctan2(-axis[1], axis[0])
    out = lm @ _rotation_y(-yaw).T
    tilt = _ground_tilt(out, times_s)
    out = out @ tilt.T
    feet = out[:, [29, 30, 31, 32], 1]
    ground = float(np.nanpercentile(np.nanmin(feet, axis=1), 2.0))
    hip_new = truth.mid(out, 23, 24)
    shift = np.array([-hip_new[sel][0, 0], -ground, -np.mean(hip_new[sel][:, 2])])
    out = out + shift
    info = {
        "rotation_deg": float(np.degrees(-yaw)),
        "floor_tilt_deg": float(np.degrees(np.arccos(np.clip(tilt[1, 1], -1, 1)))),
        "translation_m": shift.tolist(),
        "window_s": None if window_s is None else list(window_s),
    }
    return out, info


def motion_from_mocap(
    clip: MocapClip, *, window_s: tuple[float, float] | None = None, crop: bool = False
) -> truth.SyntheticMotion:
    """Landmarks, true contacts and basic true values for a motion-capture trial.

    ``window_s`` selects the frames used to fit the backpedal line (``reorient``); with
    ``crop=True`` the motion is also cut to that window (times restart at 0).
    """
    lm_native, height = clip_landmarks(clip)
    times = clip.times_s
    if crop and window_s is not None:
        keep = (times >= window_s[0]) & (times <= window_s[1])
        lm_native, times = lm_native[keep], times[keep] - times[keep][0]
        window_s = None
    lm, info = reorient(lm_native, times, window_s=window_s)
    contacts = truth.true_contacts(lm, times)
    leg = truth.leg_length_m(lm)
    metrics: dict[str, float] = {"leg_length_m": leg, "height_m": height}
    tds = truth.touchdowns(contacts)
    if len(tds) >= 2:
        metrics["cadence_steps_per_s"] = truth.cadence_steps_per_s(
            contacts, tds[0].time_s, tds[-1].time_s
        )
        lengths = [r["length_m"] for r in truth.step_table(lm, times, contacts)]
        lengths = [v for v in lengths if np.isfinite(v)]
        if lengths:
            metrics["step_length_m"] = float(np.median(lengths))
            metrics["step_length_leg_lengths"] = float(np.median(lengths) / leg)
    metrics["hip_height_ratio"] = float(np.median(truth.hip_height_ratio_series(lm, leg_m=leg)))
    metrics["trunk_lean_deg"] = float(np.median(truth.trunk_lean_series(lm)))
    v = truth.travel_along_facing(lm, times)
    metrics["speed_along_facing_m_s"] = float(np.median(v))
    return truth.SyntheticMotion(
        name=clip.name,
        times_s=times.copy(),
        landmarks_world=lm,
        contacts=contacts,
        metrics=metrics,
        params={"source": clip.source},
        meta={"licence": clip.licence, "reorient": info, "height_m": height},
    )


def load_mocap_motion(path: str | Path, **kwargs: Any) -> truth.SyntheticMotion:
    """Load a shared mocap trial and convert it (keyword arguments: ``motion_from_mocap``)."""
    return motion_from_mocap(load_mocap(path), **kwargs)


def straight_segments(
    lm: np.ndarray,
    times_s: np.ndarray,
    *,
    direction: str = "backward",
    min_duration_s: float = 1.5,
    max_heading_spread_deg: float = 25.0,
    min_speed_m_s: float = 0.3,
) -> list[tuple[float, float]]:
    """Windows (start_s, end_s) where the athlete travels ``direction`` on a steady heading.

    Useful for trials that wander (the 100STYLE backward run circles in a 4 m x 2 m area):
    cut one window with ``motion_from_mocap(clip, window_s=w, crop=True)`` so a side camera
    sees a straight backpedal. A frame qualifies when the speed along the facing is above
    ``min_speed_m_s`` in ``direction``; a window grows while the travel heading (hip
    velocity direction) stays within ``max_heading_spread_deg`` of its running mean.
    """
    v_along = truth.travel_along_facing(lm, times_s)
    ok = v_along < -min_speed_m_s if direction == "backward" else v_along > min_speed_m_s
    hip = truth.mid(lm, 23, 24)
    fps = 1.0 / np.median(np.diff(times_s))
    n = max(1, round(0.25 * fps))
    k = np.ones(n) / n
    vx = np.convolve(np.gradient(hip[:, 0], times_s), k, mode="same")
    vz = np.convolve(np.gradient(hip[:, 2], times_s), k, mode="same")
    heading = np.degrees(np.unwrap(np.arctan2(vz, vx)))
    out: list[tuple[float, float]] = []
    i = 0
    while i < len(times_s):
        if not ok[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(times_s) and ok[j + 1]:
            if abs(heading[j + 1] - np.mean(heading[i : j + 1])) > max_heading_spread_deg:
                break
            j += 1
        if times_s[j] - times_s[i] >= min_duration_s:
            out.append((float(times_s[i]), float(times_s[j])))
        i = j + 1
    return out
