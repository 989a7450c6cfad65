"""Typed containers passed between the pipeline stages (pure data, no behaviour beyond views).

Contract between stages (see docs/ARCHITECTURE.md):

* ``events``/``metrics`` produce a :class:`MotionAnalysis` from a cleaned :class:`PoseTrack`.
* ``faults`` produces a :class:`FaultReport` from a MotionAnalysis and a profile.
* ``capture`` produces a :class:`CaptureAssessment` (how well the clip was filmed).
* ``pipeline`` wraps them in an :class:`AnalysisResult`; ``export`` writes it to
  ``result.json`` and reads it back (:func:`analyzer.export.load_result`).

Every container is frozen: a stage returns new values, nothing is changed after it is built.
Fields may be added; renaming or removing one changes ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from analyzer.pose.track import PoseTrack
from analyzer.video.brightness import Brightness
from analyzer.video.info import VideoInfo

#: 2.0: the capture verdict is a typed stage output, findings carry typed bands and
#: evidence, per-frame series and the track live in files named under ``files``.
SCHEMA_VERSION = "2.0"

Foot = Literal["left", "right"]
ContactKind = Literal["touchdown", "toe_off"]
PhaseKind = Literal["ready", "backpedal", "transition", "sprint", "in_place"]
TransitionKind = Literal["turn_and_run", "break_forward", "break_angle", "none"]
ViewKind = Literal["side", "front", "rear", "diagonal", "unknown"]
Support = Literal["valid", "degraded", "invalid"]
Confidence = Literal["high", "medium", "low"]
CaptureStatus = Literal["good", "fair", "poor", "unknown"]
Severity = Literal["minor", "moderate", "major"]

#: Names of the per-frame series in ``MotionAnalysis.series`` (aligned with
#: ``track.times_s``; NaN where not measured), declared once for every stage that reads them.
SeriesName = Literal[
    "hip_height_ratio",
    "knee_flexion_deg",
    "trunk_lean_deg",
    "arm_angle_deg",
    "body_yaw_deg",
    "head_yaw_deg",
    "head_pitch_deg",
    "thigh_angle_deg",
    "hip_flexion_deg",
    "shoulder_over_knee_index",
    "frontality_q",
    "hip_speed_leg_lengths_per_s",
    "facing_sign",
    "travel_sign",
]
SERIES_NAMES: tuple[SeriesName, ...] = typing.get_args(SeriesName)


@dataclass(frozen=True)
class MetricValue:
    """One metric's value, with its unit, phase and whether this view supports it.

    ``value`` is None exactly when ``assessable`` is False; ``reason`` then says why and how
    to film so that it becomes assessable (e.g. "film from the side to assess hip height").
    """

    key: str
    value: float | None
    unit: str
    phase: str
    assessable: bool
    reason: str = ""
    confidence: Confidence = "medium"
    support: Support = "valid"
    per_step: tuple[float, ...] = ()
    frames: tuple[int, ...] = ()
    details: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactEvent:
    """A foot contact event: touchdown (foot lands) or toe-off (foot leaves the ground).

    ``time_s`` may fall between frames (sub-frame timing); ``frame`` is the frame it is shown
    on. ``label_repaired``: the foot label was swapped back after a left/right landmark swap
    (its timing is less certain).
    """

    foot: Foot
    kind: ContactKind
    time_s: float
    frame: int
    label_repaired: bool = False


@dataclass(frozen=True)
class Step:
    """One step: from this foot's touchdown to the next touchdown of the other foot."""

    index: int
    foot: Foot
    touchdown_frame: int
    touchdown_time_s: float
    toe_off_frame: int | None = None
    phase: str = "backpedal"
    length_leg_lengths: float | None = None
    length_m: float | None = None
    reach_leg_lengths: float | None = None
    step_time_s: float | None = None


@dataclass(frozen=True)
class ExcludedSpan:
    """Times left out of the analysis and why (e.g. "athlete partly out of the frame (right
    edge)", "athlete not found"); frames inclusive."""

    start_s: float
    end_s: float
    reason: str
    start_frame: int
    end_frame: int


@dataclass(frozen=True)
class Phase:
    """A phase of a rep (ready stance, backpedal, transition, sprint)."""

    kind: PhaseKind
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    rep: int = 0
    transition_kind: TransitionKind | None = None


@dataclass(frozen=True)
class ViewInfo:
    """Which way the camera looks at the athlete.

    ``camera_side`` is the athlete's side nearer the camera in a side view ("left"/"right").
    """

    view: ViewKind
    confidence: float
    camera_side: Foot | None = None


@dataclass(frozen=True)
class MotionAnalysis:
    """What a coach means by technique, before any verdict: events, phases, metrics."""

    track: PoseTrack
    view: ViewInfo
    travel_direction: str
    facing: str
    leg_length_px: float
    scale_m_per_px: float | None
    events: list[ContactEvent]
    steps: list[Step]
    phases: list[Phase]
    metrics: dict[str, MetricValue]
    rep_metrics: list[dict[str, MetricValue]] = field(default_factory=list)
    #: per-frame arrays, keys from :data:`SERIES_NAMES`
    series: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    excluded_spans: list[ExcludedSpan] = field(default_factory=list)

    @property
    def n_reps(self) -> int:
        """Number of reps found (at least 1 when any backpedal phase exists)."""
        return len({p.rep for p in self.phases}) if self.phases else 0


@dataclass(frozen=True)
class FindingBand:
    """The profile band a finding's metric was judged against (open sides are None).

    ``good``/``ok``/``hard`` are (low, high) limits; a value below ``fault_below`` or above
    ``fault_above`` is in the fault zone. ``source`` names where the numbers come from.
    """

    source: str
    unit: str
    good: tuple[float | None, float | None] | None = None
    ok: tuple[float | None, float | None] | None = None
    fault_below: float | None = None
    fault_above: float | None = None
    hard: tuple[float | None, float | None] | None = None
    major_above: float | None = None


@dataclass(frozen=True)
class FindingEvidence:
    """One rule hit behind a finding: the metric, its value and the limit it crossed."""

    metric: str
    value: float | None
    side: Literal["low", "high"] | None
    limit: float | None
    step_fraction: float | None
    severity: Severity
    confidence: float


@dataclass(frozen=True)
class Finding:
    """A fault found in the clip, with the evidence to check it frame by frame."""

    id: str
    title: str
    severity: Severity
    frames: tuple[tuple[int, int], ...]
    key_frame: int
    metric: str
    value: float | None
    unit: str
    band: FindingBand
    confidence: float
    cue: str
    drills: tuple[str, ...]
    rep: int | None = None
    explanation: str = ""
    category: str = ""
    evidence: tuple[FindingEvidence, ...] = ()
    reps: tuple[int, ...] = ()


@dataclass(frozen=True)
class NotAssessable:
    """A metric (or fault) this clip cannot support, and how to film so it can."""

    key: str
    reason: str
    kind: Literal["metric", "fault"] = "metric"


@dataclass(frozen=True)
class Scores:
    """0-100 scores: overall, per category, per metric, per rep."""

    overall: float | None
    categories: dict[str, float | None]
    metrics: dict[str, float]
    per_rep: list[dict[str, Any]] = field(default_factory=list)
    trend: dict[str, Any] = field(default_factory=dict)
    #: category (or "overall") -> id of the finding whose severity capped its score
    caps: dict[str, str] = field(default_factory=dict)
    #: category -> metric keys that lowered its score without a finding of their own
    docked: dict[str, list[str]] = field(default_factory=dict)
    #: the score bands and caps used ("good_from", "fair_from", "cap_major", "cap_moderate")
    bands: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """Whether the clip could be judged at all, in a coach's words.

    ``status`` is "assessed" or "not_analysable"; for the latter ``reasons`` say why (plain
    words) and ``actions`` what to do (film from the side, give ``--capture-fps``, ...).
    ``hints`` are extra advice that does not block the verdict.
    """

    status: Literal["assessed", "not_analysable"]
    headline: str
    reasons: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaultReport:
    """Verdicts: findings, scores and what could not be assessed."""

    profile: str
    findings: list[Finding]
    scores: Scores
    not_assessable: list[NotAssessable]
    focus: list[str] = field(default_factory=list)
    verdict: Verdict | None = None
    #: the profile's default display units ("imperial" / "metric")
    units: str = "imperial"
    #: metric key -> {"good": [lo, hi], "ok": [lo, hi]} of the profile, for live overlays
    metric_bands: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class CaptureCheck:
    """One aspect of the capture: what was measured, how good it is, and what to change."""

    key: str
    label: str
    value: str
    status: CaptureStatus
    advice: str = ""


@dataclass(frozen=True)
class CaptureAssessment:
    """All capture checks and the overall verdict (the worst known status)."""

    checks: tuple[CaptureCheck, ...]
    verdict: CaptureStatus

    @property
    def advice(self) -> list[str]:
        """What to change when filming next time (only for checks that were not good)."""
        return [c.advice for c in self.checks if c.status in ("fair", "poor") and c.advice]


@dataclass(frozen=True)
class CaptureReport:
    """The capture stage's output: the verdict and what it was judged from.

    ``video`` is the clip's probe (None for a track-only analysis); ``brightness`` was
    gathered during the pose pass (None when no frame was seen); ``lost_spans_s`` are the
    (first, last) real times of each run of frames lost to damage (kept in the track as
    missing rows; empty for an undamaged clip).
    """

    assessment: CaptureAssessment
    video: VideoInfo | None = None
    brightness: Brightness | None = None
    lost_spans_s: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one clip's analysis produced, serialised by ``analyzer.export``.

    Built once by :mod:`analyzer.pipeline` (timings included) and never changed after.
    """

    motion: MotionAnalysis
    faults: FaultReport | None
    provenance: dict[str, Any]
    capture: CaptureReport | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
