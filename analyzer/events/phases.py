"""Phases and reps: ready stance, backpedal, transition (T0 -> T1) and sprint (METRICS §6).

A rep is anchored on a backpedal: a sustained run of frames where the hips travel opposite
to the facing direction (``e_t = -f``). Before it, a still stretch is the ready stance; after
it, the transition starts at T0 (the last backpedal touchdown before the body starts to turn,
brake or flip its facing) and ends at T1 (the first touchdown facing the travel direction
with the hips moving forward); the sprint follows. Several backpedals give several reps.
"""

from __future__ import annotations

import itertools

import numpy as np

from analyzer.events.phase_params import PhaseParams, RepTiming
from analyzer.events.scene import Scene
from analyzer.events.travel import stepped_travel
from analyzer.events.turn import find_turn_onset, time_to_face
from analyzer.numeric import derivative, lowpass, nanmedian, runs, sustained
from analyzer.results import ContactEvent, Phase, TransitionKind

#: The travel direction after a cue is read over the last third of its frames.
_KIND_TAIL_PARTS = 3

__all__ = [
    "PhaseParams",
    "RepTiming",
    "hip_speed_leg_per_s",
    "scene_stepped_travel",
    "segment_phases",
]


def hip_speed_leg_per_s(scene: Scene) -> np.ndarray:
    """(T,) signed hip velocity in L/s along the travel axis (see ``Scene.speed_leg_per_s``)."""
    return scene.speed_leg_per_s


def scene_stepped_travel(
    scene: Scene, events: list[ContactEvent], params: PhaseParams | None = None
) -> np.ndarray:
    """(T,) the scene's travel sign where it is stepped (at least ``min_travel_touchdowns``
    plants per stretch, :func:`analyzer.events.travel.stepped_travel`), else 0."""
    prm = params or PhaseParams()
    tds = np.array([e.frame for e in events if e.kind == "touchdown"], dtype=int)
    return stepped_travel(
        scene.travel, tds, max_gap=round(prm.merge_gap_s * scene.fs),
        min_touchdowns=prm.min_travel_touchdowns,
        min_step=max(1, round(prm.min_travel_step_s * scene.fs)),
    )  # fmt: skip


def segment_phases(
    scene: Scene, events: list[ContactEvent], params: PhaseParams | None = None
) -> tuple[list[Phase], list[RepTiming]]:
    """Phases of every rep in the clip (METRICS §6) and the key frames of each rep."""
    prm = params or PhaseParams()
    n, fs = scene.n_frames, scene.fs
    tds = np.array(sorted(e.frame for e in events if e.kind == "touchdown"), dtype=int)
    travel = scene_stepped_travel(scene, events, prm)
    back = (travel != 0) & (travel == -scene.facing)
    back = _close_gaps(back, round(prm.merge_gap_s * fs))
    # frames where the athlete was not tracked do not interrupt a backpedal
    lost = ~np.isfinite(scene.hip()[:, 0])
    back = _close_gaps(back, round(prm.max_lost_s * fs), lost)
    segs = [(a, b) for a, b in runs(back) if (b - a) >= prm.min_backpedal_s * fs]
    tos = np.array(sorted(e.frame for e in events if e.kind == "toe_off"), dtype=int)
    phases: list[Phase] = []
    timings: list[RepTiming] = []
    prev_end = 0
    for rep, (a, b) in enumerate(segs):
        nxt = segs[rep + 1][0] if rep + 1 < len(segs) else n
        tm = _rep_timing(scene, rep, a, b, nxt, prev_end, tds, tos, prm)
        phases.extend(_phases_of(scene, tm, prev_end, prm))
        timings.append(tm)
        prev_end = tm.end
    return phases, timings


def _close_gaps(mask: np.ndarray, max_gap: int, only: np.ndarray | None = None) -> np.ndarray:
    """Fill gaps between True runs up to ``max_gap`` frames (if ``only`` is given, only gaps
    mostly made of its True frames)."""
    out = mask.copy()
    rr = runs(mask)
    for (_, b), (a2, _) in itertools.pairwise(rr):
        if a2 - b <= max_gap and (only is None or float(np.mean(only[b:a2])) >= 0.5):
            out[b:a2] = True
    return out


def _rep_timing(
    scene: Scene,
    rep: int,
    a: int,
    b: int,
    nxt: int,
    prev_end: int,
    tds: np.ndarray,
    tos: np.ndarray,
    prm: PhaseParams,
) -> RepTiming:
    fs = scene.fs
    speed = np.abs(np.nan_to_num(hip_speed_leg_per_s(scene)))
    moving = sustained(speed > prm.onset_speed_leg_per_s, max(1, round(prm.onset_min_s * fs)))
    onset = a
    while onset > prev_end and moving[onset - 1]:
        onset -= 1
    first_to = tos[(tos >= onset) & (tos < b)]
    near = first_to.size and first_to[0] - onset < prm.first_toe_off_max_s * fs
    start = int(first_to[0]) if near else a
    cues = _turn_cues(scene, start, b, nxt, prm)
    if not cues:
        return RepTiming(rep, onset if onset > prev_end else None, start, None, None, None,
                         min(nxt, b), "none")  # fmt: skip
    cue, cue_frame = min(cues.items(), key=lambda kv: kv[1])
    before = tds[(tds >= start) & (tds <= cue_frame)]
    step = max(1, round(_step_time_s(scene, tds, start, cue_frame, prm) * fs))
    turn_onset, t_face, turn = None, None, None
    if "body yaw" in cues:
        turn_onset, t_face, turn = find_turn_onset(scene, start, cues["body yaw"], prm)
    t0, t0_inferred = (int(before[-1]), False) if before.size else (cue_frame, True)
    if not before.size and turn_onset is not None:
        t0 = turn_onset
    while before.size and t0 + step <= cue_frame:
        # a whole step without a touchdown before the turn cue: the detector missed the
        # plant (front views miss many); it fell a step after the last touchdown found
        t0, t0_inferred = t0 + step, True
    if "facing flip" in cues and turn is not None and turn_onset is not None:
        # §6 T1: the 2D facing sign (feet, nose and world-yaw votes, median-filtered) flips
        # cleanly when the body passes 90 deg, while the frame-by-frame world yaw swings
        # wildly through the frontal orientation; the turn's duration (the fit's, at most
        # twice the plant-to-flip time: the turn starts at the plant, T0, and the flip is
        # half-way) gives the time from 90 deg to within 30 deg of the travel direction
        flip = float(cues["facing flip"])
        dur = min(turn[1], 2.0 * max(flip - t0, 0.0) / fs)
        t_face = flip + time_to_face((turn[0], dur, turn[2]), prm) * fs
    t1, kind = _transition_end(scene, start, cue_frame, nxt, tds, prm, t_face=t_face, step=step)
    t1_inferred = t1 is not None and t1 not in set(tds.tolist())
    if t1 is None and set(cues) == {"braking"}:  # the athlete just stopped
        return RepTiming(rep, onset if onset > prev_end else None, start, None, None, None,
                         max(t0, start + 1), "none", "stop")  # fmt: skip
    if t1 is not None and t1 <= t0:
        t1 = None
    # without T1 (no forward run reached) the transition lasts until the next rep or the
    # longest transition searched
    no_t1_end = min(nxt, scene.n_frames, cue_frame + round(prm.max_transition_s * fs))
    end = _sprint_end(scene, t1, nxt, prm) if t1 is not None else max(no_t1_end, t0 + 1)
    return RepTiming(rep, onset if onset > prev_end else None, start, t0, turn_onset, t1,
                     max(end, t0 + 1), kind, cue, t0_inferred, t1_inferred)  # fmt: skip


def _turn_cues(scene: Scene, start: int, b: int, nxt: int, prm: PhaseParams) -> dict[str, int]:
    """First frame of each transition cue after the backpedal's steady part: body yaw (or
    frontality), braking, facing flip (METRICS §6 T0 (a)-(c)). Empty when the backpedal just
    fades out."""
    fs = scene.fs
    # a turn or brake ends the backward run: search near its end, not in its steady part
    lo = max(start + max(2, round(prm.cue_min_after_start_s * fs)), b - round(prm.cue_lead_s * fs))
    hi = min(nxt, b + round(prm.max_transition_s * fs), scene.n_frames)
    if hi - lo < 2:
        return {}
    cues: list[tuple[int, str]] = []
    ref = slice(start, max(start + 2, b - round(prm.reference_trim_s * fs)))
    yaw_ok = scene.yaw_deg is not None and np.isfinite(scene.yaw_deg[ref]).sum()
    if scene.yaw_deg is not None and yaw_ok > prm.min_reference_samples:
        yaw = lowpass(scene.yaw_deg, fs, prm.turn_cutoff_hz)
        med = nanmedian(yaw[ref])
        rate = np.abs(derivative(yaw, scene.times_s))
        off = (np.abs(yaw - med) > prm.yaw_departure_deg) | (rate > prm.yaw_rate_deg_per_s)
        hit = np.flatnonzero(sustained(off, max(2, int(prm.turn_min_s * fs)))[lo:hi])
        if hit.size:
            # the 2 Hz yaw confirms the turn; the 6 Hz yaw times it (the zero-lag low-pass
            # smears a quick turn earlier, before the touchdown that starts it)
            fine = np.abs(scene.yaw_deg - med) > prm.yaw_departure_deg
            cues.append((_refine_cue(fine, lo + int(hit[0]), fs, prm.cue_refine_s), "body yaw"))
    else:
        q = scene.frontality
        med = nanmedian(q[ref])
        hit = np.flatnonzero(
            sustained(np.nan_to_num(q) > med + prm.q_rise, max(2, int(prm.q_rise_min_s * fs)))[
                lo:hi
            ]
        )
        if hit.size:
            cues.append((lo + int(hit[0]), "frontality"))
    # backward speed, smoothed over about a stride so step-to-step surges do not count
    v = -scene.facing[start] * lowpass(hip_speed_leg_per_s(scene), fs, prm.brake_cutoff_hz)
    v_bp = float(np.nanmean(v[start:b])) if b > start and np.isfinite(v[start:b]).any() else 0.0
    up = np.flatnonzero(v[start:hi] >= prm.brake_search_fraction * v_bp)
    lo_b = max(lo, start + int(up[0])) if up.size else hi
    slow_mask = sustained(v < prm.brake_fraction * v_bp, max(2, int(prm.brake_min_s * fs)))
    win = round(prm.max_transition_s * fs)
    for k0 in np.flatnonzero(slow_mask[lo_b:hi] & ~np.r_[False, slow_mask[lo_b : hi - 1]]):
        k = lo_b + int(k0)
        # a real brake ends the backpedal: the speed then nearly stops or reverses
        if v_bp > 0 and np.nanmin(v[k : min(scene.n_frames, k + win)]) < prm.brake_confirm * v_bp:
            v4 = -scene.facing[start] * hip_speed_leg_per_s(scene)
            fine = sustained(v4 < prm.brake_fraction * v_bp, max(2, int(prm.brake_fine_min_s * fs)))
            cues.append((_refine_cue(fine, k, fs, prm.cue_refine_s), "braking"))
            break
    flip = np.flatnonzero(scene.facing[lo:hi] == -scene.facing[start])
    if flip.size:
        cues.append((lo + int(flip[0]), "facing flip"))
    found = {name: frame for frame, name in cues}
    if scene.view.view in ("front", "rear") and "body yaw" in found:
        # the radial speed proxy of a front view is too coarse to time a brake against a turn
        found.pop("braking", None)
    return found


def _refine_cue(fine: np.ndarray, k: int, fs: float, search_s: float) -> int:
    """First frame of ``fine`` (the same test on a less smoothed signal) from ``search_s``
    before the coarse cue ``k`` to ``search_s`` after it; ``k`` when there is none."""
    a, b = max(0, k - round(search_s * fs)), min(fine.size, k + round(search_s * fs) + 1)
    hit = np.flatnonzero(fine[a:b])
    return a + int(hit[0]) if hit.size else k


def _step_time_s(scene: Scene, tds: np.ndarray, a: int, b: int, prm: PhaseParams) -> float:
    """Median touchdown-to-touchdown time in frames ``[a, b]``, clipped to
    ``[min_step_s, max_step_s]`` (``default_step_s`` when fewer than
    ``min_step_touchdowns`` touchdowns were found there)."""
    sel = tds[(tds >= a) & (tds <= b)]
    if sel.size < prm.min_step_touchdowns:
        return prm.default_step_s
    step = np.median(np.diff(scene.times_s[sel]))
    return float(np.clip(step, prm.min_step_s, prm.max_step_s))


def _transition_end(
    scene: Scene,
    start: int,
    cue: int,
    nxt: int,
    tds: np.ndarray,
    prm: PhaseParams,
    *,
    t_face: float | None = None,
    step: int,
) -> tuple[int | None, TransitionKind]:
    """T1 (first touchdown facing the travel direction with the hips moving forward at
    > 0.5 L/s) and the transition kind (METRICS §6).

    ``t_face``: frame where the fitted hip turn faces the travel direction (see
    ``events.turn.find_turn_onset``); when given it replaces the frame-by-frame facing test.
    A touchdown follows the turn within one step (``step`` frames); when none was detected
    there, one was missed and T1 is put half a step after ``t_face`` (the expected time of
    a touchdown at a random phase of the step).
    """
    fs = scene.fs
    hi = min(nxt, cue + round(prm.max_transition_s * fs), scene.n_frames)
    f0 = scene.facing[start]
    travel0 = -f0
    v = np.nan_to_num(hip_speed_leg_per_s(scene))
    fwd = (scene.travel != 0) & (np.abs(v) > prm.forward_speed_leg_per_s)
    if t_face is not None:
        lo = int(np.ceil(t_face))
        cand = [int(t) for t in tds if lo <= t < hi and fwd[t]]
        if cand and cand[0] - t_face <= step:
            t1 = cand[0]
        else:
            t1 = min(hi - 1, scene.n_frames - 1, round(t_face + 0.5 * step))
        return t1, _kind(scene, start, cue, min(scene.n_frames, t1 + int(prm.kind_window_s * fs)),
                         travel0, prm)  # fmt: skip
    if scene.yaw_deg is not None:
        # world yaw within 30 deg of the travel direction: image x (side) or the camera axis
        psi = np.radians(scene.yaw_deg)
        along = np.cos(psi) if scene.view.view in ("front", "rear") else np.sin(psi)
        faces = along * scene.travel > np.cos(np.radians(prm.facing_tolerance_deg))
        # where the world landmarks are missing, the 2D facing sign decides
        fwd &= np.where(np.isfinite(along), faces, scene.facing == scene.travel)
    else:
        fwd &= scene.travel == scene.facing
    cand = [int(t) for t in tds if cue <= t < hi and fwd[t]]
    if not cand:
        hit = np.flatnonzero(fwd[cue:hi])
        if not hit.size:
            return None, _kind(scene, start, cue, hi, travel0, prm)
        cand = [cue + int(hit[0])]
    t1 = cand[0]
    return t1, _kind(scene, start, cue, min(scene.n_frames, t1 + int(prm.kind_window_s * fs)),
                     travel0, prm)  # fmt: skip


def _kind(
    scene: Scene, start: int, cue: int, until: int, travel0: int, prm: PhaseParams
) -> TransitionKind:
    """Transition kind from the change of velocity direction (METRICS §6).

    turn_and_run: the hips keep travelling the same way (the facing flips); break_forward:
    the travel reverses with the facing kept; break_angle: the travel reverses or stops
    along the image axis while the world yaw settles 45-135 deg away from the backpedal's
    (the run goes off at an angle to the camera axis or the backpedal line).
    """
    tr = scene.travel[cue:until]
    tr = tr[tr != 0]
    after = int(np.sign(np.sum(tr[-max(1, tr.size // _KIND_TAIL_PARTS) :]))) if tr.size else 0
    if after == travel0:
        return "turn_and_run"
    if scene.yaw_deg is not None:
        yaw = lowpass(scene.yaw_deg, scene.fs, 2.0)
        end = min(scene.n_frames, until + int(0.5 * scene.fs) + 1)
        dev = np.abs(yaw[cue:end] - nanmedian(yaw[start:cue]))
        settled = nanmedian(dev[-max(1, int(prm.settle_s * scene.fs)) :]) if dev.size else np.nan
        if np.isfinite(settled) and (
            prm.break_angle_min_deg <= settled <= prm.break_angle_max_deg
        ):
            return "break_angle"
    return "break_forward" if after == -travel0 else "none"


def _sprint_end(scene: Scene, t1: int, nxt: int, prm: PhaseParams) -> int:
    """End of the forward run that starts at T1 (or the next rep's start)."""
    fwd = (scene.travel != 0) & (scene.travel == scene.travel[t1] if scene.travel[t1] else True)
    f = t1
    while f < nxt and f < scene.n_frames and fwd[f]:
        f += 1
    return max(f, t1 + 1)


def _phases_of(scene: Scene, tm: RepTiming, prev_end: int, prm: PhaseParams) -> list[Phase]:
    t = scene.times_s
    speed = np.abs(np.nan_to_num(hip_speed_leg_per_s(scene)))
    out: list[Phase] = []

    def add(kind: str, a: int, b: int, tk: TransitionKind | None = None) -> None:
        b = min(b, scene.n_frames - 1)
        if b > a:
            out.append(Phase(kind, float(t[a]), float(t[b]), int(a), int(b), tm.rep, tk))  # type: ignore[arg-type]

    onset = tm.onset if tm.onset is not None else tm.backpedal_start
    a = onset
    tracked = np.isfinite(scene.hip()[:, 0])
    while a > prev_end and speed[a - 1] < prm.onset_speed_leg_per_s and tracked[a - 1]:
        a -= 1
    if onset - a >= prm.ready_min_s * scene.fs:
        add("ready", a, onset)
    bp_end = tm.t0 if tm.t0 is not None else tm.end
    add("backpedal", tm.backpedal_start, bp_end)
    if tm.t0 is not None:
        t1 = tm.t1 if tm.t1 is not None else tm.end
        add("transition", tm.t0, t1, tm.kind)
        if tm.t1 is not None:
            add("sprint", tm.t1, tm.end)
    return out
