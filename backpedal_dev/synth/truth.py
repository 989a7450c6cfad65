"""Ground truth: the ``SyntheticMotion`` container and true metric values from 3D landmarks.

Everything here works on noise-free 3D landmarks in the project's world frame (metres, x along
the backpedal line, y up with the ground at y = 0, z lateral; see ``backpedal_dev.synth``), so it
serves both the parametric generator and re-oriented motion capture. Formulas follow
../shared/design/METRICS.md; where a metric is defined on image landmarks (side view) the 3D
version uses the sagittal plane (x, y) with the facing sign ``f`` along x, which is what an
ideal side camera sees.

API
---
``SyntheticMotion``                  landmarks + contacts + phases + metric values + faults.
``leg_length_m(lm)``                 median hip-knee + knee-ankle length (METRICS §2).
``true_contacts(lm, times_s)``       touchdown / toe-off per foot from 3D foot height and speed.
``step_table(lm, times_s, contacts)`` per-step foot positions and lengths (M6a).
``cadence_steps_per_s(contacts, start_s, end_s)``  M7 over a window.
``hip_height_ratio_series(lm)``      M1 per frame (ground at y = 0).
``knee_flexion_series(lm, side)``    M2 per frame, 3D angle.
``trunk_lean_series(lm)``            M4 per frame, towards the pelvis facing direction.
``pelvis_yaw_deg(lm)``               body yaw from hips and shoulders (0 = facing +x).
``turn_onset_s(lm, times_s)``        hip-turn onsets from pelvis yaw rate.
``direction_switches(lm, times_s)``  backward<->forward travel switches (e.g. cmu/09_12).
``stance_peak_knee_flexion(...)``, ``arm_swing_series(lm)``, ``foot_pitch_series(lm, side)``.

All metrics at once: ``backpedal_dev.synth.truth_metrics.true_metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from analyzer import skeleton as sk
from analyzer.numeric import midpoint as mid
from analyzer.numeric import runs as bool_runs
from analyzer.results import ContactEvent, Phase

#: Standing hip height in leg lengths, ``h_stand = 1.08 L`` (METRICS §2, [S:39]).
H_STAND_LEG_LENGTHS = 1.08


@dataclass
class SyntheticMotion:
    """Known 3D motion of one athlete with its ground truth.

    Attributes
    ----------
    name
        Clip name (``"parametric/clean"``, ``"cmu/09_12"`` ...).
    times_s
        (T,) seconds.
    landmarks_world
        (T, 33, 3) BlazePose landmarks in world metres (x along the line, y up, z lateral;
        the athlete starts facing +x).
    contacts
        True touchdowns / toe-offs, sorted by time.
    phases
        True phases (ready, backpedal, transition, sprint) with ``rep`` and transition kind.
    metrics
        True (intended) metric values keyed like ``MotionAnalysis.metrics`` (e.g.
        ``hip_height_ratio``, ``knee_flexion_deg``, ``trunk_lean_deg``,
        ``step_length_leg_lengths``, ``cadence_steps_per_s``, ``arm_swing_deg``,
        ``transition_time_s``) plus extras (``step_length_m``, ``leg_length_m`` ...).
    faults
        Fault ids this motion was built to show (empty for clean technique / mocap).
    params
        The generator parameters (``dataclasses.asdict``) or mocap provenance.
    meta
        Source, licence, height, extra series (JSON-serialisable values only).
    """

    name: str
    times_s: np.ndarray
    landmarks_world: np.ndarray
    contacts: list[ContactEvent] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    faults: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        """Number of frames T."""
        return int(self.times_s.shape[0])

    @property
    def fps(self) -> float:
        """Frame rate."""
        return float(1.0 / np.median(np.diff(self.times_s)))

    def truth_dict(self) -> dict[str, Any]:
        """JSON-serialisable truth (no per-frame arrays): contacts, phases, metrics, faults."""
        return {
            "name": self.name,
            "fps": self.fps,
            "n_frames": self.n_frames,
            "contacts": [
                {"foot": c.foot, "kind": c.kind, "time_s": c.time_s, "frame": c.frame}
                for c in self.contacts
            ],
            "phases": [
                {
                    "kind": p.kind,
                    "start_s": p.start_s,
                    "end_s": p.end_s,
                    "start_frame": p.start_frame,
                    "end_frame": p.end_frame,
                    "rep": p.rep,
                    "transition_kind": p.transition_kind,
                }
                for p in self.phases
            ],
            "metrics": {k: _jsonable(v) for k, v in self.metrics.items()},
            "faults": list(self.faults),
            "params": {k: _jsonable(v) for k, v in self.params.items()},
            "meta": {k: _jsonable(v) for k, v in self.meta.items()},
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


# --------------------------------------------------------------------------- geometry


def _norm(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 1e-12, n, 1.0)


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ∠(A, B, C) at B in degrees, for (..., D) points (METRICS §7 M2)."""
    u, v = _norm(a - b), _norm(c - b)
    return np.degrees(np.arccos(np.clip(np.sum(u * v, axis=-1), -1.0, 1.0)))


def leg_length_m(lm: np.ndarray) -> float:
    """Leg length ``L``: median over frames of |hip-knee| + |knee-ankle|, mean of both legs."""
    lengths = []
    for hip, knee, ankle in ((23, 25, 27), (24, 26, 28)):
        seg = np.linalg.norm(lm[:, hip] - lm[:, knee], axis=-1) + np.linalg.norm(
            lm[:, knee] - lm[:, ankle], axis=-1
        )
        lengths.append(np.nanmedian(seg))
    return float(np.mean(lengths))


def body_forward(lm: np.ndarray) -> np.ndarray:
    """(T, 3) horizontal unit vector out of the chest, from hips and shoulders.

    ``right = (R_hip - L_hip) + (R_sh - L_sh)``; ``forward = up x right`` (right side = +z when
    facing +x, so facing +x gives (1, 0, 0)).
    """
    right = (lm[:, sk.RIGHT_HIP] - lm[:, sk.LEFT_HIP]) + (
        lm[:, sk.RIGHT_SHOULDER] - lm[:, sk.LEFT_SHOULDER]
    )
    return _forward_of(right)


def pelvis_forward(lm: np.ndarray) -> np.ndarray:
    """(T, 3) horizontal unit vector out of the front of the pelvis (hips only)."""
    return _forward_of(lm[:, sk.RIGHT_HIP] - lm[:, sk.LEFT_HIP])


def _forward_of(right: np.ndarray) -> np.ndarray:
    """(T, 3) horizontal unit ``up x right`` (the facing direction of a body whose right is
    ``right``)."""
    fwd = np.cross(np.array([0.0, 1.0, 0.0]), right)
    fwd[:, 1] = 0.0
    return _norm(fwd)


def pelvis_yaw_deg(lm: np.ndarray, *, use_shoulders: bool = False) -> np.ndarray:
    """Unwrapped yaw (deg) of the pelvis about +y; 0 = facing +x, +90 = facing -z."""
    fwd = body_forward(lm) if use_shoulders else pelvis_forward(lm)
    return np.degrees(np.unwrap(np.arctan2(-fwd[:, 2], fwd[:, 0])))


def facing_sign(lm: np.ndarray) -> np.ndarray:
    """(T,) facing sign f along x: +1 facing +x, -1 facing -x (side-view ``f``, METRICS §2)."""
    return np.where(body_forward(lm)[:, 0] >= 0, 1.0, -1.0)


def hip_height_ratio_series(lm: np.ndarray, *, leg_m: float | None = None) -> np.ndarray:
    """M1 per frame: mid-hip height above the ground (y = 0) over ``1.08 L``."""
    leg = leg_length_m(lm) if leg_m is None else leg_m
    return mid(lm, sk.LEFT_HIP, sk.RIGHT_HIP)[:, 1] / (H_STAND_LEG_LENGTHS * leg)


def knee_flexion_series(lm: np.ndarray, side: str) -> np.ndarray:
    """M2 per frame: ``180 - ∠(hip, knee, ankle)`` in 3D for ``side`` ("left"/"right")."""
    hip, knee, ankle = (23, 25, 27) if side == "left" else (24, 26, 28)
    return 180.0 - joint_angle_deg(lm[:, hip], lm[:, knee], lm[:, ankle])


def trunk_lean_series(lm: np.ndarray, *, forward: np.ndarray | None = None) -> np.ndarray:
    """M4 per frame: lean of mid-hip→mid-shoulder from vertical towards the facing direction.

    ``atan2((S - H)·fwd, (S - H)·up)``; with fwd = ±x this is the side-view formula
    ``atan2(f·(X_S − X_H), Y_H − Y_S)`` (image y down). Positive = forward.
    """
    fwd = pelvis_forward(lm) if forward is None else forward
    d = mid(lm, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER) - mid(lm, sk.LEFT_HIP, sk.RIGHT_HIP)
    return np.degrees(np.arctan2(np.sum(d * fwd, axis=-1), d[:, 1]))


def arm_swing_series(lm: np.ndarray, side: str, *, forward: np.ndarray | None = None) -> np.ndarray:
    """M10a per frame: upper-arm angle relative to the trunk line (deg, + = elbow forward)."""
    fwd = pelvis_forward(lm) if forward is None else forward
    sh, el = (11, 13) if side == "left" else (12, 14)
    d = lm[:, el] - lm[:, sh]
    alpha = np.degrees(np.arctan2(np.sum(d * fwd, axis=-1), -d[:, 1]))
    return alpha + trunk_lean_series(lm, forward=fwd)


def thigh_angle_series(lm: np.ndarray, side: str, *, forward: np.ndarray | None = None):
    """M11 thigh angle β per frame (deg, + = knee in front of the hip)."""
    fwd = pelvis_forward(lm) if forward is None else forward
    hip, knee = (23, 25) if side == "left" else (24, 26)
    d = lm[:, knee] - lm[:, hip]
    return np.degrees(np.arctan2(np.sum(d * fwd, axis=-1), -d[:, 1]))


def foot_pitch_series(lm: np.ndarray, side: str) -> np.ndarray:
    """M9a per frame: ``atan2(y_heel - y_toe, horizontal heel-toe distance)`` (+ = heel up)."""
    heel, toe = (29, 31) if side == "left" else (30, 32)
    d = lm[:, heel] - lm[:, toe]
    return np.degrees(np.arctan2(d[:, 1], np.linalg.norm(d[:, [0, 2]], axis=-1)))


def head_pitch_series(lm: np.ndarray, *, forward: np.ndarray | None = None) -> np.ndarray:
    """M12a per frame: eye–ear line vs horizontal (deg, + = chin up), mean of both sides."""
    fwd = pelvis_forward(lm) if forward is None else forward
    out = []
    for eye, ear in ((2, 7), (5, 8)):
        d = lm[:, eye] - lm[:, ear]
        out.append(np.degrees(np.arctan2(d[:, 1], np.sum(d * fwd, axis=-1))))
    return 0.5 * (out[0] + out[1])


def head_yaw_series(lm: np.ndarray) -> np.ndarray:
    """Head yaw (deg) of the ear-mid→nose vector about +y relative to the pelvis facing.

    Positive = head turned towards the athlete's left.
    """
    d = lm[:, sk.NOSE] - mid(lm, sk.LEFT_EAR, sk.RIGHT_EAR)
    head = np.arctan2(-d[:, 2], d[:, 0])
    fwd = pelvis_forward(lm)
    body = np.arctan2(-fwd[:, 2], fwd[:, 0])
    return np.degrees(np.angle(np.exp(1j * (head - body))))


# --------------------------------------------------------------------------- contacts


def _foot_low_point(lm: np.ndarray, side: str) -> np.ndarray:
    heel, toe = (29, 31) if side == "left" else (30, 32)
    pts = np.stack([lm[:, heel], lm[:, toe]], axis=1)
    low = np.argmin(pts[:, :, 1], axis=1)
    return pts[np.arange(lm.shape[0]), low]


def foot_contact_mask(
    lm: np.ndarray,
    times_s: np.ndarray,
    side: str,
    *,
    height_tol_m: float = 0.05,
    speed_tol_m_s: float = 0.5,
    min_gap_s: float = 0.05,
    min_contact_s: float = 0.05,
) -> np.ndarray:
    """(T,) bool: the foot (lowest of heel/toe) is on the ground and not moving.

    On the ground = the lower of heel and toe within ``height_tol_m`` of this foot's ground
    level (2nd percentile of its lowest point, so a mocap floor offset cancels); not moving =
    the slower of heel and toe (3D speed, so a rolling foot still counts and a descending
    foot does not) below ``speed_tol_m_s``. Gaps shorter than ``min_gap_s`` are filled and
    contacts shorter than ``min_contact_s`` dropped. On the parametric motion this agrees
    with the planned contacts within ±1 frame at 60 fps (a few frames early at slow cadence).
    """
    heel, toe = (29, 31) if side == "left" else (30, 32)
    low = _foot_low_point(lm, side)
    ground = np.nanpercentile(low[:, 1], 2.0)
    dt = np.gradient(times_s)
    vel_toe = np.gradient(lm[:, toe], axis=0) / dt[:, None]
    vel_heel = np.gradient(lm[:, heel], axis=0) / dt[:, None]
    speed = np.minimum(np.linalg.norm(vel_toe, axis=1), np.linalg.norm(vel_heel, axis=1))
    mask = (low[:, 1] - ground < height_tol_m) & (speed < speed_tol_m_s)
    fps = 1.0 / np.median(np.diff(times_s))
    for s, e in bool_runs(~mask):
        if s > 0 and e < mask.size and (e - s) < min_gap_s * fps:
            mask[s:e] = True
    for s, e in bool_runs(mask):
        if (e - s) < min_contact_s * fps:
            mask[s:e] = False
    return mask


def true_contacts(lm: np.ndarray, times_s: np.ndarray, **kwargs: float) -> list[ContactEvent]:
    """Touchdowns and toe-offs from 3D foot height and speed (both feet, sorted by time).

    A touchdown is the first frame of a contact run, a toe-off the first frame after it
    (the foot has left the ground). Runs touching the clip's first/last frame give no event
    at that end (the contact started before / ends after the clip). Keyword arguments go to
    :func:`foot_contact_mask`.
    """
    events: list[ContactEvent] = []
    n = times_s.shape[0]
    for side in ("left", "right"):
        mask = foot_contact_mask(lm, times_s, side, **kwargs)
        for s, e in bool_runs(mask):
            if s > 0:
                events.append(ContactEvent(side, "touchdown", float(times_s[s]), int(s)))
            if e < n:
                events.append(ContactEvent(side, "toe_off", float(times_s[e]), int(e)))
    return sorted(events, key=lambda c: (c.time_s, c.kind != "toe_off"))


# --------------------------------------------------------------------------- steps etc.


def touchdowns(contacts: list[ContactEvent], start_s: float = -np.inf, end_s: float = np.inf):
    """Touchdown events with ``start_s <= time_s <= end_s``."""
    return [c for c in contacts if c.kind == "touchdown" and start_s <= c.time_s <= end_s]


def toe_off_after(contacts: list[ContactEvent], td: ContactEvent) -> ContactEvent | None:
    """The first toe-off of ``td``'s foot after the touchdown ``td`` (None if the clip ends)."""
    return next(
        (c for c in contacts if c.kind == "toe_off" and c.foot == td.foot and c.frame > td.frame),
        None,
    )


def step_table(
    lm: np.ndarray,
    times_s: np.ndarray,
    contacts: list[ContactEvent],
    *,
    axis: np.ndarray | None = None,
) -> list[dict[str, float]]:
    """Per-touchdown contact positions and step lengths (M6a).

    ``X_c`` = median over the stance frames of the mean of heel and toe, along ``axis``
    (default x); the step length of touchdown i is ``|X_c(i) - X_c(i-1)|`` when the previous
    touchdown was the other foot (NaN for the first one).
    """
    ax = np.array([1.0, 0.0, 0.0]) if axis is None else _norm(np.asarray(axis, float))
    rows: list[dict[str, float]] = []
    n = times_s.shape[0]
    for td in touchdowns(contacts):
        to = toe_off_after(contacts, td)
        end = to.frame if to is not None else n
        heel, toe = (29, 31) if td.foot == "left" else (30, 32)
        foot = 0.5 * (lm[td.frame : end, heel] + lm[td.frame : end, toe])
        pos = np.median(foot, axis=0)
        rows.append(
            {
                "foot": td.foot,
                "time_s": td.time_s,
                "frame": td.frame,
                "toe_off_frame": -1 if to is None else to.frame,
                "x_m": float(pos @ ax),
                "z_m": float(pos[2]),
                "length_m": float("nan"),
            }
        )
    for prev, cur in pairwise(rows):
        if prev["foot"] != cur["foot"]:
            cur["length_m"] = abs(cur["x_m"] - prev["x_m"])
    return rows


def cadence_steps_per_s(contacts: list[ContactEvent], start_s: float, end_s: float) -> float:
    """M7: ``(N_TD - 1) / (t_TD,last - t_TD,first)`` over touchdowns in [start_s, end_s]."""
    tds = touchdowns(contacts, start_s, end_s)
    if len(tds) < 2:
        return float("nan")
    return (len(tds) - 1) / (tds[-1].time_s - tds[0].time_s)


def stance_peak_knee_flexion(
    lm: np.ndarray, contacts: list[ContactEvent], start_s: float, end_s: float
) -> list[float]:
    """M2 P1: peak knee flexion of the stance leg between each touchdown and its toe-off."""
    peaks = []
    for td in touchdowns(contacts, start_s, end_s):
        to = toe_off_after(contacts, td)
        if to is None:
            continue
        flex = knee_flexion_series(lm[td.frame : to.frame + 1], td.foot)
        peaks.append(float(np.max(flex)))
    return peaks


def percentile_amplitude(x: np.ndarray) -> float:
    """P95 − P5 of a signal (M10a amplitude)."""
    return float(np.nanpercentile(x, 95) - np.nanpercentile(x, 5))


# --------------------------------------------------------------------------- turns


def _smooth(x: np.ndarray, n: int) -> np.ndarray:
    if n <= 1:
        return x
    k = np.ones(n) / n
    pad = np.pad(x, (n // 2, n - 1 - n // 2), mode="edge")
    return np.convolve(pad, k, mode="valid")


def yaw_rate_deg_s(lm: np.ndarray, times_s: np.ndarray, *, smooth_s: float = 0.1) -> np.ndarray:
    """Pelvis yaw rate (deg/s), moving-average smoothed over ``smooth_s``."""
    fps = 1.0 / np.median(np.diff(times_s))
    yaw = _smooth(pelvis_yaw_deg(lm), max(1, round(smooth_s * fps)))
    return np.gradient(yaw, times_s)


def turn_onset_s(
    lm: np.ndarray,
    times_s: np.ndarray,
    *,
    min_turn_deg: float = 90.0,
    onset_rate_deg_s: float = 60.0,
) -> list[dict[str, float]]:
    """Hip turns: yaw excursions > ``min_turn_deg``; onset = yaw rate first > ``onset_rate``.

    Returns one dict per turn: ``onset_s`` (the last time before the peak yaw rate at which
    |rate| rose above ``onset_rate_deg_s``), ``mid_s`` (yaw half-way), ``end_s`` (rate back
    below the threshold), ``peak_rate_deg_s`` and ``turn_deg``.
    """
    rate = yaw_rate_deg_s(lm, times_s)
    yaw = pelvis_yaw_deg(lm)
    fast = np.abs(rate) > onset_rate_deg_s
    turns = []
    for s, e in bool_runs(fast):
        total = yaw[min(e, yaw.size - 1)] - yaw[s]
        if abs(total) < min_turn_deg:
            continue
        half = yaw[s] + 0.5 * total
        k = s + int(np.argmax((yaw[s : e + 1] - half) * np.sign(total) >= 0))
        turns.append(
            {
                "onset_s": float(times_s[s]),
                "mid_s": float(times_s[min(k, times_s.size - 1)]),
                "end_s": float(times_s[min(e, times_s.size - 1)]),
                "peak_rate_deg_s": float(np.max(np.abs(rate[s:e]))),
                "turn_deg": float(total),
            }
        )
    return turns


def travel_along_facing(
    lm: np.ndarray, times_s: np.ndarray, *, smooth_s: float = 0.25
) -> np.ndarray:
    """(T,) mid-hip horizontal velocity projected on the body's forward direction (m/s).

    Negative = moving backward (a backpedal), positive = moving forward.
    """
    fps = 1.0 / np.median(np.diff(times_s))
    n = max(1, round(smooth_s * fps))
    hip = mid(lm, sk.LEFT_HIP, sk.RIGHT_HIP)
    vel = np.stack([np.gradient(_smooth(hip[:, k], n), times_s) for k in (0, 2)], axis=1)
    fwd = body_forward(lm)[:, [0, 2]]
    return np.sum(vel * fwd, axis=1)


def direction_switches(
    lm: np.ndarray,
    times_s: np.ndarray,
    *,
    min_speed_m_s: float = 0.3,
    min_duration_s: float = 0.3,
) -> list[dict[str, Any]]:
    """Times where travel relative to facing switches between backward and forward.

    Frames are labelled backward / forward when |velocity along the facing| exceeds
    ``min_speed_m_s``; labelled runs shorter than ``min_duration_s`` are ignored. A switch is
    reported at the zero crossing of that velocity between two runs of different labels:
    ``{"time_s", "from", "to"}``.
    """
    v = travel_along_facing(lm, times_s)
    fps = 1.0 / np.median(np.diff(times_s))
    label = np.zeros(v.size, dtype=int)
    label[v > min_speed_m_s] = 1
    label[v < -min_speed_m_s] = -1
    segs = []
    for lab in (-1, 1):
        segs += [(s, e, lab) for s, e in bool_runs(label == lab) if (e - s) >= min_duration_s * fps]
    segs.sort()
    out = []
    for (_s0, e0, l0), (s1, _e1, l1) in pairwise(segs):
        if l0 == l1:
            continue
        seg = v[e0 - 1 : s1 + 1]
        k = e0 - 1 + int(np.argmax(np.sign(seg) == np.sign(l1)))
        # linear interpolation of the zero crossing between k-1 and k
        t = times_s[k]
        if k > 0 and v[k] != v[k - 1]:
            t = times_s[k - 1] + (times_s[k] - times_s[k - 1]) * (-v[k - 1]) / (v[k] - v[k - 1])
        names = {-1: "backward", 1: "forward"}
        out.append({"time_s": float(t), "from": names[l0], "to": names[l1]})
    return out
