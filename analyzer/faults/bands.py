"""Band arithmetic and rule tests: pure functions over profile bands and metric values.

Scores follow METRICS.md §10: 100 inside "good", linear from 100 down to the ok floor
(60 in the shipped profiles) across the "ok" band, then linear from the ok floor to 0 over
a further band of the same width beyond the fault limit (or the profile's ``falloff``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from analyzer.faults.profiles import Band, Condition, MetricSpec
from analyzer.results import MetricValue

FULL_SCORE = 100.0


def score_value(x: float, band: Band, *, ok_floor_score: float) -> float:
    """Score 0-100 of one value against its band (METRICS.md §10, piecewise linear)."""
    g_lo, g_hi = band.good
    o_lo, o_hi = band.ok
    if g_lo <= x <= g_hi:
        return FULL_SCORE
    if x < g_lo:
        ok_width, past_ok, inside_ok = g_lo - o_lo, o_lo - x, x - o_lo
        falloff = band.falloff[0] if band.falloff else ok_width
    else:
        ok_width, past_ok, inside_ok = o_hi - g_hi, x - o_hi, o_hi - x
        falloff = band.falloff[1] if band.falloff else ok_width
    if past_ok <= 0:  # inside the ok band (ok_width > 0 here, validated)
        return ok_floor_score + (FULL_SCORE - ok_floor_score) * inside_ok / ok_width
    return max(0.0, ok_floor_score * (1 - past_ok / falloff))


def fault_side(x: float, band: Band) -> str | None:
    """``"low"`` / ``"high"`` when ``x`` is past the ok limit on that side, else None."""
    if x < band.ok[0]:
        return "low"
    if x > band.ok[1]:
        return "high"
    return None


def past_hard_limit(x: float, band: Band) -> bool:
    """True when ``x`` is outside the band's hard limits (always a major fault)."""
    return band.hard is not None and not band.hard[0] <= x <= band.hard[1]


def limit_for(band: Band, side: str) -> float:
    """The fault limit on ``side`` (the ok band's edge)."""
    return band.ok[0] if side == "low" else band.ok[1]


@dataclass(frozen=True)
class Assessed:
    """A metric this clip can be judged on: its value, profile spec, confidence, score."""

    spec: MetricSpec
    metric: MetricValue
    level: str
    support: str
    score: float | None
    weight: float

    @property
    def value(self) -> float:
        """The measured value (never None for an assessed metric)."""
        return float(self.metric.value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Hit:
    """A rule that fired: which metric, its value, on which side, against which limit."""

    metric: str
    value: float
    side: str | None
    limit: float | None
    steps: tuple[int, ...] = ()
    step_fraction: float | None = None
    test_value: float | None = None


def _single_test(cond: Condition, spec: MetricSpec) -> Callable[[float], bool]:
    """The predicate "this value passes the rule" (in the fault zone, or past a limit)."""
    if cond.zone is not None and spec.band is not None:
        band = spec.band

        def pred(x: float) -> bool:
            side = fault_side(x, band)
            return side is not None and cond.zone in (side, "either")

        return pred
    above, below = cond.above, cond.below

    def pred_explicit(x: float) -> bool:
        return (above is not None and x > above) or (below is not None and x < below)

    return pred_explicit


def _side_and_limit(cond: Condition, spec: MetricSpec, x: float) -> tuple[str | None, float | None]:
    if cond.zone is not None and spec.band is not None:
        side = fault_side(x, spec.band)
        return side, (limit_for(spec.band, side) if side else None)
    if cond.above is not None and x > cond.above:
        return "high", cond.above
    if cond.below is not None and x < cond.below:
        return "low", cond.below
    return None, None


def _finite(values: tuple[float, ...]) -> list[tuple[int, float]]:
    return [(i, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(v)]


def test_condition(cond: Condition, assessed: dict[str, Assessed]) -> list[Hit] | None:
    """Hits when the condition holds on the assessable metrics, else None.

    A condition on a metric that is not assessable never holds (the fault is then "not
    assessable" rather than "absent" when none of its metrics can be judged).
    """
    if cond.all_of:
        hits: list[Hit] = []
        for part in cond.all_of:
            got = test_condition(part, assessed)
            if got is None:
                return None
            hits.extend(got)
        return hits
    a = assessed.get(cond.metric)
    if a is None:
        return None
    pred = _single_test(cond, a.spec)
    steps = _finite(a.metric.per_step)
    offending = tuple(i for i, v in steps if pred(v))
    if cond.min_step_fraction is not None and steps:
        frac = len(offending) / len(steps)
        if frac < cond.min_step_fraction:
            return None
        bad = sorted(v for i, v in steps if i in offending)
        test_value = bad[len(bad) // 2]
        side, limit = _side_and_limit(cond, a.spec, test_value)
        return [Hit(cond.metric, a.value, side, limit, offending, frac, test_value)]
    if not pred(a.value):
        return None
    side, limit = _side_and_limit(cond, a.spec, a.value)
    return [Hit(cond.metric, a.value, side, limit, offending, None, a.value)]
