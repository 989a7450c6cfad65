"""``evaluate_faults``: from a MotionAnalysis and a profile to findings, scores and gaps.

Steps: gate the metrics (§10 validity: view, assessable, skip rules) → score them → apply
each enabled fault rule (§9) on the whole clip and on each rep → merge a fault seen in
several reps into one finding → score every rep and the trend → add ``form_drop_fatigue``
when the late reps are clearly worse than the early ones.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from analyzer.faults.coaching import FAULT_TEXT, drill_lines
from analyzer.faults.profiles import Profile
from analyzer.faults.rules import (
    SEVERITY_ORDER,
    evaluate_fault,
    fault_metrics_assessable,
    merge_ranges,
)
from analyzer.faults.scoring import Assessment, assess_metrics, rep_trend, summarise_scores
from analyzer.faults.verdict import judge_clip
from analyzer.results import (
    FaultReport,
    Finding,
    FindingBand,
    MotionAnalysis,
    NotAssessable,
    Scores,
)

FATIGUE_ID = "form_drop_fatigue"


def _rank(f: Finding) -> tuple[int, float]:
    return (SEVERITY_ORDER.index(f.severity), f.confidence)


def _merge_rep_findings(clip: Finding | None, per_rep: list[Finding], n_reps: int) -> Finding:
    """One finding per fault: the clip-level one (or the worst rep's) with all reps' frames."""
    primary = clip or max(per_rep, key=_rank)
    reps = tuple(sorted({f.rep for f in per_rep if f.rep is not None}))
    frames = merge_ranges([r for f in [*([clip] if clip else []), *per_rep] for r in f.frames])
    explanation = primary.explanation
    if reps and n_reps > 1:
        listed = ", ".join(str(r + 1) for r in reps)
        explanation += f" Seen in rep {listed} of {n_reps}."
    return dataclasses.replace(
        primary,
        frames=frames,
        reps=reps,
        rep=reps[0] if len(reps) == 1 else None,
        severity=max([primary, *per_rep], key=_rank).severity,
        explanation=explanation,
    )


def _fault_gaps(profile: Profile, clip: Assessment, reps: list[Assessment]) -> list[NotAssessable]:
    """Faults none of whose metrics can be judged here, with how to film them."""
    reasons = {n.key: n.reason for n in clip.not_assessable}
    gaps = []
    for fid, fault in profile.faults.items():
        if not fault.enabled:
            continue
        if fault_metrics_assessable(fault, clip.assessed) or any(
            fault_metrics_assessable(fault, r.assessed) for r in reps
        ):
            continue
        why = list(dict.fromkeys(reasons[k] for k in fault.metrics() if k in reasons))
        gaps.append(
            NotAssessable(fid, "; ".join(why) or "not measurable in this clip", kind="fault")
        )
    return gaps


NO_READY_STANCE = (
    "no ready stance was seen before the first step: start filming a second or two before "
    "the athlete moves"
)


def _ready_reasons(motion: MotionAnalysis, gaps: list[NotAssessable]) -> list[NotAssessable]:
    """Ready-stance metrics missing because the clip has no ready stance say so (and not
    "film from the side" about a side clip)."""
    if any(p.kind == "ready" for p in motion.phases):
        return gaps
    ready = {k for k, m in motion.metrics.items() if m.phase == "ready"}
    return [
        dataclasses.replace(n, reason=NO_READY_STANCE) if n.key in ready else n for n in gaps
    ]


def _metric_changes(
    motion: MotionAnalysis,
    per_rep: list[dict[str, Any]],
    early: list[int],
    late: list[int],
    profile: Profile,
) -> list[str]:
    """Metrics whose score fell by at least the profile's per-metric drop, early → late."""
    out = []
    for key, spec in profile.metrics.items():
        e = [per_rep[i]["metrics"][key] for i in early if key in per_rep[i]["metrics"]]
        la = [per_rep[i]["metrics"][key] for i in late if key in per_rep[i]["metrics"]]
        if not e or not la:
            continue
        if sum(e) / len(e) - sum(la) / len(la) < profile.fatigue.metric_drop_points:
            continue
        ve = [motion.rep_metrics[i][key].value for i in early if key in motion.rep_metrics[i]]
        vl = [motion.rep_metrics[i][key].value for i in late if key in motion.rep_metrics[i]]
        if ve and vl and None not in ve and None not in vl:
            a, b = sum(ve) / len(ve), sum(vl) / len(vl)  # type: ignore[arg-type]
            out.append(f"{spec.label} {a:.3g} → {b:.3g}{(' ' + spec.unit) if spec.unit else ''}")
    return out


def _fatigue_finding(
    motion: MotionAnalysis, per_rep: list[dict[str, Any]], trend: dict[str, Any], profile: Profile
) -> Finding | None:
    fat = profile.fatigue
    if not fat.enabled or not trend or trend["reps"] < fat.min_reps:
        return None
    drop = -float(trend["change_points"])
    if drop < fat.drop_points:
        return None
    early, late = list(trend["early_reps"]), list(trend["late_reps"])
    late_reps = set(late)
    frames = [(p.start_frame, p.end_frame) for p in motion.phases if p.rep in late_reps]
    frames = frames or [(0, max(motion.track.n_frames - 1, 0))]
    key_phase = [p for p in motion.phases if p.rep == max(late_reps) and p.kind == "backpedal"]
    key_frame = key_phase[0].start_frame if key_phase else frames[0][0]
    text = FAULT_TEXT[FATIGUE_ID]
    changes = _metric_changes(motion, per_rep, early, late, profile)
    detail = f" Biggest changes: {'; '.join(changes)}." if changes else ""
    return Finding(
        id=FATIGUE_ID,
        title=text.title,
        severity="major" if drop >= fat.major_drop_points else "moderate",
        frames=merge_ranges(frames),
        key_frame=key_frame,
        metric="overall_score",
        value=round(drop, 1),
        unit="points",
        band=FindingBand(
            source=fat.source,
            unit="points",
            fault_above=fat.drop_points,
            major_above=fat.major_drop_points,
        ),
        confidence=profile.scoring.finding_confidence["medium"],
        cue=text.cue,
        drills=drill_lines(text.drills),
        rep=None,
        explanation=(
            f"{text.why} Overall score {trend['early_mean']:.0f} in the first reps, "
            f"{trend['late_mean']:.0f} in the last.{detail}"
        ),
        category="",
        reps=tuple(sorted(late_reps)),
    )


def evaluate_faults(motion: MotionAnalysis, profile: Profile) -> FaultReport:
    """Judge a motion analysis against a profile.

    Parameters
    ----------
    motion
        Output of ``analyzer.motion.analyze_motion``: metrics for the whole clip and, when
        there are several reps, one metric dict per rep (``rep_metrics``).
    profile
        A validated profile (``analyzer.faults.load_profile``).

    Returns
    -------
    FaultReport
        ``findings`` (most severe first; one per fault id), ``scores`` (overall, per category,
        per metric, per rep, trend) and ``not_assessable`` (metrics and faults this clip
        cannot support, each with how to film it).
    """
    view = motion.view.view
    clip = assess_metrics(motion.metrics, profile, view=view)
    multi = len(motion.rep_metrics) > 1
    reps = [assess_metrics(m, profile, view=view) for m in motion.rep_metrics] if multi else []
    findings: list[Finding] = []
    rep_findings: list[list[Finding]] = [[] for _ in reps]
    for fault in profile.faults.values():
        if not fault.enabled:
            continue
        whole = evaluate_fault(fault, clip.assessed, motion, profile)
        per_rep = [
            f
            for i, r in enumerate(reps)
            if (f := evaluate_fault(fault, r.assessed, motion, profile, rep=i)) is not None
        ]
        for f in per_rep:
            rep_findings[int(f.rep or 0)].append(f)
        if whole is not None or per_rep:
            findings.append(_merge_rep_findings(whole, per_rep, len(reps)))
    spec = profile.verdict
    per_rep_scores = [
        {"rep": i, **summarise_scores(r.assessed, rep_findings[i], spec)}
        for i, r in enumerate(reps)
    ]
    trend = rep_trend(per_rep_scores, steady_points=profile.fatigue.drop_points or 1.0)
    fatigue = _fatigue_finding(motion, per_rep_scores, trend, profile)
    if fatigue is not None:
        findings.append(fatigue)
    findings.sort(key=_rank, reverse=True)
    summary = summarise_scores(clip.assessed, findings, spec)
    scores = Scores(
        overall=summary["overall"],
        categories=summary["categories"],
        metrics=summary["metrics"],
        per_rep=per_rep_scores,
        trend=trend,
        caps=summary["caps"],
        docked=summary["docked"],
        bands={
            "good_from": spec.good_from,
            "fair_from": spec.fair_from,
            "cap_major": spec.cap_major,
            "cap_moderate": spec.cap_moderate,
        },
    )
    gaps = _ready_reasons(motion, list(clip.not_assessable)) + _fault_gaps(profile, clip, reps)
    shown = findings[: profile.max_findings] if profile.max_findings else findings
    report = FaultReport(
        profile=profile.name,
        findings=findings,
        scores=scores,
        not_assessable=gaps,
        focus=[f.id for f in shown],
        units=profile.units,
        metric_bands={
            k: {"good": list(m.band.good), "ok": list(m.band.ok)}
            for k, m in profile.metrics.items()
            if m.band is not None
        },
    )
    return dataclasses.replace(report, verdict=judge_clip(motion, report, profile, clip.assessed))
