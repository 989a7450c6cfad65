"""What to draw: build :class:`~analyzer.render.overlay.FrameOverlay` data from an analysis.

Pure functions from an :class:`~analyzer.results.AnalysisResult` (or its parts) and a frame
index to the overlay description; no drawing and no I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from analyzer import skeleton as sk
from analyzer.render.overlay import FrameOverlay, Measurement, format_band, format_value
from analyzer.results import (
    AnalysisResult,
    Finding,
    FindingBand,
    MotionAnalysis,
    Phase,
    SeriesName,
)

#: The series each plot or live-metric group shows (names from ``results.SERIES_NAMES``).
SERIES_KEYS: dict[str, SeriesName] = {
    "hip_height": "hip_height_ratio",
    "trunk_lean": "trunk_lean_deg",
    "knee_flexion": "knee_flexion_deg",
    "arm_swing": "arm_angle_deg",
}

#: Live metrics shown on the annotated video: (series group, label, unit, digits, the clip
#: metric whose assessability and band the live number follows).
LIVE_METRICS: tuple[tuple[str, str, str, int, str], ...] = (
    ("hip_height", "Hip height", "× standing", 2, "hip_height_ratio"),
    ("trunk_lean", "Trunk lean", "°", 0, "trunk_lean_deg"),
    ("knee_flexion", "Knee bend", "°", 0, "knee_flexion_deg"),
)

#: Display names, units and decimals of the metrics the outputs know (others: by key).
METRIC_LABELS: dict[str, tuple[str, str, int]] = {
    "hip_height_ratio": ("Hip height (share of standing hip height)", "", 2),
    "ready_hip_height_ratio": ("Ready stance: hip height", "", 2),
    "knee_flexion_deg": ("Knee bend", "°", 0),
    "ready_knee_flexion_deg": ("Ready stance: knee bend", "°", 0),
    "hip_flexion_deg": ("Hip bend", "°", 0),
    "trunk_lean_deg": ("Trunk lean (forward +)", "°", 0),
    "ready_trunk_lean_deg": ("Ready stance: trunk lean", "°", 0),
    "sprint_trunk_lean_deg": ("Sprint: trunk lean in the first steps", "°", 0),
    "shoulder_over_knee_index": ("Shoulders over knees (0 = right above)", "", 2),
    "ready_shoulder_over_knee_index": ("Ready stance: shoulders over knees", "", 2),
    "com_over_base_index": ("Balance over the feet (0 heels, 1 toes)", "", 2),
    "step_length_leg_lengths": ("Step length (leg lengths)", "", 2),
    "step_length_m": ("Step length", "m", 2),
    "reach_at_touchdown_leg_lengths": ("Reach at landing (leg lengths)", "", 2),
    "cadence_steps_per_s": ("Step rate", "steps/s", 1),
    "sprint_cadence_steps_per_s": ("Sprint: step rate", "steps/s", 1),
    "step_time_cv_pct": ("Step rhythm (variation of step time)", "%", 0),
    "step_time_s": ("Step time", "s", 2),
    "base_width_shoulder_widths": ("Stance width (shoulder widths)", "", 2),
    "step_width_shoulder_widths": ("Step width (shoulder widths)", "", 2),
    "foot_pitch_deg": ("Heel lift (foot pitch)", "°", 0),
    "forefoot_stance_fraction": ("Time on the balls of the feet", "", 2),
    "swing_clearance_leg_lengths": ("Foot clearance (leg lengths)", "", 2),
    "arm_swing_deg": ("Arm swing", "°", 0),
    "elbow_flexion_deg": ("Elbow bend", "°", 0),
    "hands_at_chest_fraction": ("Time with hands at the chest", "", 2),
    "arm_crossing_fraction": ("Swings crossing the body", "", 2),
    "arm_leg_coordination_r": ("Arm-leg coordination (-1 opposite, +1 same side)", "", 2),
    "arm_leg_phase_deg": ("Arm-leg timing offset", "°", 0),
    "head_pitch_deg": ("Head pitch (chin up +, down -)", "°", 0),
    "head_yaw_on_target_fraction": ("Time with the head to the front", "", 2),
    "head_turned_to_qb_max_s": ("Longest look towards the quarterback", "s", 1),
    "transition_time_s": ("Transition time", "s", 2),
    "transition_contacts": ("Steps in the transition", "", 0),
    "speed_retention": ("Speed kept through the turn", "", 2),
    "break_time_s": ("Break time", "s", 2),
    "hip_rise": ("Hip rise in the turn", "", 2),
    "body_yaw_rate_deg_per_s": ("Hip turn speed", "°/s", 0),
    "turn_onset_s": ("Turn starts at", "s", 2),
    "backpedal_speed_m_per_s": ("Backpedal speed", "m/s", 1),
    "backpedal_speed_leg_lengths_per_s": ("Backpedal speed (leg lengths/s)", "", 1),
    "backpedal_distance_m": ("Backpedal distance", "m", 1),
    "backpedal_distance_leg_lengths": ("Backpedal distance (leg lengths)", "", 1),
    "ready_bounce_leg_lengths_per_s": ("Ready stance: bounce", "", 2),
}


def metric_label(key: str) -> str:
    """A readable name for a metric key."""
    if key in METRIC_LABELS:
        return METRIC_LABELS[key][0]
    return key.replace("_", " ").capitalize()


def metric_unit(key: str, unit: str) -> str:
    """The unit to print for a metric (``"°"`` for degrees, ``"× leg"`` for leg lengths)."""
    if key in METRIC_LABELS:
        return METRIC_LABELS[key][1]
    return _display_unit(unit)


def metric_digits(key: str, unit: str = "") -> int:
    """Decimals to print for a metric."""
    if key in METRIC_LABELS:
        return METRIC_LABELS[key][2]
    return 0 if _display_unit(unit) in ("°", "%") else 2


def metric_text(key: str, unit: str, value: float | None) -> str:
    """A metric's value as the outputs print it (its display unit and decimals)."""
    return format_value(value, metric_unit(key, unit), digits=metric_digits(key, unit))


def band_text(key: str, unit: str, band: FindingBand | None) -> str:
    """A finding's good band as the outputs print it ("" when the band has no edge)."""
    limits = band_limits(band)
    return format_band(limits, metric_unit(key, unit), digits=metric_digits(key, unit))


PHASE_NAMES: dict[str, str] = {
    "ready": "ready stance",
    "backpedal": "backpedal",
    "transition": "transition",
    "sprint": "sprint",
}

_EVENT_SHOW_S = 0.25


def find_series(motion: MotionAnalysis, group: str) -> tuple[str, np.ndarray] | None:
    """The series of ``group`` (a key of :data:`SERIES_KEYS`, or a series name) as
    (name, array), or None when the analysis has none."""
    name = SERIES_KEYS.get(group, group)
    arr = motion.series.get(name)
    if arr is not None and np.asarray(arr).ndim == 1 and np.asarray(arr).size:
        return name, np.asarray(arr, dtype=float)
    return None


def band_limits(band: FindingBand | None) -> tuple[float | None, float | None]:
    """``(low, high)`` of a finding's *good* band; a None edge means the band is one-sided."""
    if band is None or band.good is None:
        return None, None
    return _num(band.good[0]), _num(band.good[1])


def phase_at(phases: Sequence[Phase], frame: int) -> Phase | None:
    """The phase containing ``frame`` (the last one that starts at or before it), or None."""
    found = None
    for p in phases:
        if p.start_frame <= frame <= p.end_frame:
            found = p
    return found


def phase_label(phase: Phase | None, *, n_reps: int = 1) -> str:
    """``"backpedal"``, ``"transition (turn and run)"``, ``"sprint · rep 2"``."""
    if phase is None:
        return ""
    text = PHASE_NAMES.get(phase.kind, phase.kind)
    if phase.kind == "transition" and phase.transition_kind not in (None, "none"):
        text += f" ({str(phase.transition_kind).replace('_', ' ')})"
    if n_reps > 1:
        text += f" · rep {phase.rep + 1}"
    return text


def camera_side(motion: MotionAnalysis, frame: int) -> str:
    """The body side nearer the camera: the view's ``camera_side``, else the more visible leg."""
    if motion.view.camera_side in ("left", "right"):
        return str(motion.view.camera_side)
    vis = motion.track.visibility[frame]
    left = float(np.nanmean(vis[list(sk.LEFT_LEG)]))
    right = float(np.nanmean(vis[list(sk.RIGHT_LEG)]))
    return "left" if left >= right else "right"


def live_metric_supported(result: AnalysisResult, metric_key: str) -> bool:
    """True when the report judged ``metric_key`` in this clip (assessable, not "invalid" for
    the view): only then is its live number drawn on the video."""
    m = result.motion.metrics.get(metric_key)
    if m is None or not m.assessable or m.support == "invalid":
        return False
    if result.faults is not None:
        gone = {n.key for n in result.faults.not_assessable}
        return metric_key not in gone
    return True


#: Metrics whose band applies frame by frame (knee bend's band is for the peak in stance, so
#: a swing-phase knee angle outside it is no fault and is not drawn red).
PER_FRAME_BANDS = frozenset({"hip_height_ratio", "trunk_lean_deg"})


def _outside_band(result: AnalysisResult, metric_key: str, value: float | None) -> bool:
    """True when a live value is past the profile's fault limits (the "ok" band)."""
    if value is None or result.faults is None or metric_key not in PER_FRAME_BANDS:
        return False
    band = result.faults.metric_bands.get(metric_key, {}).get("ok")
    if not band:
        return False
    lo, hi = band
    return (lo is not None and value < lo) or (hi is not None and value > hi)


def flagged_titles(result: AnalysisResult, frame: int) -> tuple[str, ...]:
    """Titles of the findings whose evidence frames include ``frame``."""
    if result.faults is None:
        return ()
    return tuple(
        f.title for f in result.faults.findings if any(a <= frame <= b for a, b in f.frames)
    )


def frame_overlay(result: AnalysisResult, frame: int) -> FrameOverlay:
    """Overlay for frame ``frame`` of the annotated video: skeleton, phase, live metrics.

    Live numbers are drawn only for what the report could judge in this view; a number past
    its fault limits during the backpedal is drawn on red; frames inside a finding's evidence
    range get a red banner with the finding's title.
    """
    motion = result.motion
    track = motion.track
    metrics: list[tuple[str, str]] = []
    alerts: list[str] = []
    phase = phase_at(motion.phases, frame)
    for group, label, unit, digits, key in LIVE_METRICS:
        if not live_metric_supported(result, key):
            continue
        found = find_series(motion, group)
        if found is not None and frame < found[1].size:
            value = _num(found[1][frame])
            metrics.append((label, format_value(value, unit, digits=digits)))
            in_pedal = phase is not None and phase.kind == "backpedal"
            if in_pedal and _outside_band(result, key, value):
                alerts.append(label)
    t = float(track.times_s[frame])
    n_steps = sum(1 for e in motion.events if e.kind == "touchdown" and e.frame <= frame)
    if motion.events:
        metrics.append(("Steps", str(n_steps)))
    events = tuple(
        f"{e.foot.capitalize()} foot {'down' if e.kind == 'touchdown' else 'off'}"
        for e in motion.events
        if 0.0 <= t - e.time_s < _EVENT_SHOW_S
    )
    return FrameOverlay(
        landmarks_xy=track.image_xy[frame],
        visibility=track.visibility[frame],
        phase=phase_label(phase, n_reps=motion.n_reps),
        metrics=tuple(metrics),
        events=events,
        alerts=tuple(alerts),
        flag=" · ".join(flagged_titles(result, frame)),
    )


def finding_overlay(result: AnalysisResult, finding: Finding) -> FrameOverlay:
    """Overlay for a finding's key frame: skeleton, the measured quantity and its band."""
    motion = result.motion
    frame = _key_frame(motion, finding)
    m = finding_measurement(motion, finding)
    highlight = _measured_joints(motion, finding) if m is not None else ()
    return FrameOverlay(
        landmarks_xy=motion.track.image_xy[frame],
        visibility=motion.track.visibility[frame],
        phase=phase_label(phase_at(motion.phases, frame), n_reps=motion.n_reps),
        measurements=() if m is None else (m,),
        title=finding.title,
        highlight=highlight,
    )


def _key_frame(motion: MotionAnalysis, finding: Finding) -> int:
    """The finding's key frame, clipped to the track."""
    return int(np.clip(finding.key_frame, 0, motion.track.n_frames - 1))


def _measured_joints(motion: MotionAnalysis, finding: Finding) -> tuple[int, ...]:
    """Landmark indices a finding's measurement is built on (drawn highlighted)."""
    builder = _pick_builder(f"{finding.metric} {finding.id}".lower())
    frame = _key_frame(motion, finding)
    side = camera_side(motion, frame)
    joints = _JOINTS.get(builder, ())
    return tuple(sk.INDEX[n.replace("{side}", side)] for n in joints)


def finding_measurement(motion: MotionAnalysis, finding: Finding) -> Measurement | None:
    """The geometry that shows a finding's measured value on its key frame (None if none fits)."""
    frame = _key_frame(motion, finding)
    key = f"{finding.metric} {finding.id}".lower()
    builder = _pick_builder(key)
    if builder is None:
        return None
    xy = motion.track.image_xy[frame].astype(float)
    side = camera_side(motion, frame)
    geometry = builder(xy, side, motion.facing)
    if geometry is None:
        return None
    kind, points, label = geometry
    if finding.metric not in _DRAWN_METRICS:
        # the picture shows where to look; the value is not this geometry's own measure
        label = metric_label(finding.metric)
    return Measurement(
        kind=kind,
        points=points,
        value=_num(finding.value),
        unit=metric_unit(finding.metric, finding.unit),
        band=band_limits(finding.band),
        label=label,
    )


#: Metrics whose value *is* the drawn geometry (the others get their own name as label).
_DRAWN_METRICS = frozenset({
    "knee_flexion_deg", "ready_knee_flexion_deg", "hip_height_ratio", "ready_hip_height_ratio",
    "trunk_lean_deg", "ready_trunk_lean_deg", "sprint_trunk_lean_deg",
    "reach_at_touchdown_leg_lengths", "foot_pitch_deg",
})  # fmt: skip


# --------------------------------------------------------------------------- geometry

_Geometry = tuple[str, tuple[tuple[float, float], ...], str] | None


def _side_idx(side: str, name: str) -> int:
    return sk.INDEX[f"{side}_{name}"]


def _mid(xy: np.ndarray, a: int, b: int) -> np.ndarray:
    pa, pb = xy[a], xy[b]
    if np.all(np.isfinite(pa)) and np.all(np.isfinite(pb)):
        return (pa + pb) / 2.0
    return pa if np.all(np.isfinite(pa)) else pb


def _tup(*pts: np.ndarray) -> tuple[tuple[float, float], ...]:
    return tuple((float(p[0]), float(p[1])) for p in pts)


def _knee(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    h, k, a = (xy[_side_idx(side, n)] for n in ("hip", "knee", "ankle"))
    return "bend", _tup(h, k, a), "knee bend"


def _trunk(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    hips = _mid(xy, sk.LEFT_HIP, sk.RIGHT_HIP)
    shoulders = _mid(xy, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    return "lean", _tup(hips, shoulders), "trunk lean"


def _ground_y(xy: np.ndarray) -> float:
    feet = xy[[*sk.LEFT_FOOT, *sk.RIGHT_FOOT], 1]
    return float(np.nanmax(feet)) if np.any(np.isfinite(feet)) else math.nan


def _hip_height(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    hips = _mid(xy, sk.LEFT_HIP, sk.RIGHT_HIP)
    ground = _ground_y(xy)
    return "distance", _tup(hips, np.array([hips[0], ground])), "hip height"


def _reach(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    hips = _mid(xy, sk.LEFT_HIP, sk.RIGHT_HIP)
    feet = [_mid(xy, _side_idx(s, "heel"), _side_idx(s, "foot_index")) for s in ("left", "right")]
    foot = max(feet, key=lambda f: abs(f[0] - hips[0]) if np.all(np.isfinite(f)) else -1.0)
    return "distance", _tup(np.array([hips[0], foot[1]]), foot), "reach"


def _feet_apart(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    la, ra = xy[sk.LEFT_ANKLE], xy[sk.RIGHT_ANKLE]
    y = max(la[1], ra[1])
    return "distance", _tup(np.array([la[0], y]), np.array([ra[0], y])), ""


def _arm(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    sh, el, hip = (xy[_side_idx(side, n)] for n in ("shoulder", "elbow", "hip"))
    return "angle", _tup(el, sh, hip), "arm swing"


def _wrist_cross(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    mid = _mid(xy, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    wrist = xy[_side_idx(side, "wrist")]
    return "distance", _tup(np.array([mid[0], wrist[1]]), wrist), "hand"


def _heel(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    heel, toe = xy[_side_idx(side, "heel")], xy[_side_idx(side, "foot_index")]
    flat = np.array([toe[0], heel[1]])
    return "angle", _tup(toe, heel, flat), "foot pitch"


def _head(xy: np.ndarray, side: str, facing: str) -> _Geometry:
    ear = _mid(xy, sk.LEFT_EAR, sk.RIGHT_EAR)
    return "distance", _tup(ear, xy[sk.NOSE]), "head"


_BUILDERS: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("knee",), _knee),
    (("hip_height", "standing_tall", "sitting"), _hip_height),
    (("trunk", "leaning_back", "bent_over", "popping_up", "lean"), _trunk),
    (("reach", "overstrid"), _reach),
    (("base", "step_width", "stance_width", "narrow"), _feet_apart),
    (("cross",), _wrist_cross),
    (("arm_swing", "passive_arms", "hands_at_chest", "arm_angle"), _arm),
    (("heel", "pitch", "balls"), _heel),
    (("head", "eyes"), _head),
    (("step_length",), _feet_apart),
)


_JOINTS: dict[Any, tuple[str, ...]] = {
    _knee: ("{side}_hip", "{side}_knee", "{side}_ankle"),
    _arm: ("{side}_elbow", "{side}_shoulder", "{side}_hip"),
    _heel: ("{side}_heel", "{side}_foot_index"),
    _wrist_cross: ("{side}_wrist",),
    _feet_apart: ("left_ankle", "right_ankle"),
}


def _pick_builder(key: str):
    for words, builder in _BUILDERS:
        if any(w in key for w in words):
            return builder
    return None


def _display_unit(unit: str) -> str:
    u = (unit or "").strip()
    return {
        "deg": "°",
        "degrees": "°",
        "degree": "°",
        "ratio": "",
        "1": "",
        "leg_lengths": "× leg",
        "leg lengths": "× leg",
        "L": "× leg",
    }.get(u, u)


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
