"""``analyze_motion``: a cleaned PoseTrack in, a MotionAnalysis out (METRICS.md §2-§8, §10).

Order: clean (if :mod:`analyzer.processing.cleaning` is available and the track is not clean
yet) -> scene (ground line, roll, leg length, scale, facing, travel, view) -> foot contacts ->
ground refit on the stances -> phases and reps -> view re-summarised over the ready stance and
backpedal -> per-frame series -> metrics M1-M15 (pooled and per rep).
"""

from __future__ import annotations

import warnings as _warnings_mod
from dataclasses import dataclass, replace

import numpy as np

from analyzer.events.contacts import ContactParams, build_steps, detect_contacts
from analyzer.events.frame_coverage import (
    coverage_warning,
    excluded_spans,
    lost_frames,
    mask_excluded,
    whole_in_frame,
)
from analyzer.events.inplace import in_place_phases
from analyzer.events.phases import (
    PhaseParams,
    RepTiming,
    scene_stepped_travel,
    segment_phases,
)
from analyzer.events.reps import drop_walk_backs
from analyzer.events.sitdown import drop_sit_downs
from analyzer.events.view import (
    Scene,
    build_scene,
    classify_view,
    frontality,
    refit_ground,
    with_view,
)
from analyzer.metrics.arms import arm_angle_series, arm_metrics, thigh_angle_series
from analyzer.metrics.common import MetricContext
from analyzer.metrics.head import (
    head_metrics,
    head_pitch_series,
    head_yaw_2d_series,
    head_yaw_world_series,
)
from analyzer.metrics.in_place import has_in_place_only, in_place_metrics, in_place_warning
from analyzer.metrics.posture import (
    angle_series,
    hip_flexion_series,
    hip_height_ratio_series,
    knee_flexion_series,
    posture_metrics,
    shoulder_over_knee_series,
    trunk_lean_series,
)
from analyzer.metrics.steps import step_metrics
from analyzer.metrics.transition import transition_metrics
from analyzer.pose.track import PoseTrack
from analyzer.results import (
    SERIES_NAMES,
    ContactEvent,
    MetricValue,
    MotionAnalysis,
    Phase,
    Step,
)

#: Keys of ``MotionAnalysis.series`` plotted against ``track.times_s`` (declared once, in
#: ``analyzer.results``).
SERIES_KEYS = SERIES_NAMES


@dataclass(frozen=True)
class FootageLimits:
    """When :func:`analyze_motion` warns that the footage degrades the analysis.

    Attributes
    ----------
    max_roll_deg
        Camera roll (from the ground line, METRICS §3.3 step 8) above which the user is told
        the landmarks were levelled (3 deg: about the scatter of a hand-held level [EJ]).
    max_leg_length_cv
        Variation of the leg length in pixels over the clip above which the path is taken
        as not parallel to the image plane (METRICS §2: "L varies < 5 % over the rep";
        speed and step length are then degraded).
    crossover_frontality
        Median frontality Q during a side view's backpedal above which the hips are open to
        the camera, as in a crossover run (METRICS §6: "Q stays > 0.45 in a side view").
    """

    max_roll_deg: float = 3.0
    max_leg_length_cv: float = 0.05
    crossover_frontality: float = 0.45


def analyze_motion(
    track: PoseTrack,
    *,
    athlete_height_m: float | None = None,
    qb_side: str | None = None,
    capture_fps: float | None = None,
    clean: bool | None = None,
    contact_params: ContactParams | None = None,
    phase_params: PhaseParams | None = None,
) -> MotionAnalysis:
    """Turn one athlete's pose track into events, phases and metrics.

    Parameters
    ----------
    track
        One athlete's track (pixels, y down; world landmarks optional but needed for body yaw).
    athlete_height_m
        Stature in metres for the metric scale ``s = 0.491 H / L`` (METRICS §2); without it,
        lengths are in leg lengths and metre-based metrics are not assessable.
    qb_side
        The athlete's side where the quarterback stands ("left"/"right"), for M12b.
    capture_fps
        Frame rate the clip was captured at (defaults to the track's); sets timing confidence.
    clean
        Run :func:`analyzer.processing.cleaning.clean_track` first. None (default): clean unless
        ``track.meta`` already records a cleaning.
    contact_params, phase_params
        Parameters of contact detection (METRICS §5) and phase segmentation (§6).

    Returns
    -------
    MotionAnalysis
        ``travel_direction`` is "backward" / "forward" (relative to the facing, by moving
        time) or "stationary"; ``facing`` is "image_left" / "image_right" during the backpedal
        (side and diagonal views) or "camera" / "away" (front and rear views). ``metrics`` are
        pooled over all reps (medians of per-rep values for the transition), ``rep_metrics``
        one dict per rep, ``series`` per-frame arrays aligned with ``track.times_s``
        (:data:`SERIES_KEYS`). Phase frame ranges are inclusive; the backpedal ends at T0 where
        the transition starts. Toe-off frames are the first frame off the ground.
    """
    with np.errstate(all="ignore"), _warnings_mod.catch_warnings():
        # all-NaN slices (untracked frames) are expected and handled; numpy warns on them
        _warnings_mod.simplefilter("ignore", RuntimeWarning)
        return _analyze(
            track, athlete_height_m, qb_side, capture_fps, clean, contact_params, phase_params
        )


def _analyze(
    track: PoseTrack,
    athlete_height_m: float | None,
    qb_side: str | None,
    capture_fps: float | None,
    clean: bool | None,
    contact_params: ContactParams | None,
    phase_params: PhaseParams | None,
) -> MotionAnalysis:
    warnings: list[str] = []
    # frames with the athlete partly out of the picture are left out (issue 12)
    spans = excluded_spans(
        track.times_s, whole_in_frame(track.image_xy, track.image_size), track.detected(),
        image_xy=track.image_xy, image_size=track.image_size,
        lost=lost_frames(track.times_s, track.meta.get("lost_spans_s")),
    )  # fmt: skip
    track = mask_excluded(track, [s for s in spans if s.reason != "athlete not found"])
    if spans:
        warnings.append(coverage_warning(spans))
    track = _maybe_clean(track, clean, warnings)
    scene = build_scene(track, athlete_height_m=athlete_height_m)
    contacts = detect_contacts(scene, contact_params)
    scene = refit_ground(scene, contacts.stance)
    phases, timings = segment_phases(scene, contacts.events, phase_params)
    phases, timings, sat = drop_sit_downs(scene, phases, timings)
    phases, timings, walks = drop_walk_backs(scene, phases, timings)
    cprm = contact_params or ContactParams()
    if cprm.in_place is not None:  # stepping without travel where no rep is (issue 12)
        phases = sorted(
            [*phases, *in_place_phases(scene, phases, cprm.in_place,
                                       first_rep=len(timings))],
            key=lambda p: p.start_frame,
        )  # fmt: skip
    in_place = has_in_place_only(phases)
    scene = with_view(
        scene, _frames(phases, scene.n_frames, ("ready", "in_place" if in_place else "backpedal"))
    )
    steps = _label_steps(build_steps(scene, contacts.events, contacts.stance), phases)
    series = compute_series(scene)
    ctx = MetricContext(
        scene,
        contacts.events,
        contacts.stance,
        steps,
        phases,
        series,
        qb_side=qb_side,
        capture_fps=capture_fps,
        timings=tuple(timings),
    )
    metrics = (
        in_place_metrics(ctx, compute_metrics, cprm.in_place) if in_place else compute_metrics(ctx)
    )
    rep_metrics = [compute_metrics(replace(ctx, rep=t.rep)) for t in timings]
    found = _warnings(scene, phases, timings, contacts.method)
    if walks:
        found.append(
            f"{len(timings)} rep{'s' if len(timings) != 1 else ''} found; the walk back "
            "after rep "
            + ", ".join(str(r + 1) for r in walks)
            + " is not scored"
        )
    if sat and not timings:
        found = [w for w in found if not w.startswith("no backpedal")]
    if sat:
        found.insert(0, "no backpedal: the steps back end in sitting down (hips settled low at "
                     + ", ".join(f"{t:.1f}" for t in sat) + " s)")  # fmt: skip
    if in_place:
        found = [in_place_warning(phases)] + [w for w in found if not w.startswith("no backpedal")]
    warnings.extend(found)
    return MotionAnalysis(
        track=track, view=scene.view,
        travel_direction=_travel_direction(scene, contacts.events, phase_params),
        facing=_facing(scene, phases), leg_length_px=scene.leg_length_px,
        scale_m_per_px=scene.scale_m_per_px, events=contacts.events, steps=steps,
        phases=phases, metrics=metrics, rep_metrics=rep_metrics,
        series={k: v for k, v in series.items() if not k.startswith("_")}, warnings=warnings,
        excluded_spans=spans,
    )  # fmt: skip


def compute_metrics(ctx: MetricContext) -> dict[str, MetricValue]:
    """All metric families for the context's rep selection."""
    out: dict[str, MetricValue] = {}
    out.update(posture_metrics(ctx))
    out.update(step_metrics(ctx))
    out.update(arm_metrics(ctx))
    out.update(head_metrics(ctx))
    out.update(transition_metrics(ctx))
    return out


def compute_series(scene: Scene) -> dict[str, np.ndarray]:
    """Per-frame series aligned with ``track.times_s`` (keys in :data:`SERIES_KEYS`; keys
    starting with ``_`` are internal)."""
    p = angle_series(scene)
    near, f = scene.near_side, scene.facing
    lean = trunk_lean_series(p, f)
    if scene.view.view in ("front", "rear") or scene.world is None:
        head_yaw = head_yaw_2d_series(p)
    else:
        head_yaw = head_yaw_world_series(scene.world)
    nan = np.full(scene.n_frames, np.nan)
    return {
        "_p_angles": p,
        "hip_height_ratio": hip_height_ratio_series(scene, p),
        "knee_flexion_deg": knee_flexion_series(p, near),
        "trunk_lean_deg": lean,
        "arm_angle_deg": arm_angle_series(p, f, near, lean),
        "thigh_angle_deg": thigh_angle_series(p, f, near),
        "hip_flexion_deg": hip_flexion_series(p, near),
        "shoulder_over_knee_index": shoulder_over_knee_series(p, f, near),
        "body_yaw_deg": scene.yaw_deg if scene.yaw_deg is not None else nan,
        "head_yaw_deg": head_yaw,
        "head_pitch_deg": head_pitch_series(p, f, near),
        "frontality_q": scene.frontality,
        "hip_speed_leg_lengths_per_s": scene.speed_leg_per_s,
        "facing_sign": scene.facing.astype(float),
        "travel_sign": scene.travel.astype(float),
    }


def _maybe_clean(track: PoseTrack, clean: bool | None, warnings: list[str]) -> PoseTrack:
    if clean is False or (clean is None and "cleaning" in track.meta):
        return track
    try:
        from analyzer.processing.cleaning import clean_track
    except ImportError:  # cleaning not available: accept the track as it is
        warnings.append("track analysed without cleaning (analyzer.processing.cleaning missing)")
        return track
    # legs foreshorten in a front or rear view: the segment-length check would reject them
    # (see clean_track's segment_tolerance)
    p = np.asarray(track.image_xy, float)
    world = None if track.world_xyz is None else np.asarray(track.world_xyz, float)
    view, _, _ = classify_view(frontality(p), p, world, None, track.detected())
    if view in ("front", "rear"):
        return clean_track(track, segment_tolerance=None)
    return clean_track(track)


def _frames(phases: list[Phase], n: int, kinds: tuple[str, ...]) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for p in phases:
        if p.kind in kinds:
            m[p.start_frame : p.end_frame + 1] = True
    return m


def _label_steps(steps: list[Step], phases: list[Phase]) -> list[Step]:
    """Phase of each step: the phase containing its touchdown (transition wins at T0)."""
    out = []
    for s in steps:
        kind = "none"
        for p in phases:
            if p.start_frame <= s.touchdown_frame <= p.end_frame:
                kind = p.kind
                if p.kind == "backpedal" and s.touchdown_frame == p.end_frame:
                    continue
                break
        out.append(replace(s, phase=kind))
    return out


def _travel_direction(
    scene: Scene, events: list[ContactEvent], prm: PhaseParams | None = None
) -> str:
    """'backward' or 'forward' relative to the facing, by moving time; 'stationary' if none.
    Only stepped travel counts (:func:`analyzer.events.travel.stepped_travel`, the rule of
    the backpedal phases)."""
    travel = scene_stepped_travel(scene, events, prm)
    moving = travel != 0
    if not moving.any():
        return "stationary"
    back = np.sum(moving & (travel == -scene.facing))
    fwd = np.sum(moving & (travel == scene.facing))
    if back == fwd == 0:
        return "unknown"
    return "backward" if back >= fwd else "forward"


def _facing(scene: Scene, phases: list[Phase]) -> str:
    """Facing during the backpedal (or the whole clip): image_left/right, camera or away."""
    m = _frames(phases, scene.n_frames, ("backpedal",))
    f = scene.facing[m] if m.any() else scene.facing
    f = f[f != 0]
    if not f.size:
        return "unknown"
    s = np.sign(np.sum(f))
    if scene.view.view in ("front", "rear"):
        return "camera" if s > 0 else "away"
    return "image_right" if s > 0 else "image_left"


def _warnings(
    scene: Scene, phases: list[Phase], timings: list[RepTiming], method: str
) -> list[str]:
    out: list[str] = []
    if not any(p.kind == "backpedal" for p in phases):
        out.append(
            "no backpedal found: the athlete never stepped backwards (hips travelling "
            "opposite to the facing direction for 0.5 s, over at least two foot plants)"
        )
    limits = FootageLimits()
    if abs(scene.roll_deg) > limits.max_roll_deg:
        out.append(f"camera rolled by {scene.roll_deg:.1f} deg; landmarks were levelled")
    if scene.leg_length_cv > limits.max_leg_length_cv:
        out.append(
            f"leg length in pixels varies {100 * scene.leg_length_cv:.0f}%: the path is not "
            "parallel to the image plane, speed and step length are degraded"
        )
    if scene.view.view == "side":
        bp = _frames(phases, scene.n_frames, ("backpedal",))
        if bp.any() and np.nanmedian(scene.frontality[bp]) > limits.crossover_frontality:
            out.append(
                "hips open to the camera during the backpedal: this looks like a "
                "crossover run, not a backpedal"
            )
    det = scene.view_details
    if "nose_depth_front" in det and det["nose_depth_front"] != det.get("label_order_front"):
        out.append(
            "front or back view is ambiguous (left/right label order and nose depth "
            "disagree): treated as a rear view; film from the front with the face visible"
        )
    if method == "vertical" and scene.view.view == "side":
        out.append("foot contacts read from foot height (the hips hardly travelled)")
    return out
