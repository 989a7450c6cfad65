"""Scores 0-100 per metric, per category and overall, with the §10 validity gate.

A metric is scored only when (i) the metrics code marked it assessable, (ii) neither the
metrics code nor the profile's view table (METRICS.md §8.1) says this view cannot support
it, and (iii) none of the profile's ``skip_if`` rules applies (e.g. §11 controlled reps).
Category and overall scores are weighted means over what could be scored
(base weight × confidence weight, §10), so a front-view clip is judged on what a front
view shows instead of being marked down for what it cannot see.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analyzer.faults.bands import FULL_SCORE, Assessed, score_value, test_condition
from analyzer.faults.profiles import CATEGORIES, LEVELS, SUPPORTS, MetricSpec, Profile
from analyzer.faults.verdict_spec import VerdictSpec
from analyzer.results import Finding, MetricValue, NotAssessable


def _worse_support(a: str, b: str) -> str:
    return a if SUPPORTS.index(a) >= SUPPORTS.index(b) else b


def _lower_level(level: str) -> str:
    i = LEVELS.index(level) if level in LEVELS else len(LEVELS) - 1
    return LEVELS[min(i + 1, len(LEVELS) - 1)]


def _film_reason(spec: MetricSpec, metric: MetricValue | None) -> str:
    if metric is not None and metric.reason:
        return metric.reason
    return spec.film_hint or f"{spec.label} was not measured in this clip"


@dataclass
class Assessment:
    """Which metrics of one set (clip or rep) can be judged, and why the others cannot."""

    assessed: dict[str, Assessed]
    not_assessable: list[NotAssessable]


def _assess_one(
    spec: MetricSpec, metric: MetricValue | None, profile: Profile, view: str
) -> Assessed | NotAssessable | None:
    if metric is None or not metric.assessable or metric.value is None:
        return NotAssessable(spec.key, _film_reason(spec, metric)) if spec.scored else None
    if not math.isfinite(float(metric.value)):
        return NotAssessable(spec.key, _film_reason(spec, metric)) if spec.scored else None
    support = _worse_support(
        metric.support if metric.support in SUPPORTS else "valid",
        spec.views.get(view, "valid"),
    )
    if support == "invalid":
        reason = spec.film_hint or metric.reason or f"{spec.label} needs another camera view"
        return NotAssessable(spec.key, reason) if spec.scored else None
    level = metric.confidence if metric.confidence in LEVELS else LEVELS[-1]
    if support == "degraded":
        level = _lower_level(level)
    score = None
    if spec.scored and spec.band is not None:
        score = score_value(
            float(metric.value), spec.band, ok_floor_score=profile.scoring.ok_floor_score
        )
    weight = spec.weight * profile.scoring.confidence_weights[level] if spec.scored else 0.0
    return Assessed(spec, metric, level, support, score, weight)


def assess_metrics(metrics: dict[str, MetricValue], profile: Profile, *, view: str) -> Assessment:
    """Apply the §10 validity gate to every metric the profile knows.

    Parameters
    ----------
    metrics
        Metric key -> value, as ``MotionAnalysis.metrics`` (or one rep's dict).
    profile
        The thresholds, weights and view table.
    view
        ``MotionAnalysis.view.view`` ("side", "front", "diagonal", "rear", "unknown").
    """
    assessed: dict[str, Assessed] = {}
    missing: list[NotAssessable] = []
    for key, spec in profile.metrics.items():
        got = _assess_one(spec, metrics.get(key), profile, view)
        if isinstance(got, Assessed):
            assessed[key] = got
        elif got is not None:
            missing.append(got)
    # one of two alternatives (speed kept through a turn / break time) is all a rep can have
    missing = [
        n for n in missing
        if not any(k in assessed for k in profile.metrics[n.key].instead_of)
    ]  # fmt: skip
    # §11 skip rules (e.g. no cadence verdict on a controlled rep) read other metrics.
    for key, spec in profile.metrics.items():
        if key in assessed and any(test_condition(c, assessed) for c in spec.skip_if):
            del assessed[key]
            missing.append(NotAssessable(key, spec.skip_reason or "not judged on this rep"))
    return Assessment(assessed, missing)


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    if total <= 0:
        return None
    return sum(s * w for s, w in pairs) / total


def _finding_metrics(f: Finding) -> set[str]:
    keys = {f.metric}
    keys.update(str(e["metric"]) for e in f.evidence if isinstance(e, dict) and "metric" in e)
    return keys


def _cap_for(findings: list[Finding], spec: VerdictSpec | None) -> tuple[float, str] | None:
    """The lowest cap the findings impose (major before moderate), with the finding's id."""
    if spec is None:
        return None
    caps = {"major": spec.cap_major, "moderate": spec.cap_moderate}
    capped = [(caps[f.severity], f.id) for f in findings if f.severity in caps]
    return min(capped) if capped else None


def summarise_scores(
    assessed: dict[str, Assessed],
    findings: list[Finding] | None = None,
    spec: VerdictSpec | None = None,
) -> dict[str, Any]:
    """Per-metric scores, category scores and the overall score of one assessment.

    Scores agree with the findings: a category holding a major finding shows at most
    ``spec.cap_major`` (the "needs work" band), one holding a moderate finding at most
    ``spec.cap_moderate`` ("fair"); the overall is capped by the worst finding of the clip.
    ``caps`` names the finding behind each cap; ``docked`` the metrics that lowered a
    category without a finding of their own (so the report can say what docked it).
    """
    findings = findings or []
    metric_scores = {k: a.score for k, a in assessed.items() if a.score is not None}
    flagged = set().union(*(_finding_metrics(f) for f in findings)) if findings else set()
    categories: dict[str, float | None] = {}
    caps: dict[str, str] = {}
    docked: dict[str, list[str]] = {}
    for cat in CATEGORIES:
        scored = [
            (k, a) for k, a in assessed.items()
            if a.score is not None and a.spec.category == cat and a.weight > 0
        ]  # fmt: skip
        score = _weighted_mean([(a.score, a.weight) for _, a in scored])  # type: ignore[misc]
        cap = _cap_for([f for f in findings if f.category == cat], spec)
        if score is not None and cap is not None and score > cap[0]:
            score, caps[cat] = cap[0], cap[1]
        categories[cat] = score
        below = [k for k, a in scored if a.score < FULL_SCORE and k not in flagged]  # type: ignore[operator]
        if below:
            docked[cat] = below
    overall = _weighted_mean(
        [(a.score, a.weight) for a in assessed.values() if a.score is not None and a.weight > 0]
    )
    cap = _cap_for(findings, spec)
    if overall is not None and cap is not None and overall > cap[0]:
        overall, caps["overall"] = cap[0], cap[1]
    return {
        "overall": overall,
        "categories": categories,
        "metrics": metric_scores,
        "caps": caps,
        "docked": docked,
    }


def early_late(n: int) -> tuple[list[int], list[int]]:
    """Positions of the first and last third of ``n`` reps (at least one each)."""
    k = max(1, n // len(("early", "middle", "late")))
    return list(range(k)), list(range(n - k, n))


def rep_trend(per_rep: list[dict[str, Any]], *, steady_points: float) -> dict[str, Any]:
    """Trend of the overall score across reps: early vs late mean and a least-squares slope.

    "Early" and "late" are the first and last third of the scored reps (at least one each).
    ``direction`` is "dropping"/"improving" when late differs from early by at least
    ``steady_points`` (the profile's fatigue drop), else "steady".
    """
    pts = [(r["rep"], r["overall"]) for r in per_rep if r.get("overall") is not None]
    if len(pts) < 2:
        return {}
    n = len(pts)
    first, last = early_late(n)
    early = sum(pts[i][1] for i in first) / len(first)
    late = sum(pts[i][1] for i in last) / len(last)
    xs = [float(i) for i, _ in pts]
    ys = [s for _, s in pts]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    change = late - early
    direction = "steady"
    if change <= -steady_points:
        direction = "dropping"
    elif change >= steady_points:
        direction = "improving"
    return {
        "reps": n,
        "early_reps": [pts[i][0] for i in first],
        "late_reps": [pts[i][0] for i in last],
        "early_mean": early,
        "late_mean": late,
        "change_points": change,
        "slope_points_per_rep": slope,
        "direction": direction,
    }
