"""Timing and path plan of the parametric backpedal: contacts, hip speed, yaw, lean, height.

Used by ``backpedal_dev.synth.parametric`` (public API there). One rep, in its local time
(0 = start of the ready stance): ready stance until ``t_go`` (first toe-off), backpedal
touchdowns every ``1/cadence`` s from ``t_go + swing`` to ``T0`` (the plant), transition
touchdowns evenly spaced in ``[T0, T1]``, sprint touchdowns every ``1/sprint_cadence`` s from
``T1``. A rep followed by another one adds a recovery: three braking steps to a stop, two
reset steps that turn the athlete back to face +x in a ready stance, and the next rep starts
from there (its ready stance is the reset stance).

API
---
``transition_touchdowns(p)``              M13b count planned for a rep.
``draw_jitter(p, rng)``                   step-time variability per rep (zeros without rng).
``plan_motion(p, body, jitter, *, com_ahead=None) -> Plan``
    every rep's events, the hip path and the placed contacts.
``kinematics(p, plan, t) -> dict``      pelvis x, height, yaw, lean (per frame time ``t``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from backpedal_dev.synth import truth
from backpedal_dev.synth.parametric_body import (
    Body,
    Contact,
    foot_shape,
    heading,
    smoothstep,
    sole_pitch_for,
)

if TYPE_CHECKING:
    from backpedal_dev.synth.parametric import BackpedalParams

_DECEL_GAPS = (1.0, 2.1, 3.3)  # braking touchdowns after the last sprint step, in sprint steps
_RESET_TDS = (0.15, 0.5)  # reset (turn-back) touchdowns after the stop, s
_RESET_END = 0.8  # next rep starts this long after the stop, s
_WALK_LEAD = 0.15  # first walk-back step starts this long after the stop, s


@dataclass
class RepPlan:
    """One rep: its start (global s), local event times ``ev`` and global phase times."""

    rep: int
    start: float
    ev: dict[str, Any]

    def g(self, key: str) -> float:
        """Global time of the local event ``key``."""
        return self.start + float(self.ev[key])


@dataclass
class Plan:
    """All reps, the hip path on a fine grid, and the placed contacts (global times)."""

    reps: list[RepPlan]
    contacts: list[Contact]
    grid_t: np.ndarray
    grid_x: np.ndarray
    grid_v: np.ndarray
    t_end: float


#: Longest interval between transition touchdowns (s): a planted foot cannot stay down for
#: longer while the hips keep moving (steps are added to a long transition when needed).
MAX_TRANSITION_STEP_S = 0.32


def transition_touchdowns(p: BackpedalParams) -> int:
    """Touchdowns in [T0, T1] (M13b): ``2 + transition_extra_steps``, or more when the
    transition is too long for that many steps (interval > ``MAX_TRANSITION_STEP_S``)."""
    need = int(np.ceil(p.transition_time_s / MAX_TRANSITION_STEP_S - 1e-9)) + 1
    return max(2 + p.transition_extra_steps, need)


def draw_jitter(p: BackpedalParams, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Per rep, relative step-time deviations of the backpedal steps (zeros without rng)."""
    if rng is None or p.step_time_cv <= 0:
        return [np.zeros(p.backpedal_steps) for _ in range(p.reps)]
    return [
        np.clip(rng.normal(0.0, p.step_time_cv, p.backpedal_steps), -0.4, 0.4)
        for _ in range(p.reps)
    ]


def _step_times(p: BackpedalParams, jitter: np.ndarray, *, recovery: bool) -> dict[str, Any]:
    """Local touchdown times of one rep (backpedal, transition, sprint, recovery)."""
    ts = 1.0 / p.cadence_steps_per_s
    tst = p.stance_fraction * ts
    t_go = p.ready_duration_s
    bp = t_go + (2 * ts - tst) + np.concatenate([[0.0], np.cumsum(ts * (1 + jitter[1:]))])
    t0 = float(bp[-1])
    ev: dict[str, Any] = {"ts": ts, "tst": tst, "t_go": t_go, "bp": bp.tolist(), "t0": t0}
    if p.transition == "none":
        ev.update(tr=[], t1=t0, ts_s=ts, dtr=ts, sp=[], last=t0)
    else:
        n_tr = transition_touchdowns(p)
        dtr = p.transition_time_s / (n_tr - 1)
        tr = [t0 + k * dtr for k in range(1, n_tr)]
        ts_s = 1.0 / p.sprint_cadence_steps_per_s
        t1 = tr[-1]
        sp = [t1 + k * ts_s for k in range(1, p.sprint_steps)]
        ev.update(tr=tr, t1=t1, ts_s=ts_s, dtr=dtr, sp=sp, last=sp[-1] if sp else t1)
    step = ev["ts_s"]
    if recovery:
        ev["dec"] = [ev["last"] + g * step for g in _DECEL_GAPS]
        ev["stop"] = ev["dec"][-1] + 0.25
        # a walk-back (forward, facing +x) to near the start line before the reset stance
        tw = 1.0 / p.walk_back_cadence_steps_per_s
        ev["walk"] = [ev["stop"] + _WALK_LEAD + k * tw for k in range(p.walk_back_steps)]
        ev["walk_tw"] = tw
        settle = ev["walk"][-1] + tw if ev["walk"] else ev["stop"]
        ev["settle"] = settle
        ev["reset"] = [settle + d for d in _RESET_TDS]
        ev["end"] = settle + _RESET_END
        ev["sprint_end"] = ev["last"] + step if p.transition != "none" else ev["last"]
    else:
        ev["virtual"] = [ev["last"] + k * step for k in (1, 2)]
        ev["end"] = ev["last"] + 0.9 * step
        ev["sprint_end"] = ev["end"]
    return ev


def _velocity(p: BackpedalParams, ev: dict[str, Any], t: np.ndarray) -> np.ndarray:
    """Signed hip velocity along x (m/s) at local times ``t``."""
    v_bp = p.speed_m_s
    v_sp = p.sprint_step_length_m * p.sprint_cadence_steps_per_s
    t_go, t0, t1 = ev["t_go"], ev["t0"], ev["t1"]
    v = -v_bp * smoothstep((t - t_go) / (2 * ev["ts"] - ev["tst"]))
    if p.transition == "turn_and_run":
        u = np.clip((t - t0) / (t1 - t0), 0, 1)
        dip = 1 - (1 - p.speed_retention) * np.sin(np.pi * u)
        v = np.where((t > t0) & (t < t1), -v_bp * dip, v)
        after = -(v_bp + (v_sp - v_bp) * smoothstep((t - t1) / (2 * ev["ts_s"])))
        v = np.where(t >= t1, after, v)
    elif p.transition == "break_forward":
        v1 = 0.5 * v_sp
        v = np.where(t > t0, -v_bp + (v_bp + v1) * smoothstep((t - t0) / (t1 - t0)), v)
        after = v1 + (v_sp - v1) * smoothstep((t - t1) / (2 * ev["ts_s"]))
        v = np.where(t >= t1, after, v)
    if "stop" in ev:
        a = ev["last"] + 0.5 * ev["ts_s"]
        v = v * (1 - smoothstep((t - a) / (ev["stop"] - 0.25 - a)))
        if ev.get("walk"):
            # walk-back: forward at walking speed, ramped over a step at each end
            tw, w0, w1 = ev["walk_tw"], ev["walk"][0] - 0.5 * ev["walk_tw"], ev["settle"]
            v_w = p.walk_back_step_length_m * p.walk_back_cadence_steps_per_s
            v = v + v_w * smoothstep((t - w0) / tw) * (1 - smoothstep((t - (w1 - tw)) / tw))
    return v


def _yaw(p: BackpedalParams, ev: dict[str, Any], t: np.ndarray) -> np.ndarray:
    """Pelvis yaw (rad): 0 facing +x; 180° hip flip after T0 (turn-and-run), turned back
    during the reset steps of a recovery."""
    if p.transition != "turn_and_run":
        return np.zeros_like(t)
    sign = 1.0 if p.turn_side == "left" else -1.0
    yaw = sign * np.pi * smoothstep((t - ev["t0"]) / (0.8 * (ev["t1"] - ev["t0"])))
    if "stop" in ev:
        # turned back to face +x within the reset time after the stop (before any walk-back)
        yaw = yaw * (1 - smoothstep((t - ev["stop"]) / (_RESET_END - 0.2)))
    return yaw


def _lean(p: BackpedalParams, ev: dict[str, Any], t: np.ndarray) -> np.ndarray:
    """Trunk lean (rad) towards the pelvis facing."""
    lean = np.full_like(t, p.trunk_lean_deg)
    if p.transition != "none":
        u = (t - ev["t0"]) / (ev["t1"] - ev["t0"])
        lean = lean + (p.sprint_lean_deg - p.trunk_lean_deg) * smoothstep(u)
    if "stop" in ev:
        back = smoothstep((t - ev["last"]) / (ev["stop"] - ev["last"]))
        lean = lean + (p.trunk_lean_deg - lean) * back
    return np.radians(lean)


def _height(p: BackpedalParams, body: Body, ev: dict[str, Any], t: np.ndarray) -> np.ndarray:
    """Mid-hip height (m): P0 level, P1 level with a bounce (lowest at mid-stance), P2 rise,
    P3 sprint height, back to the stance height in a recovery."""
    h = truth.H_STAND_LEG_LENGTHS * body.leg
    y0, y1 = p.stance_hip_height_ratio * h, p.hip_height_ratio * h
    ts, tst, first_td = ev["ts"], ev["tst"], ev["bp"][0]
    ramp = smoothstep((t - ev["t_go"]) / max(first_td - ev["t_go"], 1e-3))
    y = y0 + (y1 - y0) * ramp
    env = ramp * (1 - smoothstep((t - (ev["t0"] - 0.5 * ts)) / (0.5 * ts)))
    y = y - 0.5 * p.bounce_m * env * np.cos(2 * np.pi * (t - first_td - tst / 2) / ts)
    if p.transition != "none":
        u = (t - ev["t0"]) / (ev["t1"] - ev["t0"])
        y = y + np.where((u > 0) & (u < 1), p.hip_rise * h * np.sin(np.pi * np.clip(u, 0, 1)), 0)
        sprint = smoothstep((t - ev["t1"]) / (2 * ev["ts_s"]))
        y = y + (p.sprint_hip_height_ratio - p.hip_height_ratio) * h * sprint
    if "stop" in ev:
        back = smoothstep((t - ev["last"]) / (ev["stop"] - ev["last"]))
        y = y + (y0 - y) * back
    return y


def _rep_contacts(p: BackpedalParams, ev: dict[str, Any]) -> list[Contact]:
    """Contacts of one rep in local time (ready stance included, positions not yet set)."""
    first, other = p.first_foot, "left" if p.first_foot == "right" else "right"
    cs = [
        Contact(first, -1.0, ev["t_go"], phase="ready"),
        Contact(other, -1.0, ev["bp"][0] + ev["tst"] - ev["ts"], phase="ready"),
    ]
    feet, k = [first, other], 0

    def add(td: float, stance: float, phase: str) -> None:
        nonlocal k
        cs.append(Contact(feet[k % 2], td, td + stance, phase=phase))
        k += 1

    for td in ev["bp"]:
        add(td, ev["tst"], "backpedal")
    if p.transition != "none":
        cs[-1].phase, cs[-1].to = "plant", cs[-1].td + 0.65 * ev["dtr"]
        for td in ev["tr"][:-1]:
            add(td, 0.65 * ev["dtr"], "transition")
        for td in [ev["t1"], *ev["sp"]]:
            add(td, 0.6 * ev["ts_s"], "sprint")
    run = "backpedal" if p.transition == "none" else "sprint"
    stance = ev["tst"] if p.transition == "none" else 0.6 * ev["ts_s"]
    for td in ev.get("virtual", []):
        add(td, stance, run)
    dec = list(ev.get("dec", []))
    walk = list(ev.get("walk", []))
    if dec and feet[(k + len(dec) + len(walk) + 1) % 2] != other:
        dec = dec[:-1]  # so that the last reset step is not the next rep's first foot
    for td in dec:
        add(td, min(0.2, 0.8 * ev["ts_s"]), "recovery")
    for td in walk:
        add(td, 0.6 * ev["walk_tw"], "walk")
    for td in ev.get("reset", []):
        add(td, 1e6, "reset")  # lasts until the next rep's first toe-off
    return cs


def _foot_span(body: Body, pitch: float) -> float:
    """Horizontal heel-to-toe landmark distance (m) of a planted foot at sole ``pitch``."""
    pts = foot_shape(body, np.array([pitch]), np.array([0.0]), np.array([float(pitch > 0)]))
    return float(pts["toe"][0, 0] - pts["heel"][0, 0])


def _place(
    p: BackpedalParams, body: Body, c: Contact, rep: RepPlan, path: tuple, com_ahead
) -> None:
    """Set a contact's position, yaw and pitch from the hip path at its mid-stance.

    The heel-toe mid-point lands under the whole-body COM at mid-stance (plus
    ``touchdown_reach_m`` in the travel direction); in a ready / reset stance the feet sit so
    that the COM is at ``balance_index`` of the heel→toe span (M5b). ``com_ahead(t)`` gives the
    COM's distance ahead of the mid-hip (m); without it a trunk-only estimate is used.
    """
    grid, x, v = path
    ev = rep.ev
    local = 0.0 if c.td < 0 else (c.td + 0.1 if c.phase == "reset" else 0.5 * (c.td + c.to))
    tg = rep.start + local
    yaw = 0.0 if c.phase == "reset" else float(_yaw(p, ev, np.array([local]))[0])
    lean = _lean(p, ev, np.array([local]))
    fwd, right = heading(np.array(yaw))
    vel = float(np.interp(tg, grid, v))
    travel = np.sign(vel) if abs(vel) > 1e-6 else -1.0
    side = 1.0 if c.foot == "right" else -1.0
    width, reach = 0.12, 0.0
    if c.phase in ("ready", "reset"):
        width = p.stance_width_ratio * body.shoulder_w
    elif c.phase in ("backpedal", "plant"):
        width, reach = p.step_width_ratio * body.shoulder_w, p.touchdown_reach_m
    if c.phase == "plant" and p.transition == "break_forward":
        reach += 0.25
    if c.phase == "plant" and p.transition == "turn_and_run":
        yaw += (np.pi / 4) * (1.0 if p.turn_side == "left" else -1.0)
    on_balls = c.phase in ("ready", "backpedal", "plant", "reset")
    c.pitch = sole_pitch_for(body, p.foot_pitch_deg if on_balls else 15.0)
    ahead = float(com_ahead(tg)) if com_ahead else float(0.395 * body.torso * np.sin(lean[0]))
    if c.phase in ("ready", "reset"):
        ahead -= (p.balance_index - 0.5) * _foot_span(body, c.pitch)
    centre = np.interp(tg, grid, x) * np.array([1.0, 0, 0]) + fwd * ahead
    centre = centre + right * side * width / 2
    c.x, c.z = float(centre[0] + travel * reach), float(centre[2])
    c.yaw, c.reach = yaw, reach


def plan_motion(
    p: BackpedalParams,
    body: Body,
    jitter: list[np.ndarray],
    *,
    com_ahead: Callable[[float], float] | None = None,
) -> Plan:
    """Plan every rep: events, the hip path (1 ms grid) and placed contacts (global times).

    ``jitter`` comes from ``draw_jitter``; ``com_ahead(t)`` (m) from a first pass (see
    ``_place``).
    """
    reps, start = [], 0.0
    for r in range(p.reps):
        ev = _step_times(p, jitter[r], recovery=r < p.reps - 1)
        reps.append(RepPlan(r, start, ev))
        start += ev["end"]
    t_end = start
    grid = np.arange(0.0, t_end + 1.0, 1e-3)
    v = np.zeros_like(grid)
    for rep in reps:
        sel = grid >= rep.start
        v[sel] = _velocity(p, rep.ev, grid[sel] - rep.start)
    x = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * 1e-3)])
    contacts: list[Contact] = []
    for rep in reps:
        cs = _rep_contacts(p, rep.ev)
        for c in cs:
            _place(p, body, c, rep, (grid, x, v), com_ahead)
            c.td, c.to = rep.start + c.td, rep.start + c.to
        if rep.rep > 0:  # the previous rep's reset stance is this rep's ready stance
            for c in (c for c in cs if c.phase == "ready"):
                prev = [q for q in contacts if q.foot == c.foot and q.phase == "reset"][-1]
                prev.to = c.to
            cs = [c for c in cs if c.phase != "ready"]
        contacts += cs
    return Plan(reps, contacts, grid, x, v, t_end)


def kinematics(p: BackpedalParams, body: Body, plan: Plan, t: np.ndarray) -> dict[str, Any]:
    """Per-frame pelvis x, height, yaw, lean (rad) and the rep index at global times ``t``."""
    out = {k: np.zeros_like(t) for k in ("y", "yaw", "lean")}
    out["rep"] = np.zeros(t.size, dtype=int)
    for rep in plan.reps:
        sel = t >= rep.start - 1e-9
        local = t[sel] - rep.start
        out["y"][sel] = _height(p, body, rep.ev, local)
        out["yaw"][sel] = _yaw(p, rep.ev, local)
        out["lean"][sel] = _lean(p, rep.ev, local)
        out["rep"][sel] = rep.rep
    out["x"] = np.interp(t, plan.grid_t, plan.grid_x)
    return out
