"""True metric values (METRICS §7) from noise-free 3D landmarks, contacts and phases.

API
---
``true_metrics(lm, times_s, contacts, phases, *, qb_side="left", touchdown_times_s=None)``
    Every metric the spec defines that a 3D ground truth can give, keyed like
    ``MotionAnalysis.metrics`` where a key exists (``hip_height_ratio``, ``knee_flexion_deg``,
    ``trunk_lean_deg``, ``step_length_leg_lengths``, ``cadence_steps_per_s``,
    ``arm_swing_deg``, ``transition_time_s`` ...), plus ``*_p0`` variants and extras.
``step_time_cv_pct(touchdown_times_s)``  M7 steady step-time CV (%) of touchdown times.
``planned_touchdown_times_s(params)``  exact backpedal touchdown times of the parametric plan.
``center_of_mass(lm)``  whole-body COM from de Leva's segment table [S:40].
``projected_metrics(lm, times_s, contacts, phases, camera) -> dict[str, float]``
    The side-view 2D formulas applied to the exact projection through ``camera`` (what a
    perfect 2D pipeline would read, perspective included).

Side-view formulas become 3D ones by using the pelvis-facing horizontal direction as the
image x axis times ``f`` and world y as image up (what an ideal side camera sees). Series and
contact helpers live in ``backpedal_dev.synth.truth``.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from analyzer.numeric import DE_LEVA
from analyzer.results import ContactEvent, Phase
from backpedal_dev.synth.truth import (
    arm_swing_series,
    bool_runs,
    cadence_steps_per_s,
    foot_pitch_series,
    head_pitch_series,
    head_yaw_series,
    hip_height_ratio_series,
    joint_angle_deg,
    knee_flexion_series,
    leg_length_m,
    mid,
    pelvis_forward,
    percentile_amplitude,
    stance_peak_knee_flexion,
    step_table,
    thigh_angle_series,
    toe_off_after,
    touchdowns,
    trunk_lean_series,
    turn_onset_s,
)

#: de Leva (1996) male segment mass fractions and COM positions from the proximal end
#: [S:40] (``analyzer.numeric.DE_LEVA``), with BlazePose end points as in METRICS §7
#: M5b: (mass, com_frac, proximal, distal); proximal/distal: landmark index or "S"/"H"/"E".
_DE_LEVA = (
    (*DE_LEVA["head"], "E", 0),
    (*DE_LEVA["trunk"], "S", "H"),
    (*DE_LEVA["upper_arm"], 11, 13), (*DE_LEVA["upper_arm"], 12, 14),
    (*DE_LEVA["forearm"], 13, 15), (*DE_LEVA["forearm"], 14, 16),
    (*DE_LEVA["hand"], 15, 19), (*DE_LEVA["hand"], 16, 20),
    (*DE_LEVA["thigh"], 23, 25), (*DE_LEVA["thigh"], 24, 26),
    (*DE_LEVA["shank"], 25, 27), (*DE_LEVA["shank"], 26, 28),
    (*DE_LEVA["foot"], 29, 31), (*DE_LEVA["foot"], 30, 32),
)  # fmt: skip


#: Earlier names of some keys, still emitted as copies (deprecated: use the new names, which
#: are the ``MotionAnalysis.metrics`` keys).
LEGACY_KEYS: dict[str, str] = {
    "reach_leg_lengths": "reach_at_touchdown_leg_lengths",
    "step_width_ratio": "step_width_shoulder_widths",
    "stance_width_ratio": "base_width_shoulder_widths",
    "backpedal_speed_m_s": "backpedal_speed_m_per_s",
}


def center_of_mass(lm: np.ndarray) -> np.ndarray:
    """(T, 3) whole-body COM from de Leva's segment parameters (METRICS M5b, [S:40])."""
    named = {"S": mid(lm, 11, 12), "H": mid(lm, 23, 24), "E": mid(lm, 7, 8)}

    def point(k: int | str) -> np.ndarray:
        return named[k] if isinstance(k, str) else lm[:, k]

    total = sum(m for m, *_ in _DE_LEVA)
    com = sum(m * (point(a) + c * (point(b) - point(a))) for m, c, a, b in _DE_LEVA)
    return com / total


def _window(times_s: np.ndarray, phases: list[Phase], kind: str) -> np.ndarray:
    sel = np.zeros(times_s.size, bool)
    for p in phases:
        if p.kind == kind:
            sel[p.start_frame : p.end_frame + 1] = True
    return sel


def _phase(phases: list[Phase], kind: str) -> Phase | None:
    return next((p for p in phases if p.kind == kind), None)


def _med(x: np.ndarray | list[float]) -> float:
    x = np.asarray(x, float)
    return float(np.nanmedian(x)) if x.size and np.isfinite(x).any() else float("nan")


def _posture_metrics(lm, t, contacts, phases, leg) -> dict[str, float]:
    p0, p1 = _window(t, phases, "ready"), _window(t, phases, "backpedal")
    ph1 = _phase(phases, "backpedal")
    hhr = hip_height_ratio_series(lm, leg_m=leg)
    lean = trunk_lean_series(lm)
    knees = 0.5 * (knee_flexion_series(lm, "left") + knee_flexion_series(lm, "right"))
    out = {
        "hip_height_ratio": _med(hhr[p1]),
        "ready_hip_height_ratio": _med(hhr[p0]),
        "trunk_lean_deg": _med(lean[p1]),
        "ready_trunk_lean_deg": _med(lean[p0]),
        "ready_knee_flexion_deg": _med(knees[p0]),
        "knee_flexion_mean_deg": _med(knees[p1]),
    }
    if ph1 is not None:
        t_end = ph1.end_s + 1e-9
        out["knee_flexion_deg"] = _med(stance_peak_knee_flexion(lm, contacts, ph1.start_s, t_end))
    fwd = pelvis_forward(lm)
    sh, knee = mid(lm, 11, 12), mid(lm, 25, 26)
    thigh = np.nanmedian(np.linalg.norm(lm[:, 23] - lm[:, 25], axis=-1))
    out["shoulder_over_knee_index"] = _med((np.sum((sh - knee) * fwd, axis=1) / thigh)[p1])
    com = center_of_mass(lm)
    heel, toe = mid(lm, 29, 30), mid(lm, 31, 32)
    span = np.sum((toe - heel) * fwd, axis=1)
    bi = np.sum((com - heel) * fwd, axis=1) / np.where(np.abs(span) > 1e-6, span, np.nan)
    out["ready_balance_index"] = _med(bi[p0])
    out["hip_flexion_deg"] = _med(
        (
            180
            - 0.5
            * (
                joint_angle_deg(sh, lm[:, 23], lm[:, 25])
                + joint_angle_deg(sh, lm[:, 24], lm[:, 26])
            )
        )[p1]
    )
    return out


def _fps(t: np.ndarray) -> float:
    return float(1.0 / np.median(np.diff(t))) if t.size > 1 else 30.0


def step_time_cv_pct(
    touchdown_times_s: np.ndarray | list[float], *, skip_first: int = 1, skip_last: int = 1
) -> float:
    """M7 step-time CV (%) of one backpedal's touchdown times: SD / mean of the step times.

    Leaves out the first ``skip_first`` step(s) (the acceleration step out of the stance)
    and the last ``skip_last`` (the plant landing on T0, which belongs to the transition,
    METRICS §6): M7 measures the steady pedal, the steps ``analyzer.metrics.steps`` uses.
    Sample SD (``ddof=1``). NaN with fewer than 2 steps left.
    """
    dts = np.diff(np.sort(np.asarray(touchdown_times_s, float)))
    dts = dts[skip_first : dts.size - skip_last]
    if dts.size < 2:
        return float("nan")
    return float(100.0 * np.std(dts, ddof=1) / np.mean(dts))


def planned_touchdown_times_s(params: Any, *, rep: int = 0) -> np.ndarray:
    """Exact (unrounded) backpedal touchdown times (s) of ``rep`` as the parametric
    generator plans them for ``params`` (a ``BackpedalParams``): the same step-time jitter
    (``default_rng(params.seed)`` when ``step_time_cv`` > 0) and plan as
    ``parametric.generate_backpedal`` without an explicit ``rng``."""
    from backpedal_dev.synth.parametric_body import Body
    from backpedal_dev.synth.parametric_plan import draw_jitter, plan_motion

    rng = np.random.default_rng(params.seed) if params.step_time_cv > 0 else None
    plan = plan_motion(params, Body(params.height_m), draw_jitter(params, rng))
    r = plan.reps[rep]
    return r.start + np.asarray(r.ev["bp"], float)


def _footwork_metrics(lm, t, contacts, phases, leg, exact_tds_s=None) -> dict[str, float]:
    ph1 = _phase(phases, "backpedal")
    out: dict[str, float] = {}
    if ph1 is None:
        return out
    a, b = ph1.start_s, ph1.end_s + 1e-9
    rows = [r for r in step_table(lm, t, contacts) if a <= r["time_s"] <= b]
    lengths = [r["length_m"] for r in rows]
    out["step_length_m"] = _med(lengths)
    out["step_length_leg_lengths"] = out["step_length_m"] / leg
    out["cadence_steps_per_s"] = cadence_steps_per_s(contacts, a, b)
    tds = touchdowns(contacts, a, b)
    if exact_tds_s is None:
        # legacy reading from frame-rounded contacts (all steps, population SD): rounding
        # alone reads ~5 % on an even gait at 30 fps; prefer ``touchdown_times_s``
        dts = np.diff([c.time_s for c in tds])
        cv = float(100 * np.std(dts) / np.mean(dts)) if dts.size > 1 else float("nan")
        out["step_time_cv_pct"] = cv
    else:
        exact = np.asarray(exact_tds_s, float)
        sel = (exact >= ph1.start_s - 1.0 / _fps(t)) & (exact <= ph1.end_s + 1e-9)
        out["step_time_cv_pct"] = step_time_cv_pct(exact[sel])
    com = center_of_mass(lm)
    hip = mid(lm, 23, 24)
    vx = np.gradient(hip[:, 0], t)
    reach = []
    for c in tds:
        heel, toe = (29, 31) if c.foot == "left" else (30, 32)
        foot = 0.5 * (lm[c.frame, heel, 0] + lm[c.frame, toe, 0])
        reach.append(np.sign(vx[c.frame]) * (foot - com[c.frame, 0]) / leg)
    out["reach_at_touchdown_leg_lengths"] = _med(reach)
    sw = 0.5 * np.linalg.norm(lm[:, 11] - lm[:, 12], axis=-1)
    zs = [r["z_m"] for r in rows]
    out["step_width_shoulder_widths"] = (
        _med(np.abs(np.diff(zs)) / (2 * np.median(sw))) if len(zs) > 1 else float("nan")
    )
    p0 = _window(t, phases, "ready")
    right = np.cross(pelvis_forward(lm), np.array([0.0, 1.0, 0.0]))
    ank = np.abs(np.sum((lm[:, 27] - lm[:, 28]) * right, axis=1)) / (2 * sw)
    out["base_width_shoulder_widths"] = _med(ank[p0])
    out["backpedal_speed_m_per_s"] = _med(np.abs(vx[_window(t, phases, "backpedal")]))
    out["backpedal_distance_m"] = float(abs(hip[ph1.end_frame, 0] - hip[ph1.start_frame, 0]))
    return out


def _foot_metrics(lm, t, contacts, phases, leg) -> dict[str, float]:
    p0, p1 = _window(t, phases, "ready"), _window(t, phases, "backpedal")
    pitch = {s: foot_pitch_series(lm, s) for s in ("left", "right")}
    out = {"foot_pitch_deg": _med(0.5 * (pitch["left"] + pitch["right"])[p0])}
    stance_vals, clearance = [], []
    for side, heel in (("left", 29), ("right", 30)):
        mask = np.zeros(t.size, bool)
        tds = [c for c in contacts if c.foot == side and c.kind == "touchdown"]
        for td in tds:
            to = toe_off_after(contacts, td)
            mask[td.frame : (to.frame if to is not None else t.size)] = True
        stance_vals.append(pitch[side][mask & p1])
        swing = ~mask & p1
        if swing.any():
            clearance.append(np.max(lm[swing, heel, 1]) / leg)
    sv = np.concatenate(stance_vals) if stance_vals else np.array([])
    out["forefoot_stance_fraction"] = float(np.mean(sv > 5.0)) if sv.size else float("nan")
    out["stance_foot_pitch_deg"] = _med(sv)
    out["swing_clearance_leg_lengths"] = float(np.max(clearance)) if clearance else float("nan")
    return out


def _arm_metrics(lm, t, contacts, phases) -> dict[str, float]:
    p1 = _window(t, phases, "backpedal")
    out: dict[str, float] = {}
    if p1.sum() < 5:
        return out
    amps, rs, phis, chest, crossed, swings = [], [], [], [], 0, 0
    s_mid = mid(lm, 11, 12)
    right = np.cross(pelvis_forward(lm), np.array([0.0, 1.0, 0.0]))
    tds_l = [
        c.frame for c in contacts if c.kind == "touchdown" and c.foot == "left" and p1[c.frame]
    ]
    cad = cadence_steps_per_s(contacts, t[p1][0], t[p1][-1])
    omega = np.pi * cad if np.isfinite(cad) else 2 * np.pi
    for side, s in (("left", -1.0), ("right", 1.0)):
        al, be = arm_swing_series(lm, side)[p1], thigh_angle_series(lm, side)[p1]
        amps.append(percentile_amplitude(al))
        a0, b0 = al - al.mean(), be - be.mean()
        rs.append(float(np.sum(a0 * b0) / np.sqrt(np.sum(a0**2) * np.sum(b0**2) + 1e-12)))
        e = np.exp(-1j * omega * t[p1])
        phis.append(float(np.degrees(np.angle(np.sum(a0 * e) / np.sum(b0 * e))) % 360.0))
        ua = np.linalg.norm(lm[:, 11] - lm[:, 13], axis=-1) + np.linalg.norm(
            lm[:, 13] - lm[:, 15], axis=-1
        )
        wi = 15 if side == "left" else 16
        near = np.linalg.norm(lm[:, wi] - s_mid, axis=-1) < 0.45 * np.median(ua)
        chest.append(np.mean(near[p1]) if amps[-1] < 30 else 0.0)
        lat = np.sum((lm[:, wi] - s_mid) * right, axis=1) * s
        for a, b in pairwise(tds_l):
            swings += 1
            crossed += int(np.min(lat[a:b]) < 0)
    out["arm_swing_deg"] = float(np.mean(amps))
    out["arm_leg_coordination_r"] = float(np.mean(rs))
    out["arm_leg_phase_deg"] = float(
        np.degrees(np.angle(np.mean(np.exp(1j * np.radians(phis))))) % 360
    )
    out["hands_at_chest_fraction"] = float(np.mean(chest))
    out["arm_crossing_fraction"] = crossed / swings if swings else float("nan")
    elbow = [
        180 - joint_angle_deg(lm[:, a], lm[:, b], lm[:, c])
        for a, b, c in ((11, 13, 15), (12, 14, 16))
    ]
    out["elbow_flexion_deg"] = _med(0.5 * (elbow[0] + elbow[1])[p1])
    return out


def _head_metrics(lm, t, phases, qb_side: str) -> dict[str, float]:
    p1 = _window(t, phases, "backpedal")
    pitch = head_pitch_series(lm)
    d = lm[:, 0] - mid(lm, 7, 8)
    yaw_world = np.degrees(np.arctan2(-d[:, 2], d[:, 0]))  # + = towards the athlete's left
    towards = yaw_world * (1.0 if qb_side == "left" else -1.0)
    fps = 1.0 / np.median(np.diff(t))
    longest = max((e - s for s, e in bool_runs((towards > 30) & p1)), default=0) / fps
    return {
        "head_pitch_deg": _med(pitch[p1]),
        "head_yaw_on_target_fraction": float(np.mean(np.abs(yaw_world[p1]) < 15))
        if p1.any()
        else float("nan"),
        "head_turned_to_qb_max_s": float(longest),
        "head_yaw_max_deg": float(np.max(np.abs(head_yaw_series(lm)[p1])))
        if p1.any()
        else float("nan"),
    }


def _transition_metrics(lm, t, contacts, phases, leg) -> dict[str, float]:
    p2, p3, ph1 = (
        _phase(phases, "transition"),
        _phase(phases, "sprint"),
        _phase(phases, "backpedal"),
    )
    out: dict[str, float] = {}
    if p2 is None or ph1 is None:
        return out
    out["transition_time_s"] = p2.end_s - p2.start_s
    out["transition_contacts"] = float(
        len(touchdowns(contacts, p2.start_s - 1e-9, p2.end_s + 1e-9))
    )
    hip = mid(lm, 23, 24)
    vx = np.gradient(hip[:, 0], t)
    last = (t >= ph1.end_s - 1.0) & (t <= ph1.end_s)
    v_bp = np.median(np.abs(vx[last]))
    w2 = _window(t, phases, "transition")
    if p2.transition_kind == "turn_and_run":
        out["speed_retention"] = float(np.min(np.abs(vx[w2])) / v_bp)
    s = np.sign(np.median(vx[last]))
    a = np.flatnonzero((s * vx > 0.5 * v_bp) & (t >= ph1.end_s - 0.5))
    b = np.flatnonzero((-s * vx > 0.5 * v_bp) & (t >= ph1.end_s))
    if a.size and b.size and p2.transition_kind == "break_forward":
        out["break_time_s"] = float(t[b[0]] - t[a[a < b[0]][-1]])
    hhr = hip_height_ratio_series(lm, leg_m=leg)
    out["hip_rise"] = float(np.max(hhr[w2]) - np.median(hhr[_window(t, phases, "backpedal")]))
    if p3 is not None:
        sp = touchdowns(contacts, p3.start_s - 1e-9, p3.end_s)
        end = sp[3].frame if len(sp) > 3 else p3.end_frame
        out["sprint_trunk_lean_deg"] = _med(trunk_lean_series(lm)[p3.start_frame : end])
        if len(sp) > 1:
            out["sprint_cadence_steps_per_s"] = cadence_steps_per_s(
                contacts, sp[0].time_s, sp[-1].time_s
            )
    turns = [x for x in turn_onset_s(lm, t) if p2.start_s - 0.2 <= x["onset_s"] <= p2.end_s + 1e-9]
    if turns:
        out["hip_turn_onset_s"] = turns[0]["onset_s"]
        out["hip_turn_mid_s"] = turns[0]["mid_s"]
        out["peak_yaw_rate_deg_s"] = turns[0]["peak_rate_deg_s"]
    return out


def true_metrics(
    lm: np.ndarray,
    times_s: np.ndarray,
    contacts: list[ContactEvent],
    phases: list[Phase],
    *,
    qb_side: str = "left",
    touchdown_times_s: np.ndarray | list[float] | None = None,
) -> dict[str, float]:
    """True metric values (METRICS §7) from noise-free 3D landmarks, contacts and phases.

    Keys match ``MotionAnalysis.metrics`` where one exists (``hip_height_ratio``,
    ``knee_flexion_deg`` (P1 stance peak, median over steps, both legs),
    ``trunk_lean_deg``, ``step_length_leg_lengths``, ``cadence_steps_per_s``,
    ``arm_swing_deg``, ``transition_time_s`` ...) plus ``*_p0`` variants and extras; a phase
    that is absent leaves its metrics out. 3D versions of side-view formulas use the
    pelvis-facing direction as the image x axis times ``f``.

    ``touchdown_times_s``: exact (unrounded) touchdown times, e.g. the parametric plan's
    (:func:`planned_touchdown_times_s`); ``step_time_cv_pct`` is then computed from those in
    the backpedal phase instead of from the contacts' frame times (whose rounding alone reads
    about 5 % CV on a perfectly even gait at 30 fps, METRICS §7 M7 pitfall).
    """
    leg = leg_length_m(lm)
    out: dict[str, float] = {"leg_length_m": leg}
    out.update(_posture_metrics(lm, times_s, contacts, phases, leg))
    out.update(_footwork_metrics(lm, times_s, contacts, phases, leg, touchdown_times_s))
    out.update(_foot_metrics(lm, times_s, contacts, phases, leg))
    out.update(_arm_metrics(lm, times_s, contacts, phases))
    out.update(_head_metrics(lm, times_s, phases, qb_side))
    out.update(_transition_metrics(lm, times_s, contacts, phases, leg))
    for old, new in LEGACY_KEYS.items():
        if new in out:
            out[old] = out[new]
    return {k: float(v) for k, v in out.items()}


def _stance_peaks(
    series: np.ndarray, contacts: list[ContactEvent], side: str, win: tuple[float, float]
) -> list[float]:
    """Peak of ``series`` between each ``side`` touchdown in ``win`` and its toe-off."""
    peaks = []
    for td in touchdowns(contacts, *win):
        if td.foot != side:
            continue
        to = toe_off_after(contacts, td)
        if to is not None:
            peaks.append(float(np.max(series[td.frame : to.frame + 1])))
    return peaks


def _step_lengths_px(
    px: np.ndarray, contacts: list[ContactEvent], win: tuple[float, float]
) -> list[float]:
    """Image-x distances (px) between consecutive opposite-foot touchdowns (heel-toe mean)."""
    xs = []
    for td in touchdowns(contacts, *win):
        h, t_ = (29, 31) if td.foot == "left" else (30, 32)
        xs.append((td.foot, 0.5 * (px[td.frame, h, 0] + px[td.frame, t_, 0])))
    return [abs(b[1] - a[1]) for a, b in pairwise(xs) if a[0] != b[0]]


def projected_metrics(
    lm: np.ndarray,
    times_s: np.ndarray,
    contacts: list[ContactEvent],
    phases: list[Phase],
    camera: Any,
) -> dict[str, float]:
    """Side-view metrics computed with the METRICS §7 2D formulas on the exact projection.

    What a perfect 2D pipeline would read from this camera (perspective included): M1 hip
    height ratio with the true ground point under the mid-hip projected, M2 camera-side stance
    peak knee flexion, M4 trunk lean with the facing sign ``f`` along image x, M6a step length
    in metres via the leg-length scale ``s = 0.491 H / L_px`` (H from the 3D leg length), M10a
    camera-side arm swing. Compare with ``true_metrics`` (3D) to see the projection's share of
    an error. ``camera`` is an ``backpedal_dev.synth.camera.Camera``.
    """
    px = camera.project(lm)
    depth = camera.to_camera(lm)[..., 2]
    near_left = np.median(depth[:, 23] - depth[:, 24]) < 0
    hip_i, knee_i, ank_i, sh_i, el_i = (23, 25, 27, 11, 13) if near_left else (24, 26, 28, 12, 14)
    side = "left" if near_left else "right"
    cam_x = camera.rotation[0]  # world direction of image +x
    f = np.sign(pelvis_forward(lm) @ cam_x)  # +1 facing image right
    leg_px = np.nanmedian(
        np.linalg.norm(px[:, hip_i] - px[:, knee_i], axis=-1)
        + np.linalg.norm(px[:, knee_i] - px[:, ank_i], axis=-1)
    )
    hip3 = mid(lm, 23, 24)
    ground = hip3.copy()
    ground[:, 1] = 0.0
    hp, gp = 0.5 * (px[:, 23] + px[:, 24]), camera.project(ground)
    sp = 0.5 * (px[:, 11] + px[:, 12])
    p1 = _window(times_s, phases, "backpedal")
    out: dict[str, float] = {"leg_length_px": float(leg_px), "camera_side": float(near_left)}
    out["hip_height_ratio"] = _med(((gp[:, 1] - hp[:, 1]) / (1.08 * leg_px))[p1])
    lean = np.degrees(np.arctan2(f * (sp[:, 0] - hp[:, 0]), hp[:, 1] - sp[:, 1]))
    out["trunk_lean_deg"] = _med(lean[p1])
    knee = 180 - joint_angle_deg(px[:, hip_i], px[:, knee_i], px[:, ank_i])
    ph1 = _phase(phases, "backpedal")
    if ph1 is not None:
        win = (ph1.start_s, ph1.end_s + 1e-9)
        out["knee_flexion_deg"] = _med(_stance_peaks(knee, contacts, side, win))
        scale = leg_length_m(lm) / leg_px  # s = 0.491 H / L_px with H = L / 0.491
        out["step_length_m"] = _med(_step_lengths_px(px, contacts, win)) * scale
    d = px[:, el_i] - px[:, sh_i]
    alpha = np.degrees(np.arctan2(f * d[:, 0], d[:, 1])) + lean
    out["arm_swing_deg"] = percentile_amplitude(alpha[p1]) if p1.any() else float("nan")
    return out
