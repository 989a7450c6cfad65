"""Parametric backpedal generator: ready stance → backpedal → transition → sprint, with truth.

API
---
``BackpedalParams``                         the knobs (dataclass, SI units, documented below);
                                            ``.speed_m_s`` = step length × cadence.
``BackpedalParams.clean(**changes)``        clean technique, every metric in its "good" band.
``BackpedalParams.with_fault(fault_id)``    clean + the knob(s) that produce one fault
                                            (ids in ``FAULT_IDS``; METRICS §7-9 thresholds
                                            with a safe margin, see ``FAULT_PRESETS``).
``generate_backpedal(params, *, rng=None) -> truth.SyntheticMotion``
    (T, 33, 3) world landmarks at ``params.fps``; true contacts (touchdown = first frame the
    foot is planted, toe-off = first frame it has left); phases (``rep`` index, transition
    kind); ``metrics`` = values measured on the noise-free 3D motion of rep 0
    (``truth_metrics.true_metrics``; every rep in ``meta["rep_metrics"]``); the knob values in
    ``meta["intended"]``; T0/T1 per rep in ``meta["t0_s"]``/``meta["t1_s"]``. ``rng``
    (optional) adds step-to-step time variability (``params.step_time_cv``); without it the
    motion is exactly periodic (deterministic either way for a given seed).
``intended_values(params)``                 the knobs as metric values.

Reps: ``reps > 1`` chains reps; between them the athlete brakes to a stop in 2-3 steps, walks
back ``walk_back_steps`` steps (default none), turns back to face +x with two reset steps and
stands in the next ready stance (neither is a phase).

Model (all lengths scale with ``height_m``; segment proportions METRICS §2 [S:39]; body and
timing in ``parametric_body`` and ``parametric_plan``): a pelvis that translates along x at a
prescribed speed profile and yaws during a hip flip; feet planted during each contact (the ball
of the foot, or the heel when the foot pitch is negative, does not move: no sliding; the foot
centre lands under the whole-body COM at mid-stance, plus ``touchdown_reach_m``), swing feet
on minimum-jerk paths with a lift; knees from two-link inverse kinematics; a trunk leaning
``trunk_lean_deg`` towards the pelvis facing; arms driven by the thighs
(``arm_leg_phase_deg`` = 180: the arm swings opposite to the same-side thigh, as in running);
a head with pitch and a yaw towards the QB side in a time window.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, cast

import numpy as np

from analyzer.results import ContactEvent, Phase, PhaseKind, TransitionKind
from backpedal_dev.synth import truth
from backpedal_dev.synth.landmarks import face_points, hand_points
from backpedal_dev.synth.parametric_body import (
    UP,
    Body,
    arm_angles,
    arm_points,
    foot_trajectory,
    heading,
    knee_ik,
    relax_overreach,
    smoothstep,
)
from backpedal_dev.synth.parametric_plan import (
    Plan,
    RepPlan,
    draw_jitter,
    kinematics,
    plan_motion,
    transition_touchdowns,
)
from backpedal_dev.synth.truth_metrics import center_of_mass, true_metrics

FAULT_IDS: tuple[str, ...] = (
    "standing_tall",
    "leaning_back",
    "bent_over",
    "overstriding",
    "slow_feet",
    "narrow_base",
    "on_heels",
    "passive_arms",
    "arms_crossing",
    "arm_leg_out_of_sync",
    "eyes_off_target",
    "slow_hip_flip",
    "popping_up",
    "sitting_too_low",
    "uneven_rhythm",
    "wide_base",
    "heels_kicking_up",
)


@dataclass(frozen=True)
class BackpedalParams:
    """Knobs of the parametric backpedal (defaults = clean technique).

    Posture: ``hip_height_ratio`` (M1, P1 median, of 1.08 L), ``stance_hip_height_ratio``
    (M1 P0), ``trunk_lean_deg`` (M4 P0/P1), ``bounce_m`` (hip vertical peak-to-peak per step).
    Footwork: ``step_length_m`` (M6a), ``cadence_steps_per_s`` (M7), ``stance_fraction``
    (contact time / step time), ``touchdown_reach_m`` (extra landing distance in the travel
    direction: overstride), ``stance_width_ratio`` (M8a, ankle separation / shoulder width,
    P0), ``step_width_ratio`` (M8b, lateral contact separation / shoulder width, P1),
    ``foot_pitch_deg`` (M9a heel-toe pitch during stance; < 0 = toes up, on the heels),
    ``balance_index`` (M5b, P0: COM position along heel→toe, 0 = over the heels),
    ``swing_clearance_m`` (lift of the lowest foot point in swing), ``swing_pitch_deg``
    (extra plantar flexion at mid-swing: large values kick the heel up, M9b).
    Arms: ``arm_swing_deg`` (M10a P95−P5), ``arm_mean_deg`` (mean shoulder flexion),
    ``elbow_flexion_deg``, ``hands_at_chest`` (wrists held at the chest), ``arm_cross_m``
    (wrist position past the body mid-line at the front of the swing; < 0 = stays on its own
    side), ``arm_leg_phase_deg`` (ipsilateral arm vs thigh: 180 = opposite, 0 = in sync).
    Head: ``head_pitch_deg`` (+ = chin up), ``head_yaw_deg`` towards ``qb_side`` during
    ``head_yaw_window_s`` (seconds after the first backpedal step's toe-off).
    Phases: ``ready_duration_s``, ``backpedal_steps``, ``transition`` ("turn_and_run",
    "break_forward" or "none"), ``turn_side`` (side the hips open to), ``transition_time_s``
    (M13a, T1 − T0), ``transition_extra_steps`` (M13b = 2 + extra, more if a long transition
    needs them: ``parametric_plan.transition_touchdowns``), ``speed_retention``
    (M13c, turn-and-run), ``hip_rise`` (M13d ΔHHR), ``sprint_lean_deg`` (M4 P3),
    ``sprint_steps``, ``sprint_cadence_steps_per_s``, ``sprint_step_length_m``,
    ``sprint_hip_height_ratio``. Other: ``height_m``, ``fps``, ``reps``, ``first_foot``,
    ``step_time_cv`` (step-time variability, M7 CV; drawn from ``rng``, or from
    ``default_rng(seed)`` when no ``rng`` is given), ``faults`` (ids, for the truth file).
    Between reps: ``walk_back_steps`` forward walking steps (facing +x, at
    ``walk_back_cadence_steps_per_s`` and ``walk_back_step_length_m``; 1.9 steps/s and
    0.70 m are a comfortable walk) after the stop, before the reset stance (a coach's
    "walk back to the line"; 0 = none).
    """

    height_m: float = 1.80
    hip_height_ratio: float = 0.89
    stance_hip_height_ratio: float = 0.88
    trunk_lean_deg: float = 25.0
    bounce_m: float = 0.02
    step_length_m: float = 0.50
    cadence_steps_per_s: float = 3.8
    stance_fraction: float = 0.70
    touchdown_reach_m: float = 0.0
    stance_width_ratio: float = 1.1
    step_width_ratio: float = 0.5
    foot_pitch_deg: float = 12.0
    balance_index: float = 0.72
    swing_clearance_m: float = 0.05
    swing_pitch_deg: float = 8.0
    arm_swing_deg: float = 70.0
    arm_mean_deg: float = 5.0
    elbow_flexion_deg: float = 90.0
    hands_at_chest: bool = False
    arm_cross_m: float = -0.10
    arm_leg_phase_deg: float = 180.0
    head_pitch_deg: float = 0.0
    head_yaw_deg: float = 0.0
    head_yaw_window_s: tuple[float, float] = (0.0, 0.0)
    qb_side: str = "left"
    ready_duration_s: float = 0.6
    backpedal_steps: int = 10
    transition: str = "turn_and_run"
    turn_side: str = "left"
    transition_time_s: float = 0.30
    transition_extra_steps: int = 0
    speed_retention: float = 0.85
    hip_rise: float = 0.02
    sprint_lean_deg: float = 35.0
    sprint_steps: int = 4
    sprint_cadence_steps_per_s: float = 4.0
    sprint_step_length_m: float = 0.85
    sprint_hip_height_ratio: float = 0.90
    fps: float = 60.0
    reps: int = 1
    first_foot: str = "right"
    step_time_cv: float = 0.0
    walk_back_steps: int = 0
    walk_back_cadence_steps_per_s: float = 1.9
    walk_back_step_length_m: float = 0.70
    seed: int = 0
    faults: tuple[str, ...] = ()

    @property
    def speed_m_s(self) -> float:
        """Backpedal speed = step length × cadence."""
        return self.step_length_m * self.cadence_steps_per_s

    @property
    def backpedal_distance_m(self) -> float:
        """Approximate P1 hip displacement (steps × step length)."""
        return self.backpedal_steps * self.step_length_m

    @classmethod
    def clean(cls, **changes: Any) -> BackpedalParams:
        """Clean technique (every scored metric in its good band), with optional changes."""
        return replace(cls(), **changes)

    @classmethod
    def with_fault(cls, fault_id: str, **changes: Any) -> BackpedalParams:
        """Clean technique plus the knobs that produce ``fault_id`` (see ``FAULT_PRESETS``)."""
        if fault_id not in FAULT_PRESETS:
            raise KeyError(f"Unknown fault {fault_id!r}; known: {', '.join(FAULT_IDS)}")
        knobs = dict(FAULT_PRESETS[fault_id])
        knobs.update(changes)
        return replace(cls(), faults=(fault_id,), **knobs)


#: Knob changes per fault (METRICS §7-9 limits; expected metric value in the comment).
FAULT_PRESETS: dict[str, dict[str, Any]] = {
    # M1 > 0.95 (P0 and P1) and M2 stance peak < 35 deg
    "standing_tall": {
        "hip_height_ratio": 0.985, "stance_hip_height_ratio": 0.985, "bounce_m": 0.01,
        "step_length_m": 0.40, "cadence_steps_per_s": 4.0, "trunk_lean_deg": 15.0,
        "foot_pitch_deg": 8.0, "hip_rise": 0.0, "sprint_hip_height_ratio": 0.92,
    },
    # M4 < 8 deg (hard: < 0)
    "leaning_back": {"trunk_lean_deg": -4.0},
    # M4 > 50 deg
    "bent_over": {"trunk_lean_deg": 60.0},
    # M6b reach > 0.42 L on every step (steps long, lands far behind the hips)
    "overstriding": {
        "step_length_m": 0.75, "cadence_steps_per_s": 3.4, "touchdown_reach_m": 0.20,
        "backpedal_steps": 8, "hip_height_ratio": 0.86, "stance_hip_height_ratio": 0.86,
    },
    # M7 < 3.0 steps/s
    "slow_feet": {"cadence_steps_per_s": 2.5, "step_length_m": 0.45, "backpedal_steps": 8},
    # M8a < 0.6 and M8b < 0.10 shoulder widths
    "narrow_base": {"stance_width_ratio": 0.40, "step_width_ratio": 0.03},
    # M9a P0 < 3 deg and forefoot-stance fraction < 0.40
    "on_heels": {"foot_pitch_deg": -2.0, "balance_index": 0.30},
    # M10a < 30 deg and M10c hands at chest > 0.7
    "passive_arms": {"arm_swing_deg": 12.0, "hands_at_chest": True},
    # M10d: wrist past the mid-line at the front of every swing (> 0.3 of swings)
    "arms_crossing": {"arm_cross_m": 0.08},
    # M11 r_ipsi > -0.2 with M10a >= 30 (ipsilateral arm and thigh in phase)
    "arm_leg_out_of_sync": {"arm_leg_phase_deg": 0.0},
    # M12b head yaw towards the QB > 30 deg for > 0.5 s (here 50 deg for 1.2 s)
    "eyes_off_target": {"head_yaw_deg": 50.0, "head_yaw_window_s": (0.4, 1.6)},
    # M13a > 0.50 s and M13b >= 4 contacts and M13c < 0.50
    "slow_hip_flip": {
        "transition_time_s": 0.75, "transition_extra_steps": 2, "speed_retention": 0.35,
    },
    # M1 P1 < 0.70 and M2 stance peak > 90 deg
    "sitting_too_low": {
        "hip_height_ratio": 0.64, "stance_hip_height_ratio": 0.66, "trunk_lean_deg": 35.0,
        "step_length_m": 0.45, "hip_rise": 0.0, "sprint_hip_height_ratio": 0.80,
    },
    # M7 step-time CV > 10 % beyond doubt: its lower 90 % bound over the ~9 steady steps
    # measured must pass 10 % (events.rhythm), so ~20-25 % (drawn with default_rng(seed))
    "uneven_rhythm": {"step_time_cv": 0.25, "backpedal_steps": 12},
    # M8a > 1.7 and M8b > 1.10 shoulder widths
    "wide_base": {"stance_width_ratio": 2.0, "step_width_ratio": 1.35},
    # M9b heel clearance > 0.40 L
    "heels_kicking_up": {"swing_clearance_m": 0.22, "swing_pitch_deg": 60.0},
    # M13d > 0.08 and M4 (P3) < 15 deg
    "popping_up": {
        "hip_rise": 0.12, "sprint_lean_deg": 6.0, "hip_height_ratio": 0.85,
        "stance_hip_height_ratio": 0.85,
    },
}  # fmt: skip


# --------------------------------------------------------------------------- assembly


def _head_yaw(p: BackpedalParams, plan: Plan, t: np.ndarray) -> np.ndarray:
    """Head yaw relative to the pelvis (rad): towards the QB side inside each rep's window."""
    out = np.zeros_like(t)
    if p.head_yaw_deg == 0 or p.head_yaw_window_s[1] <= p.head_yaw_window_s[0]:
        return out
    sign = 1.0 if p.qb_side == "left" else -1.0
    for rep in plan.reps:
        a, b = (rep.g("t_go") + w for w in p.head_yaw_window_s)
        env = smoothstep((t - a) / 0.1 + 0.5) * (1 - smoothstep((t - b) / 0.1 + 0.5))
        out += sign * np.radians(p.head_yaw_deg) * env
    return out


def _legs(p: BackpedalParams, body: Body, plan: Plan, t: np.ndarray, lm, fwd) -> float:
    """Feet, ankles and knees into ``lm``; returns the largest IK overreach (m)."""
    over = 0.0
    for k, side in enumerate(("left", "right")):
        foot = foot_trajectory(
            body,
            [c for c in plan.contacts if c.foot == side],
            t,
            clearance_m=p.swing_clearance_m,
            swing_pitch_deg=p.swing_pitch_deg,
        )
        foot = relax_overreach(body, foot, lm[:, 23 + k])
        lm[:, 27 + k], lm[:, 29 + k], lm[:, 31 + k] = foot["ankle"], foot["heel"], foot["toe"]
        toe_dir = foot["toe"] - foot["heel"]
        toe_dir[:, 1] = 0
        toe_dir /= np.linalg.norm(toe_dir, axis=1, keepdims=True)
        knee_dir = fwd + toe_dir  # knee over the toes, blended with the pelvis facing
        weak = np.linalg.norm(knee_dir, axis=1) < 0.3
        knee_dir[weak] = fwd[weak]
        knee, o = knee_ik(lm[:, 23 + k], lm[:, 27 + k], knee_dir, body.thigh, body.shank)
        lm[:, 25 + k], over = knee, max(over, o)
    return over


def _assemble(p: BackpedalParams, body: Body, plan: Plan, t: np.ndarray) -> tuple:
    """(T, 33, 3) landmarks and diagnostics on the frame times ``t``."""
    lm = np.zeros((t.size, 33, 3))
    kin = kinematics(p, body, plan, t)
    fwd, right = heading(kin["yaw"])
    pelvis = np.column_stack([kin["x"], kin["y"], np.zeros_like(t)])
    lm[:, 23] = pelvis - right * body.hip_w / 2
    lm[:, 24] = pelvis + right * body.hip_w / 2
    over = _legs(p, body, plan, t, lm, fwd)
    lr = kin["lean"][:, None]
    t_up = np.sin(lr) * fwd + np.cos(lr) * UP
    t_fwd = np.cos(lr) * fwd - np.sin(lr) * UP
    mid_sh = pelvis + body.torso * t_up
    lm[:, 11] = mid_sh - right * body.shoulder_w / 2
    lm[:, 12] = mid_sh + right * body.shoulder_w / 2
    frame = {"up": t_up, "fwd": t_fwd, "right": right, "mid_shoulder": mid_sh}
    p1 = np.zeros(t.size, bool)
    for rep in plan.reps:
        p1 |= (t >= rep.g("t_go")) & (t <= rep.g("t0"))
    for k, side in enumerate(("left", "right")):
        beta = truth.thigh_angle_series(lm, side, forward=fwd)
        alpha, lo, hi = arm_angles(p, beta, t, p1)
        elbow, wrist = arm_points(p, body, side, lm[:, 11 + k], frame, alpha, lo, hi)
        lm[:, 13 + k], lm[:, 15 + k] = elbow, wrist
        hp = hand_points(elbow, wrist, None, fwd, height_m=body.height_m)
        lm[:, 17 + k], lm[:, 19 + k], lm[:, 21 + k] = hp["pinky"], hp["index"], hp["thumb"]
    neck = np.sin(0.5 * lr) * fwd + np.cos(0.5 * lr) * UP
    ear_mid = mid_sh + body.neck_head * neck
    hf, _ = heading(kin["yaw"] + _head_yaw(p, plan, t))
    pitch = np.radians(p.head_pitch_deg)
    head_f = np.cos(pitch) * hf + np.sin(pitch) * UP
    head_u = -np.sin(pitch) * hf + np.cos(pitch) * UP
    for i, pt in face_points(ear_mid, head_f, head_u, scale=body.height_m / 1.75).items():
        lm[:, i] = pt
    return lm, {"ik_overreach_m": over, "pelvis_yaw_rad": kin["yaw"]}


def _events(plan: Plan, t: np.ndarray, fps: float) -> list[ContactEvent]:
    """True contact events: frame = first frame at/after the event time."""
    out = []
    for c in plan.contacts:
        for kind, when in (("touchdown", c.td), ("toe_off", c.to)):
            if when <= 0 or when > t[-1] + 1e-9:
                continue
            frame = int(np.ceil(when * fps - 1e-6))
            if frame < t.size:
                out.append(ContactEvent(c.foot, kind, float(t[frame]), frame))  # type: ignore[arg-type]
    return sorted(out, key=lambda e: (e.frame, e.kind != "toe_off"))


def _rep_phases(p: BackpedalParams, rep: RepPlan, t: np.ndarray, fps: float) -> list[Phase]:
    def fr(x: float) -> int:
        return int(min(np.ceil(x * fps - 1e-6), t.size - 1))

    kind = None if p.transition == "none" else cast(TransitionKind, p.transition)
    spans: list[tuple[PhaseKind, float, float]] = [
        ("ready", rep.start, rep.g("t_go")),
        ("backpedal", rep.g("t_go"), rep.g("t0")),
    ]
    if p.transition != "none":
        spans += [
            ("transition", rep.g("t0"), rep.g("t1")),
            ("sprint", rep.g("t1"), min(rep.g("sprint_end"), float(t[-1]))),
        ]
    return [
        Phase(k, float(t[fr(a)]), float(t[fr(b)]), fr(a), fr(b), rep.rep,
              kind if k == "transition" else None)
        for k, a, b in spans
    ]  # fmt: skip


def generate_backpedal(
    params: BackpedalParams | None = None, *, rng: np.random.Generator | None = None
) -> truth.SyntheticMotion:
    """Generate the backpedal rep(s) with ground truth (see the module docstring)."""
    p = params or BackpedalParams.clean()
    body = Body(p.height_m)
    if rng is None and p.step_time_cv > 0:
        rng = np.random.default_rng(p.seed)
    jitter = draw_jitter(p, rng)
    plan = plan_motion(p, body, jitter)
    t = np.arange(0.0, plan.t_end, 1.0 / p.fps)
    lm, _ = _assemble(p, body, plan, t)
    # second pass: place the feet against the whole-body COM of the first pass
    ahead = np.sum((center_of_mass(lm) - truth.mid(lm, 23, 24)) * truth.pelvis_forward(lm), axis=1)
    plan = plan_motion(p, body, jitter, com_ahead=lambda tg: np.interp(tg, t, ahead))
    lm, diag = _assemble(p, body, plan, t)
    contacts = _events(plan, t, p.fps)
    phases = [ph for rep in plan.reps for ph in _rep_phases(p, rep, t, p.fps)]
    rep_metrics = [
        true_metrics(lm, t, contacts, [ph for ph in phases if ph.rep == r], qb_side=p.qb_side)
        for r in range(p.reps)
    ]
    name = "parametric/" + ("+".join(p.faults) if p.faults else "clean")
    return truth.SyntheticMotion(
        name=name,
        times_s=t,
        landmarks_world=lm,
        contacts=contacts,
        phases=phases,
        metrics=rep_metrics[0],
        faults=tuple(p.faults),
        params=asdict(p),
        meta={
            "source": "parametric",
            "licence": "generated by backpedal-analyzer (BSD-3-Clause): free to ship",
            "height_m": p.height_m,
            "leg_length_m": body.leg,
            "ik_overreach_m": diag["ik_overreach_m"],
            "t0_s": [rep.g("t0") for rep in plan.reps],
            "t1_s": [rep.g("t1") for rep in plan.reps],
            "rep_metrics": rep_metrics,
            "intended": intended_values(p),
        },
    )


def intended_values(p: BackpedalParams) -> dict[str, float]:
    """The knob values as metric values (what the motion was built to show)."""
    body = Body(p.height_m)
    out = {
        "hip_height_ratio": p.hip_height_ratio,
        "trunk_lean_deg": p.trunk_lean_deg,
        "step_length_m": p.step_length_m,
        "step_length_leg_lengths": p.step_length_m / body.leg,
        "cadence_steps_per_s": p.cadence_steps_per_s,
        "arm_swing_deg": p.arm_swing_deg,
        "ready_hip_height_ratio": p.stance_hip_height_ratio,
        "foot_pitch_deg": p.foot_pitch_deg,
        "ready_balance_index": p.balance_index,
        "base_width_shoulder_widths": p.stance_width_ratio,
        "step_width_shoulder_widths": p.step_width_ratio,
        "step_time_cv_pct": 100 * p.step_time_cv,
        "backpedal_speed_m_per_s": p.speed_m_s,
    }
    if p.transition != "none":
        out.update(
            transition_time_s=p.transition_time_s,
            transition_contacts=transition_touchdowns(p),
            hip_rise=p.hip_rise,
            sprint_trunk_lean_deg=p.sprint_lean_deg,
        )
        if p.transition == "turn_and_run":
            out["speed_retention"] = p.speed_retention
    return out
