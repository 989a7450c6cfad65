"""Profile schema: the typed, validated profile (frozen dataclasses and allowed values).

:mod:`analyzer.faults.validation` builds these from a profile table and checks it;
:mod:`analyzer.faults.profiles` reads the files. Pure: no file access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from analyzer.faults.verdict_spec import VerdictSpec

CATEGORIES = ("posture", "footwork", "arms", "head", "transition")
VIEWS = ("side", "front", "diagonal", "rear", "unknown")
SUPPORTS = ("valid", "degraded", "invalid")
LEVELS = ("high", "medium", "low")
ZONES = ("low", "high", "either")

Zone = Literal["low", "high", "either"]
Interval = tuple[float, float]


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Band:
    """Good / ok limits of one metric (METRICS.md §7); outside ``ok`` is the fault zone.

    ``good`` lies inside ``ok``; an open side is ``-inf`` / ``inf``. ``hard`` (optional):
    outside it a fault is always major (e.g. any backward trunk lean). ``falloff``
    (optional): widths over which the score falls from the ok floor to 0 beyond each ok
    limit; by default the width of the ok band on that side (§10).
    """

    good: Interval
    ok: Interval
    hard: Interval | None = None
    falloff: Interval | None = None


@dataclass(frozen=True)
class Condition:
    """One test on one metric, or ``all_of`` several (a conjunction).

    ``zone``: the metric is in its fault zone on that side of its band. ``above`` /
    ``below``: explicit limits. ``min_step_fraction``: judge the per-step values and
    require at least this share of steps to pass the test.
    """

    metric: str = ""
    zone: Zone | None = None
    above: float | None = None
    below: float | None = None
    min_step_fraction: float | None = None
    all_of: tuple[Condition, ...] = ()

    def metrics(self) -> tuple[str, ...]:
        """Every metric key this condition reads."""
        if self.all_of:
            return tuple(k for c in self.all_of for k in c.metrics())
        return (self.metric,)


@dataclass(frozen=True)
class MetricSpec:
    """How one metric is judged: band, category, weight, valid views, where to film it."""

    key: str
    label: str
    unit: str
    category: str | None
    weight: float
    band: Band | None
    scored: bool
    views: dict[str, str]
    film_hint: str
    source: str
    error: float | None = None
    skip_if: tuple[Condition, ...] = ()
    skip_reason: str = ""
    #: metrics this one stands in for (one of them applies to a rep): when any of them is
    #: judged, this one is not listed as "not assessable"
    instead_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaultSpec:
    """A coaching fault: which metric tests trigger it (any one), and optional text overrides."""

    id: str
    category: str
    any_of: tuple[Condition, ...]
    source: str
    enabled: bool = True
    title: str = ""
    cue: str = ""
    drills: tuple[str, ...] = ()

    def metrics(self) -> tuple[str, ...]:
        """Every metric key this fault reads, in rule order, without repeats."""
        return tuple(dict.fromkeys(k for c in self.any_of for k in c.metrics()))


@dataclass(frozen=True)
class ScoringSpec:
    """§10 scoring constants: ok-limit score, confidence weights, severity cut-offs."""

    ok_floor_score: float
    confidence_weights: dict[str, float]
    finding_confidence: dict[str, float]
    margin_confidence_floor: float
    moderate_below_score: float
    major_below_score: float
    source: str


@dataclass(frozen=True)
class FatigueSpec:
    """When a drop of form across reps becomes the ``form_drop_fatigue`` finding."""

    enabled: bool
    min_reps: int
    drop_points: float
    major_drop_points: float
    metric_drop_points: float
    source: str


@dataclass(frozen=True)
class Profile:
    """A validated profile: everything ``evaluate_faults`` needs besides the motion."""

    name: str
    description: str
    metrics: dict[str, MetricSpec]
    faults: dict[str, FaultSpec]
    scoring: ScoringSpec
    fatigue: FatigueSpec
    verdict: VerdictSpec
    max_findings: int = 0
    units: str = "imperial"
    path: str = ""
    extends: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ProfileInfo:
    """One line of ``backpedal profiles``."""

    name: str
    description: str
    path: Path
    extends: str = ""
