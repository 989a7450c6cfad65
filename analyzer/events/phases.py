"""Phases and reps: ready stance, backpedal, transition (T0 -> T1) and sprint (METRICS §6).

A rep is anchored on a backpedal: a sustained run of frames where the hips travel opposite
to the facing direction (``e_t = -f``). Before it, a still stretch is the ready stance; after
it, the transition starts at T0 (the last backpedal touchdown before the body starts to turn,
brake or flip its facing) and ends at T1 (the first touchdown facing the travel direction
with the hips moving forward); the sprint follows. Several backpedals give several reps.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.scene import Scene
from analyzer.events.travel import stepped_travel
from analyzer.events.view import body_yaw_deg
from analyzer.numeric import derivative, lowpass, nanmedian, runs, sustained
from analyzer.results import ContactEvent, Phase, TransitionKind

#: Fewest yaw samples a raised-cosine turn is fitted to (4 unknowns, twice over).
MIN_FIT_SAMPLES = 8
#: Coarse grid of the turn fit: start times x durations, then a fine grid around the best
#: cell (``_fit_turn``); 41 x 39 cells keep the coarse steps below 1/40 of the window.
TURN_GRID_STARTS = 41
TURN_GRID_DURATIONS = 39
TURN_FINE_GRID = 21
#: Soft-L1 scale (deg), IRLS iterations and amplitude bound of the turn fit (a turn of more
#: than 400 deg is not a transition).
TURN_LOSS_SCALE_DEG = 10.0
TURN_IRLS_ITERATIONS = 4
MAX_TURN_AMP_DEG = 400.0
#: Reweighting passes of the robust circle fit and the MAD-to-sigma factor of a normal
#: distribution (Rousseeuw & Croux 1993).
CIRCLE_IRLS_ITERATIONS = 3
MAD_TO_SIGMA = 1.4826
#: Numerical floors of the circle fit (squared radius; residual scale).
_RADIUS2_FLOOR = 1e-12
_SCALE_FLOOR = 1e-9
#: The travel direction after a cue is read over the last third of its frames.
_KIND_TAIL_PARTS = 3


@dataclass(frozen=True)
class PhaseParams:
    """Parameters of phase segmentation (METRICS §6, [EJ] defaults).

    Attributes
    ----------
    onset_speed_leg_per_s, onset_min_s
        Movement onset: hip speed above 0.3 L/s for at least 0.1 s.
    still_speed_leg_per_s, ready_min_s
        Ready stance: hip speed below 0.2 L/s (scored when it lasts >= 0.3 s).
    min_backpedal_s
        Shortest backward run taken as a backpedal.
    merge_gap_s
        Backward runs separated by less than this are one backpedal.
    min_travel_touchdowns
        A stretch of travel (runs ``merge_gap_s`` apart taken as one) counts only with at
        least this many touchdowns in it: one whole step from plant to plant
        (:func:`analyzer.events.travel.stepped_travel`; a weight shift onto one foot is
        not a backpedal).
    yaw_rate_deg_per_s
        Body-yaw rate that starts a transition (§6 (a): 200 deg/s).
    yaw_departure_deg
        Departure of the world yaw from its backpedal median that marks a turn (45 deg; the
        spec's "Q rises 0.2" is ~13 deg out of profile, too close to the frame-to-frame
        scatter of world-landmark yaw, so the turn is confirmed at 45 deg and its onset is
        traced back with ``onset_rate_deg_per_s``).
    onset_rate_deg_per_s, turn_fit_before_s, turn_fit_after_s
        Turn onset: where a raised-cosine turn fitted to the world yaw from 1.2 s before to
        0.8 s after the confirmed turn first exceeds 60 deg/s.
    yaw_cutoff_hz
        Low-pass of the pelvis yaw for the onset (3 Hz).
    onset_from_pelvis, offset_min_arc_deg
        Fit the turn to the hip line's yaw (the truth's pelvis yaw), with the constant
        offset between the hip landmarks removed when the clip's hip vectors span at least
        120 deg of their circle (``_pelvis_yaw_deg``).
    turn_cutoff_hz, turn_min_s
        The turn is confirmed on the world yaw low-passed at 2 Hz and departed for >= 0.2 s
        (world-landmark depth is noisy; single-frame excursions are not turns).
    q_rise
        Rise of the 2D frontality Q above the backpedal median (§6 (a), no world landmarks).
    brake_fraction
        Backward hip speed below this fraction of the backpedal mean marks braking (§6 (b)).
    brake_cutoff_hz
        Low-pass of the hip speed for the braking test (1 Hz: averages over a stride).
    brake_confirm
        A slow-down counts as braking only if the speed then falls below this fraction of
        the backpedal speed (or reverses) within ``max_transition_s``; otherwise it was a
        surge-and-ease of a steady backpedal.
    forward_speed_leg_per_s
        Hip speed forward that ends the transition (§6 T1: 0.5 L/s).
    facing_tolerance_deg
        World yaw within this of the travel direction counts as facing it (§6 T1: 30 deg).
    max_transition_s
        Longest transition searched for T1 after T0.
    max_lost_s
        A backpedal continues through up to 1 s of frames where the athlete was not tracked.
    cue_lead_s
        Transition cues are searched from this long before the end of the backward run (a
        cue earlier than that, followed by more backpedalling, was not a transition).
    first_toe_off_max_s
        The backpedal starts at its first toe-off when that comes within 0.6 s of the
        movement onset (a first step takes 0.3-0.5 s [EJ]), else where the backward run does.
    cue_min_after_start_s, reference_trim_s, min_reference_samples
        Cues are searched from 0.3 s after the backpedal starts (one step, [EJ]); the
        backpedal reference (yaw, frontality, speed medians) ends 0.2 s before the backward
        run does and needs more than 3 world-yaw samples (else the 2D frontality is used).
    q_rise_min_s
        The frontality rise must last 0.1 s (three frames at 30 fps: not a one-frame blip).
    brake_search_fraction, brake_min_s, brake_fine_min_s
        Braking is searched once the smoothed backward speed has reached 0.9 of its
        backpedal mean (before that the athlete is still accelerating), and the slow-down
        must last 0.15 s on the 1 Hz speed and 0.1 s on the unsmoothed speed that times it.
    cue_refine_s
        A cue found on a smoothed signal is re-timed on a less smoothed one within 0.3 s
        (the half-width of the 2 Hz / 1 Hz smoothing kernels, [EJ]).
    circle_min_samples, circle_max_centre_radius
        The pelvis circle fit (``_pelvis_yaw_deg``) needs 20 hip vectors and is used only
        when its centre lies within 0.8 radius of the origin (the landmark offset it
        removes is small, SYNTHETIC.md: ~0.05 torso lengths).
    default_step_s, min_step_s, max_step_s, min_step_touchdowns
        Step time for inferring a missed plant: the median touchdown interval (needs 3
        touchdowns), clipped to 0.15-0.5 s; 0.26 s (3.8 steps/s, the middle of the M7 good
        band, METRICS §7) otherwise.
    turn_min_dur_s, turn_max_dur_s
        Durations the raised-cosine turn fit may take: 0.15 s (a snap of the hips) to 3 s
        (a slow rounded turn).
    kind_window_s, settle_s, break_angle_min_deg, break_angle_max_deg
        The transition kind is read from the travel up to 0.3 s after T1; a break at an
        angle is a world yaw settled (median over the last 0.2 s) 45-135 deg away from the
        backpedal's (METRICS §6).
    """

    onset_speed_leg_per_s: float = 0.3
    onset_min_s: float = 0.1
    still_speed_leg_per_s: float = 0.2
    ready_min_s: float = 0.3
    min_backpedal_s: float = 0.5
    merge_gap_s: float = 0.5
    min_travel_touchdowns: int = 2
    yaw_rate_deg_per_s: float = 200.0
    yaw_departure_deg: float = 45.0
    onset_rate_deg_per_s: float = 60.0
    turn_fit_before_s: float = 1.2
    onset_from_pelvis: bool = True
    offset_min_arc_deg: float = 120.0
    turn_fit_after_s: float = 0.8
    yaw_cutoff_hz: float = 3.0
    turn_cutoff_hz: float = 2.0
    turn_min_s: float = 0.2
    q_rise: float = 0.2
    brake_fraction: float = 0.7
    brake_cutoff_hz: float = 1.0
    brake_confirm: float = 0.25
    forward_speed_leg_per_s: float = 0.5
    facing_tolerance_deg: float = 30.0
    max_transition_s: float = 2.0
    max_lost_s: float = 1.0
    cue_lead_s: float = 1.0
    first_toe_off_max_s: float = 0.6
    cue_min_after_start_s: float = 0.3
    reference_trim_s: float = 0.2
    min_reference_samples: int = 3
    q_rise_min_s: float = 0.1
    brake_search_fraction: float = 0.9
    brake_min_s: float = 0.15
    brake_fine_min_s: float = 0.1
    cue_refine_s: float = 0.3
    circle_min_samples: int = 20
    circle_max_centre_radius: float = 0.8
    default_step_s: float = 0.26
    min_step_s: float = 0.15
    max_step_s: float = 0.5
    min_step_touchdowns: int = 3
    turn_min_dur_s: float = 0.15
    turn_max_dur_s: float = 3.0
    kind_window_s: float = 0.3
    settle_s: float = 0.2
    break_angle_min_deg: float = 45.0
    break_angle_max_deg: float = 135.0


@dataclass(frozen=True)
class RepTiming:
    """Key frames of one rep (frame indices; None when the rep has no such event).

    ``t0_inferred`` / ``t1_inferred``: T0 / T1 stand in for a touchdown that contact
    detection missed (the plant one step after the last touchdown found, or the turn onset;
    the first touchdown after the body faces the travel direction); they still count as
    transition contacts (M13b).
    """

    rep: int
    onset: int | None
    backpedal_start: int
    t0: int | None
    turn_onset: int | None
    t1: int | None
    end: int
    kind: TransitionKind
    cue: str = ""
    t0_inferred: bool = False
    t1_inferred: bool = False


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
        min_step=max(1, round(prm.min_step_s * scene.fs)),
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
        turn_onset, t_face, turn = _turn_onset(scene, start, cues["body yaw"], prm)
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
        t_face = flip + _time_to_face((turn[0], dur, turn[2]), prm) * fs
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


def _turn_onset(
    scene: Scene, start: int, anchor: int, prm: PhaseParams
) -> tuple[int, float | None, tuple[float, float, float] | None]:
    """Frame where the body starts to turn into the turn confirmed at ``anchor``, and the
    (fractional) frame where the fitted turn comes within ``facing_tolerance_deg`` of its
    final heading, and the fit (start s, duration s, amplitude deg); None without a fit.

    World-landmark yaw is too noisy to threshold its rate frame by frame, so a raised-cosine
    rotation ``b + A S((t - t_s) / T)`` is fitted (robust least squares) to the body yaw from
    ``turn_fit_before_s`` before the anchor to ``turn_fit_after_s`` after it; the onset is
    where the fitted profile's rate first exceeds ``onset_rate_deg_per_s`` (the definition of
    ``backpedal_dev.synth.truth.turn_onset_s``). The mean of the shoulder and hip lines is used:
    the hip line alone is short and its yaw unwraps wrongly under depth noise. The facing
    time is read off the same fit (§6 T1: "world yaw within 30 deg of the travel
    direction"): the frame-by-frame world yaw swings wildly while the body passes through the
    frontal orientation (left/right labels flip), the fitted turn does not.
    The hip line's yaw comes from :func:`_pelvis_yaw_deg` (constant landmark offsets removed).
    """
    if scene.yaw_deg is None:
        return anchor, None, None
    fs, t = scene.fs, scene.times_s
    a = max(start, anchor - round(prm.turn_fit_before_s * fs))
    b = min(scene.n_frames, anchor + round(prm.turn_fit_after_s * fs))
    yaw = scene.yaw_deg
    pelvis = _pelvis_yaw_deg(scene, prm) if prm.onset_from_pelvis else None
    if pelvis is not None:
        # the hip line's yaw, unwrapped around the body yaw (its own unwrap fails on noise)
        yaw = yaw + (pelvis - yaw + 180.0) % 360.0 - 180.0
    tt, yy = t[a:b], yaw[a:b]
    ok = np.isfinite(yy)
    if ok.sum() < MIN_FIT_SAMPLES:
        return anchor, None, None
    fit = _fit_turn(tt[ok], yy[ok], float(t[anchor]), prm)
    if fit is None:
        return anchor, None, None
    t_s, dur, amp = fit
    peak = np.pi * abs(amp) / (2.0 * dur)
    t_face = None
    if abs(amp) > prm.facing_tolerance_deg:
        u = np.arccos(1.0 - 2.0 * (1.0 - prm.facing_tolerance_deg / abs(amp))) / np.pi
        t_face = float(np.interp(t_s + u * dur, t, np.arange(t.size)))
    if peak <= prm.onset_rate_deg_per_s:
        return anchor, t_face, fit
    t_on = t_s + dur / np.pi * np.arcsin(prm.onset_rate_deg_per_s / peak)
    return int(np.clip(np.searchsorted(t, t_on), start, anchor)), t_face, fit


def _pelvis_yaw_deg(scene: Scene, prm: PhaseParams) -> np.ndarray | None:
    """Pelvis yaw (deg) with a constant offset between the hip landmarks removed.

    The left-minus-right hip vector of a rigid pelvis turning about the vertical traces, in
    the camera-aligned world frame, a horizontal circle centred on the origin. A constant
    per-landmark error of the pose model (SYNTHETIC.md: ~0.05 torso lengths, depth weakest
    [S:23]) moves that centre, and the yaw read from the vector is then distorted by up to
    ``asin(|offset| / radius)``, periodically in yaw: a turn is stretched or compressed and
    its rate, hence the onset threshold crossing, shifts. The centre is estimated by a robust
    algebraic circle fit (Kasa 1976; soft-L1 reweighting on the radial residual) to the hip
    vectors of the whole clip and subtracted, when they span at least
    ``offset_min_arc_deg`` of the circle (a turn; otherwise the centre is not determined)
    and the centre lies well inside the circle (< 0.8 radius); otherwise (and without world
    landmarks) ``scene.pelvis_yaw_deg``.
    """
    world = scene.world
    if world is None:
        return scene.pelvis_yaw_deg
    hp = world[:, sk.LEFT_HIP] - world[:, sk.RIGHT_HIP]
    ok = np.isfinite(hp).all(axis=1)
    if ok.sum() < prm.circle_min_samples:
        return scene.pelvis_yaw_deg
    x, z = hp[ok, 0].astype(float), hp[ok, 2].astype(float)
    w = np.ones_like(x)
    for _ in range(CIRCLE_IRLS_ITERATIONS):
        a = np.column_stack([x, z, np.ones_like(x)]) * w[:, None]
        d, e, f = np.linalg.lstsq(a, -(x * x + z * z) * w, rcond=None)[0]
        cx, cz = -0.5 * d, -0.5 * e
        radius = float(np.sqrt(max(cx * cx + cz * cz - f, _RADIUS2_FLOOR)))
        res = np.hypot(x - cx, z - cz) - radius
        scale = 2.0 * MAD_TO_SIGMA * np.median(np.abs(res)) + _SCALE_FLOOR
        w = 1.0 / np.sqrt(1.0 + (res / scale) ** 2)
    ang = np.sort(np.degrees(np.arctan2(z - cz, x - cx)))
    gaps = np.diff(np.concatenate([ang, [ang[0] + 360.0]]))
    far = np.hypot(cx, cz) > prm.circle_max_centre_radius * radius
    if 360.0 - gaps.max() < prm.offset_min_arc_deg or far:
        return scene.pelvis_yaw_deg
    shifted = world.copy()
    shifted[:, sk.LEFT_HIP, 0] -= 0.5 * cx
    shifted[:, sk.RIGHT_HIP, 0] += 0.5 * cx
    shifted[:, sk.LEFT_HIP, 2] -= 0.5 * cz
    shifted[:, sk.RIGHT_HIP, 2] += 0.5 * cz
    return body_yaw_deg(shifted, scene.fs, across="hips")


def _time_to_face(fit: tuple[float, float, float], prm: PhaseParams) -> float:
    """Seconds the fitted raised-cosine turn takes from 90 deg turned to within
    ``facing_tolerance_deg`` of its end (0 for turns smaller than 90 + tolerance)."""
    _, dur, amp = fit
    a = abs(amp)
    if a <= 90.0 + prm.facing_tolerance_deg:
        return 0.0

    def u(done: float) -> float:  # fraction of the duration at which ``done`` deg are turned
        return float(np.arccos(1.0 - 2.0 * done / a) / np.pi)

    return max(0.0, (u(a - prm.facing_tolerance_deg) - u(90.0)) * min(dur, 1.0))


def _step_time_s(scene: Scene, tds: np.ndarray, a: int, b: int, prm: PhaseParams) -> float:
    """Median touchdown-to-touchdown time in frames ``[a, b]``, clipped to
    ``[min_step_s, max_step_s]`` (``default_step_s`` when fewer than
    ``min_step_touchdowns`` touchdowns were found there)."""
    sel = tds[(tds >= a) & (tds <= b)]
    if sel.size < prm.min_step_touchdowns:
        return prm.default_step_s
    step = np.median(np.diff(scene.times_s[sel]))
    return float(np.clip(step, prm.min_step_s, prm.max_step_s))


def _fit_turn(
    t: np.ndarray, y: np.ndarray, t_anchor: float, prm: PhaseParams
) -> tuple[float, float, float] | None:
    """Robust fit of a raised-cosine step to yaw samples: (start time, duration, amplitude).

    The model ``base + amp * (1 - cos(pi * clip((t - t_s) / dur, 0, 1))) / 2`` is linear in
    (base, amp), so for every (t_s, dur) on a grid the best (base, amp) has a closed form;
    the robust (soft-L1, scale 10 deg) loss is handled by iteratively reweighted least
    squares, and the best grid cell is refined on a finer grid around it.
    """
    if t.size < MIN_FIT_SAMPLES:
        return None
    t_lo, dur_lo, dur_hi = float(t[0]), prm.turn_min_dur_s, prm.turn_max_dur_s
    if t_anchor <= t_lo:
        return None
    best = _turn_grid(t, y, np.linspace(t_lo, t_anchor, TURN_GRID_STARTS),
                      np.linspace(dur_lo, dur_hi, TURN_GRID_DURATIONS))  # fmt: skip
    if best is None:
        return None
    ts0, dur0 = best[0], best[1]
    step_t = (t_anchor - t_lo) / float(TURN_GRID_STARTS - 1)
    step_d = (dur_hi - dur_lo) / float(TURN_GRID_DURATIONS - 1)
    fine = _turn_grid(
        t,
        y,
        np.linspace(max(t_lo, ts0 - step_t), min(t_anchor, ts0 + step_t), TURN_FINE_GRID),
        np.linspace(max(dur_lo, dur0 - step_d), min(dur_hi, dur0 + step_d), TURN_FINE_GRID),
    )
    if fine is None:
        return None
    return fine


def _turn_grid(
    t: np.ndarray, y: np.ndarray, starts: np.ndarray, durations: np.ndarray,
    *, f_scale: float = TURN_LOSS_SCALE_DEG, iterations: int = TURN_IRLS_ITERATIONS,
    max_amp_deg: float = MAX_TURN_AMP_DEG,
) -> tuple[float, float, float] | None:
    """Best (t_s, dur, amp) of the raised-cosine step over a grid (IRLS soft-L1 loss)."""
    ts, du = np.meshgrid(starts, durations, indexing="ij")
    ts, du = ts.ravel()[:, None], du.ravel()[:, None]
    u = np.clip((t[None, :] - ts) / du, 0.0, 1.0)
    g = 0.5 * (1.0 - np.cos(np.pi * u))  # (G, n) basis for amp; base has basis 1
    w = np.ones_like(g)
    for _ in range(iterations):
        sw, sg, sgg = w.sum(1), (w * g).sum(1), (w * g * g).sum(1)
        sy, sgy = (w * y).sum(1), (w * g * y).sum(1)
        det = sw * sgg - sg**2
        with np.errstate(divide="ignore", invalid="ignore"):
            amp = np.clip((sw * sgy - sg * sy) / det, -max_amp_deg, max_amp_deg)
            base = (sy - amp * sg) / sw
        r = y[None, :] - base[:, None] - amp[:, None] * g
        w = 1.0 / np.sqrt(1.0 + (r / f_scale) ** 2)
    loss = np.where(np.isfinite(amp), (2.0 * (np.sqrt(1.0 + (r / f_scale) ** 2) - 1.0)).sum(1),
                    np.inf)  # fmt: skip
    k = int(np.argmin(loss))
    if not np.isfinite(loss[k]):
        return None
    return float(ts[k, 0]), float(du[k, 0]), float(amp[k])


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
    ``_turn_onset``); when given it replaces the frame-by-frame facing test. A touchdown
    follows the turn within one step (``step`` frames); when none was detected there, one was
    missed and T1 is put half a step after ``t_face`` (the expected time of a touchdown at a
    random phase of the step).
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
