"""Typed containers passed between the pipeline stages (pure data, no behaviour beyond views).

Contract between stages (see docs/ARCHITECTURE.md):

* ``events``/``metrics`` produce a :class:`MotionAnalysis` from a cleaned :class:`PoseTrack`.
* ``faults`` produces a :class:`FaultReport` from a MotionAnalysis and a profile.
* ``pipeline`` wraps both in an :class:`AnalysisResult`; ``export`` serialises it.

Fields may be added; renaming or removing one changes ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from analyzer.pose.track import PoseTrack

SCHEMA_VERSION = "1.0"

Foot = Literal["left", "right"]
ContactKind = Literal["touchdown", "toe_off"]
PhaseKind = Literal["ready", "backpedal", "transition", "sprint", "in_place"]
TransitionKind = Literal["turn_and_run", "break_forward", "break_angle", "none"]
ViewKind = Literal["side", "front", "rear", "diagonal", "unknown"]
Support = Literal["valid", "degraded", "invalid"]
Confidence = Literal["high", "medium", "low"]


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


@dataclass
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
    series: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    excluded_spans: list[ExcludedSpan] = field(default_factory=list)

    @property
    def n_reps(self) -> int:
        """Number of reps found (at least 1 when any backpedal phase exists)."""
        return len({p.rep for p in self.phases}) if self.phases else 0


@dataclass(frozen=True)
class Finding:
    """A fault found in the clip, with the evidence to check it frame by frame."""

    id: str
    title: str
    severity: Literal["minor", "moderate", "major"]
    frames: tuple[tuple[int, int], ...]
    key_frame: int
    metric: str
    value: float | None
    unit: str
    band: dict[str, Any]
    confidence: float
    cue: str
    drills: tuple[str, ...]
    rep: int | None = None
    explanation: str = ""
    category: str = ""
    evidence: tuple[dict[str, Any], ...] = ()
    reps: tuple[int, ...] = ()


@dataclass(frozen=True)
class NotAssessable:
    """A metric (or fault) this clip cannot support, and how to film so it can."""

    key: str
    reason: str
    kind: Literal["metric", "fault"] = "metric"


@dataclass
class Scores:
    """0-100 scores: overall, per category, per metric, per rep."""

    overall: float | None
    categories: dict[str, float | None]
    metrics: dict[str, float]
    per_rep: list[dict[str, Any]] = field(default_factory=list)
    trend: dict[str, Any] = field(default_factory=dict)


@dataclass
class FaultReport:
    """Verdicts: findings, scores and what could not be assessed."""

    profile: str
    findings: list[Finding]
    scores: Scores
    not_assessable: list[NotAssessable]
    focus: list[str] = field(default_factory=list)


@dataclass
class AnalysisResult:
    """Everything one clip's analysis produced, serialised by ``analyzer.export``."""

    motion: MotionAnalysis
    faults: FaultReport | None
    provenance: dict[str, Any]
    capture: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
