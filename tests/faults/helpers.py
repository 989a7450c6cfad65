"""Build MotionAnalysis objects with chosen metric values, for unit tests of the verdicts."""

from __future__ import annotations

from typing import Any

import numpy as np

from analyzer.faults import load_profile
from analyzer.pose.track import PoseTrack
from analyzer.results import MetricValue, MotionAnalysis, Phase, Step, ViewInfo

N_FRAMES = 240
FPS = 60.0

#: A clean rep: every metric inside its "good" band of the default profile.
CLEAN: dict[str, float] = {
    "hip_height_ratio": 0.85,
    "ready_hip_height_ratio": 0.84,
    "knee_flexion_deg": 60.0,
    "ready_knee_flexion_deg": 50.0,
    "trunk_lean_deg": 25.0,
    "shoulder_over_knee_index": 0.1,
    "reach_at_touchdown_leg_lengths": 0.15,
    "step_length_leg_lengths": 0.7,
    "cadence_steps_per_s": 4.0,
    "step_time_cv_pct": 4.0,
    "step_time_cv_low_pct": 2.0,
    "base_width_shoulder_widths": 1.1,
    "step_width_shoulder_widths": 0.5,
    "foot_pitch_deg": 12.0,
    "forefoot_stance_fraction": 0.85,
    "swing_clearance_leg_lengths": 0.15,
    "arm_swing_deg": 65.0,
    "hands_at_chest_fraction": 0.1,
    "arm_crossing_fraction": 0.0,
    "arm_leg_coordination_r": -0.8,
    "head_pitch_deg": 0.0,
    "head_yaw_on_target_fraction": 0.9,
    "head_turned_to_qb_max_s": 0.1,
    "transition_time_s": 0.3,
    "transition_contacts": 2.0,
    "speed_retention": 0.85,
    "break_time_s": 0.3,
    "hip_rise": 0.02,
    "sprint_trunk_lean_deg": 35.0,
    "backpedal_speed_m_per_s": 3.0,
}

PHASE_OF = {
    "ready": (
        "ready_hip_height_ratio",
        "ready_knee_flexion_deg",
        "foot_pitch_deg",
        "base_width_shoulder_widths",
    ),
    "transition": (
        "transition_time_s",
        "transition_contacts",
        "speed_retention",
        "break_time_s",
        "hip_rise",
    ),
    "sprint": ("sprint_trunk_lean_deg",),
}

#: Frames of the phases of one rep (ready, backpedal, transition, sprint) in a 240-frame clip.
PHASES = (("ready", 0, 39), ("backpedal", 40, 159), ("transition", 160, 189), ("sprint", 190, 239))
#: Backpedal touchdown frames (one step every 15 frames = 4 steps/s at 60 fps).
TOUCHDOWNS = tuple(range(40, 160, 15))

_DEFAULT = load_profile()


def phase_of(key: str) -> str:
    """The phase a metric describes."""
    for phase, keys in PHASE_OF.items():
        if key in keys:
            return phase
    return "backpedal"


def view_supports(key: str, view: str) -> bool:
    """Whether the default profile's view table lets this view measure the metric."""
    spec = _DEFAULT.metrics[key]
    return spec.views.get(view, "valid") != "invalid"


def metric_value(
    key: str,
    value: float | None,
    *,
    confidence: str = "high",
    per_step: tuple[float, ...] = (),
    frames: tuple[int, ...] = (),
    support: str = "valid",
    reason: str = "",
    details: dict[str, float] | None = None,
) -> MetricValue:
    """One MetricValue as the metrics code would produce it."""
    spec = _DEFAULT.metrics[key]
    return MetricValue(
        key=key,
        value=value,
        unit=spec.unit,
        phase=phase_of(key),
        assessable=value is not None,
        reason=reason if value is None else "",
        confidence=confidence,  # type: ignore[arg-type]
        support=support,  # type: ignore[arg-type]
        per_step=per_step,
        frames=frames,
        details=details or {},
    )


def metrics_for(
    values: dict[str, float] | None = None,
    *,
    view: str = "side",
    honest: bool = True,
    **extra: Any,
) -> dict[str, MetricValue]:
    """Metric dict for a clip seen from ``view``: CLEAN overridden by ``values``.

    ``honest``: metrics the view cannot support come back not assessable with a reason
    (as the metrics code does); with ``honest=False`` they carry values anyway, to test that
    the profile's own view table still refuses them.
    """
    merged = {**CLEAN, **(values or {})}
    out = {}
    for key, value in merged.items():
        if honest and not view_supports(key, view):
            out[key] = metric_value(key, None, reason=f"not valid in a {view} view")
        else:
            out[key] = metric_value(key, value, **extra.get(key, {}))
    return out


def make_track(n_frames: int = N_FRAMES) -> PoseTrack:
    """An empty-landmark track of the right length (the verdicts never read landmarks)."""
    return PoseTrack(
        times_s=np.arange(n_frames) / FPS,
        image_xy=np.full((n_frames, 33, 2), np.nan, dtype=np.float32),
        visibility=np.zeros((n_frames, 33), dtype=np.float32),
        image_size=(1920, 1080),
    )


def make_motion(
    values: dict[str, float] | None = None,
    *,
    view: str = "side",
    honest: bool = True,
    extra: dict[str, dict[str, Any]] | None = None,
    rep_values: list[dict[str, float]] | None = None,
    series: dict[str, np.ndarray] | None = None,
) -> MotionAnalysis:
    """A MotionAnalysis with the given metric values (and optionally several reps)."""
    n_reps = len(rep_values) if rep_values else 1
    n = N_FRAMES * n_reps
    phases = [
        Phase(
            kind,
            (N_FRAMES * r + a) / FPS,
            (N_FRAMES * r + b) / FPS,  # type: ignore[arg-type]
            N_FRAMES * r + a,
            N_FRAMES * r + b,
            rep=r,
        )
        for r in range(n_reps)
        for kind, a, b in PHASES
    ]
    steps = [
        Step(
            index=i,
            foot="left" if i % 2 else "right",
            touchdown_frame=N_FRAMES * r + f,
            touchdown_time_s=(N_FRAMES * r + f) / FPS,
        )
        for r in range(n_reps)
        for i, f in enumerate(TOUCHDOWNS)
    ]
    rep_metrics = (
        [metrics_for(v, view=view, honest=honest, **(extra or {})) for v in rep_values]
        if rep_values
        else []
    )
    return MotionAnalysis(
        track=make_track(n),
        view=ViewInfo(view, 0.9),  # type: ignore[arg-type]
        travel_direction="backward",
        facing="right",
        leg_length_px=400.0,
        scale_m_per_px=None,
        events=[],
        steps=steps,
        phases=phases,
        metrics=metrics_for(values, view=view, honest=honest, **(extra or {})),
        rep_metrics=rep_metrics,
        series=dict(series or {}),
    )
