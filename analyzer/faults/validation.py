"""Profile validation: a merged profile table in, a typed :class:`Profile` out (pure).

See :mod:`analyzer.faults.profiles` for the file format, where profiles live and loading,
and :mod:`analyzer.faults.schema` for the types built here. Unknown keys are errors that
name the key and the file (with a "did you mean" guess); every rule must name a declared
metric; bands must nest (good inside ok inside hard).
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from analyzer.errors import ProfileError
from analyzer.faults.schema import (
    CATEGORIES,
    LEVELS,
    SUPPORTS,
    VIEWS,
    ZONES,
    Band,
    Condition,
    FatigueSpec,
    FaultSpec,
    Interval,
    MetricSpec,
    Profile,
    ScoringSpec,
)
from analyzer.faults.verdict_spec import UNITS, VERDICT_KEYS, parse_verdict

__all__ = ["check_file_keys", "parse_profile"]

_TOP_KEYS = {
    "profile", "scoring", "severity", "fatigue", "report", "verdict", "metrics", "faults",
}  # fmt: skip
_PROFILE_KEYS = {"name", "description", "extends", "schema"}
_SCORING_KEYS = {
    "ok_floor_score",
    "confidence_weights",
    "finding_confidence",
    "margin_confidence_floor",
    "source",
}
_SEVERITY_KEYS = {"moderate_below_score", "major_below_score", "source"}
_FATIGUE_KEYS = {
    "enabled",
    "min_reps",
    "drop_points",
    "major_drop_points",
    "metric_drop_points",
    "source",
}
_REPORT_KEYS = {"max_findings", "units"}
_METRIC_KEYS = {
    "label",
    "unit",
    "category",
    "weight",
    "good",
    "ok",
    "hard",
    "falloff",
    "scored",
    "views",
    "film_hint",
    "source",
    "error",
    "skip_if",
    "skip_reason",
    "instead_of",
}
_FAULT_KEYS = {"category", "any", "source", "enabled", "title", "cue", "drills"}
_CONDITION_KEYS = {"metric", "zone", "above", "below", "min_step_fraction", "all"}


class _Ctx:
    """Where we are in which file, for error messages that name the key and the file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, what: str) -> ProfileError:
        return ProfileError(f"Profile {self.file}: {where}: {what}")

    def check_keys(self, table: Any, allowed: set[str], where: str) -> dict[str, Any]:
        if not isinstance(table, dict):
            raise self.fail(where, f"expected a table, got {type(table).__name__}")
        for key in table:
            if key not in allowed:
                near = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                raise ProfileError(
                    f"Profile {self.file}: unknown key '{where}.{key}'{hint}.",
                    f"Allowed keys in [{where}]: {', '.join(sorted(allowed))}.",
                )
        return table

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.fail(where, f"expected a number, got {value!r}")
        return float(value)

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected text, got {value!r}")
        return value

    def interval(self, value: Any, where: str) -> Interval:
        if not (isinstance(value, list) and len(value) == 2):
            raise self.fail(where, f"expected [low, high], got {value!r}")
        lo, hi = (self.number(v, where) for v in value)
        if lo > hi:
            raise self.fail(where, f"low {lo:g} is above high {hi:g}")
        return lo, hi


def _parse_band(table: dict[str, Any], where: str, ctx: _Ctx) -> Band | None:
    if "good" not in table and "ok" not in table:
        for k in ("hard", "falloff"):
            if k in table:
                raise ctx.fail(f"{where}.{k}", "needs 'good' and 'ok' limits too")
        return None
    if "good" not in table or "ok" not in table:
        raise ctx.fail(where, "give both 'good' and 'ok' limits (or neither, if descriptive)")
    good = ctx.interval(table["good"], f"{where}.good")
    ok = ctx.interval(table["ok"], f"{where}.ok")
    if not (ok[0] <= good[0] and good[1] <= ok[1]):
        raise ctx.fail(where, f"good {list(good)} must lie inside ok {list(ok)}")
    hard = ctx.interval(table["hard"], f"{where}.hard") if "hard" in table else None
    if hard is not None and not (hard[0] <= ok[0] and ok[1] <= hard[1]):
        raise ctx.fail(where, f"hard {list(hard)} must lie outside ok {list(ok)}")
    falloff = ctx.interval(table["falloff"], f"{where}.falloff") if "falloff" in table else None
    for side, (g, o) in enumerate(((good[0], ok[0]), (good[1], ok[1]))):
        if math.isfinite(g) and not math.isfinite(o):
            raise ctx.fail(where, "an ok limit is open where the good limit is not")
        width = falloff[side] if falloff is not None else abs(g - o)
        if math.isfinite(o) and not width > 0:
            raise ctx.fail(
                where,
                "ok equals good on a finite side; widen ok or give 'falloff' widths",
            )
    return Band(good=good, ok=ok, hard=hard, falloff=falloff)


def _parse_condition(raw: Any, where: str, ctx: _Ctx) -> Condition:
    table = ctx.check_keys(raw, _CONDITION_KEYS, where)
    if "all" in table:
        if set(table) != {"all"}:
            raise ctx.fail(where, "a condition with 'all' may not have other keys")
        parts = table["all"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise ctx.fail(f"{where}.all", "expected a list of at least two conditions")
        return Condition(
            all_of=tuple(_parse_condition(p, f"{where}.all[{i}]", ctx) for i, p in enumerate(parts))
        )
    if "metric" not in table:
        raise ctx.fail(where, "missing 'metric'")
    zone = table.get("zone")
    if zone is not None and zone not in ZONES:
        raise ctx.fail(f"{where}.zone", f"expected one of {ZONES}, got {zone!r}")
    above = ctx.number(table["above"], f"{where}.above") if "above" in table else None
    below = ctx.number(table["below"], f"{where}.below") if "below" in table else None
    if (zone is None) == (above is None and below is None):
        raise ctx.fail(where, "give either 'zone' or 'above'/'below'")
    frac = table.get("min_step_fraction")
    if frac is not None:
        frac = ctx.number(frac, f"{where}.min_step_fraction")
        if not 0 < frac <= 1:
            raise ctx.fail(f"{where}.min_step_fraction", "expected a share in (0, 1]")
    return Condition(
        metric=ctx.text(table["metric"], f"{where}.metric"),
        zone=zone,
        above=above,
        below=below,
        min_step_fraction=frac,
    )


def _parse_metric(key: str, raw: Any, ctx: _Ctx) -> MetricSpec:
    where = f"metrics.{key}"
    table = ctx.check_keys(raw, _METRIC_KEYS, where)
    for required in ("label", "source"):
        if required not in table:
            raise ctx.fail(where, f"missing '{required}'")
    band = _parse_band(table, where, ctx)
    category = table.get("category")
    if category is not None and category not in CATEGORIES:
        raise ctx.fail(f"{where}.category", f"expected one of {CATEGORIES}, got {category!r}")
    weight = ctx.number(table.get("weight", 0), f"{where}.weight")
    if weight < 0:
        raise ctx.fail(f"{where}.weight", "weights cannot be negative")
    if weight > 0 and (band is None or category is None):
        raise ctx.fail(where, "a weighted metric needs a band (good/ok) and a category")
    views = ctx.check_keys(table.get("views", {}), set(VIEWS), f"{where}.views")
    for view, support in views.items():
        if support not in SUPPORTS:
            raise ctx.fail(f"{where}.views.{view}", f"expected one of {SUPPORTS}")
    error = table.get("error")
    skip = table.get("skip_if", [])
    if not isinstance(skip, list):
        raise ctx.fail(f"{where}.skip_if", "expected a list of conditions")
    return MetricSpec(
        key=key,
        label=ctx.text(table["label"], f"{where}.label"),
        unit=ctx.text(table.get("unit", ""), f"{where}.unit"),
        category=category,
        weight=weight,
        band=band,
        scored=bool(table.get("scored", band is not None)) and band is not None,
        views=dict(views),
        film_hint=ctx.text(table.get("film_hint", ""), f"{where}.film_hint"),
        source=ctx.text(table["source"], f"{where}.source"),
        error=None if error is None else ctx.number(error, f"{where}.error"),
        skip_if=tuple(
            _parse_condition(c, f"{where}.skip_if[{i}]", ctx) for i, c in enumerate(skip)
        ),
        skip_reason=ctx.text(table.get("skip_reason", ""), f"{where}.skip_reason"),
        instead_of=tuple(
            ctx.text(k, f"{where}.instead_of") for k in table.get("instead_of", [])
        ),
    )


def _parse_fault(fid: str, raw: Any, ctx: _Ctx) -> FaultSpec:
    where = f"faults.{fid}"
    table = ctx.check_keys(raw, _FAULT_KEYS, where)
    for required in ("category", "any", "source"):
        if required not in table:
            raise ctx.fail(where, f"missing '{required}'")
    if table["category"] not in CATEGORIES:
        raise ctx.fail(f"{where}.category", f"expected one of {CATEGORIES}")
    rules = table["any"]
    if not isinstance(rules, list) or not rules:
        raise ctx.fail(f"{where}.any", "expected a non-empty list of conditions")
    drills = table.get("drills", [])
    if not isinstance(drills, list) or not all(isinstance(d, str) for d in drills):
        raise ctx.fail(f"{where}.drills", "expected a list of drill ids")
    return FaultSpec(
        id=fid,
        category=table["category"],
        any_of=tuple(_parse_condition(c, f"{where}.any[{i}]", ctx) for i, c in enumerate(rules)),
        source=ctx.text(table["source"], f"{where}.source"),
        enabled=bool(table.get("enabled", True)),
        title=ctx.text(table.get("title", ""), f"{where}.title"),
        cue=ctx.text(table.get("cue", ""), f"{where}.cue"),
        drills=tuple(drills),
    )


def _parse_scoring(data: dict[str, Any], ctx: _Ctx) -> ScoringSpec:
    sc = ctx.check_keys(data.get("scoring", {}), _SCORING_KEYS, "scoring")
    sev = ctx.check_keys(data.get("severity", {}), _SEVERITY_KEYS, "severity")
    for key in ("ok_floor_score", "confidence_weights", "finding_confidence", "source"):
        if key not in sc:
            raise ctx.fail("scoring", f"missing '{key}'")
    for key in ("moderate_below_score", "major_below_score", "source"):
        if key not in sev:
            raise ctx.fail("severity", f"missing '{key}'")
    levels: dict[str, dict[str, float]] = {}
    for name in ("confidence_weights", "finding_confidence"):
        table = ctx.check_keys(sc[name], set(LEVELS), f"scoring.{name}")
        if set(table) != set(LEVELS):
            raise ctx.fail(f"scoring.{name}", f"give a value for each of {LEVELS}")
        levels[name] = {k: ctx.number(v, f"scoring.{name}.{k}") for k, v in table.items()}
    return ScoringSpec(
        ok_floor_score=ctx.number(sc["ok_floor_score"], "scoring.ok_floor_score"),
        confidence_weights=levels["confidence_weights"],
        finding_confidence=levels["finding_confidence"],
        margin_confidence_floor=ctx.number(
            sc.get("margin_confidence_floor", 1), "scoring.margin_confidence_floor"
        ),
        moderate_below_score=ctx.number(sev["moderate_below_score"], "severity.moderate"),
        major_below_score=ctx.number(sev["major_below_score"], "severity.major"),
        source=f"{sc['source']}; severity: {sev['source']}",
    )


def _parse_fatigue(data: dict[str, Any], ctx: _Ctx) -> FatigueSpec:
    fa = ctx.check_keys(data.get("fatigue", {}), _FATIGUE_KEYS, "fatigue")
    if not fa.get("enabled", True):
        return FatigueSpec(False, 0, 0.0, 0.0, 0.0, str(fa.get("source", "")))
    for key in _FATIGUE_KEYS - {"enabled"}:
        if key not in fa:
            raise ctx.fail("fatigue", f"missing '{key}'")
    return FatigueSpec(
        enabled=True,
        min_reps=int(ctx.number(fa["min_reps"], "fatigue.min_reps")),
        drop_points=ctx.number(fa["drop_points"], "fatigue.drop_points"),
        major_drop_points=ctx.number(fa["major_drop_points"], "fatigue.major_drop_points"),
        metric_drop_points=ctx.number(fa["metric_drop_points"], "fatigue.metric_drop_points"),
        source=ctx.text(fa["source"], "fatigue.source"),
    )


def _check_condition(
    cond: Condition, where: str, metrics: dict[str, MetricSpec], ctx: _Ctx
) -> None:
    """A rule names a declared metric; a zone rule needs a scored band."""
    for i, part in enumerate(cond.all_of):
        _check_condition(part, f"{where}.all[{i}]", metrics, ctx)
    if cond.all_of:
        return
    spec = metrics.get(cond.metric)
    if spec is None:
        raise ctx.fail(where, f"metric '{cond.metric}' is not declared under [metrics]")
    if cond.zone is not None and not spec.scored:
        raise ctx.fail(where, f"'zone' needs metric '{cond.metric}' to be scored (a band)")


def _cross_check(metrics: dict[str, MetricSpec], faults: dict[str, FaultSpec], ctx: _Ctx) -> None:
    """Rules name declared metrics; new fault ids bring their own text; drills exist."""
    from analyzer.faults.coaching import DRILLS, FAULT_TEXT

    for key, m in metrics.items():
        for i, c in enumerate(m.skip_if):
            _check_condition(c, f"metrics.{key}.skip_if[{i}]", metrics, ctx)
    for fid, f in faults.items():
        if not f.enabled:
            continue
        for i, c in enumerate(f.any_of):
            _check_condition(c, f"faults.{fid}.any[{i}]", metrics, ctx)
        if fid not in FAULT_TEXT and not (f.title and f.cue):
            raise ctx.fail(f"faults.{fid}", "a new fault id needs its own 'title' and 'cue'")
        unknown = [d for d in f.drills if d not in DRILLS]
        if unknown:
            raise ctx.fail(
                f"faults.{fid}.drills", f"unknown drill '{unknown[0]}' ({sorted(DRILLS)})"
            )


def check_file_keys(data: dict[str, Any], *, file: str) -> None:
    """Reject unknown keys in one file before it is merged with the profile it extends,
    so the error names the file that has the typo."""
    ctx = _Ctx(file)
    ctx.check_keys(data, _TOP_KEYS, "<top level>")
    fixed = {
        "profile": _PROFILE_KEYS,
        "scoring": _SCORING_KEYS,
        "severity": _SEVERITY_KEYS,
        "fatigue": _FATIGUE_KEYS,
        "report": _REPORT_KEYS,
        "verdict": VERDICT_KEYS,
    }
    for name, allowed in fixed.items():
        ctx.check_keys(data.get(name, {}), allowed, name)
    for section, allowed, rule_key in (
        ("metrics", _METRIC_KEYS, "skip_if"),
        ("faults", _FAULT_KEYS, "any"),
    ):
        tables = ctx.check_keys(data.get(section, {}), set(data.get(section, {})), section)
        for key, table in tables.items():
            ctx.check_keys(table, allowed, f"{section}.{key}")
            rules = table.get(rule_key, [])
            for i, rule in enumerate(rules if isinstance(rules, list) else []):
                _parse_condition(rule, f"{section}.{key}.{rule_key}[{i}]", ctx)


def _parse_units(value: Any, ctx: _Ctx) -> str:
    text = ctx.text(value, "report.units")
    if text not in UNITS:
        raise ctx.fail("report.units", f"'{text}' is not one of {', '.join(UNITS)}")
    return text


def parse_profile(data: dict[str, Any], *, name: str, file: str = "<memory>") -> Profile:
    """Validate an already-merged profile table and build a :class:`Profile`.

    Raises
    ------
    ProfileError
        On an unknown key (named, with the file), a missing value, a bad band or a rule
        naming an undeclared metric.
    """
    ctx = _Ctx(file)
    ctx.check_keys(data, _TOP_KEYS, "<top level>")
    head = ctx.check_keys(data.get("profile", {}), _PROFILE_KEYS, "profile")
    raw_metrics = ctx.check_keys(data.get("metrics", {}), set(data.get("metrics", {})), "metrics")
    raw_faults = ctx.check_keys(data.get("faults", {}), set(data.get("faults", {})), "faults")
    metrics = {k: _parse_metric(k, v, ctx) for k, v in raw_metrics.items()}
    faults = {k: _parse_fault(k, v, ctx) for k, v in raw_faults.items()}
    _cross_check(metrics, faults, ctx)
    report = ctx.check_keys(data.get("report", {}), _REPORT_KEYS, "report")
    return Profile(
        name=str(head.get("name", name)),
        description=ctx.text(head.get("description", ""), "profile.description"),
        metrics=metrics,
        faults=faults,
        scoring=_parse_scoring(data, ctx),
        fatigue=_parse_fatigue(data, ctx),
        max_findings=int(ctx.number(report.get("max_findings", 0), "report.max_findings")),
        verdict=parse_verdict(
            ctx.check_keys(data.get("verdict", {}), VERDICT_KEYS, "verdict"), ctx.number, ctx.fail
        ),
        units=_parse_units(report.get("units", "imperial"), ctx),
        path=file,
        extends=str(head.get("extends", "")),
        raw=data,
    )
