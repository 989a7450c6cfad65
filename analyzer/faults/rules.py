"""Fault rules (METRICS.md §9) applied to assessed metrics: findings with their evidence.

Which metrics a fault reads, and the limits, come from the profile (data); this module
only knows how to apply "any one of these tests triggers" and how to point at the frames
that show it, best evidence first:

1. per-step values with one frame per step: the offending steps, each from its touchdown
   to the frame before the next touchdown (key frame: the worst step);
2. a per-frame series (``MotionAnalysis.series[key]``, or without the ``ready_``/``sprint_``
   prefix) inside the metric's phase: the runs of frames past the limit (key frame: the
   most typical of them);
3. the metric's representative frames, each widened to the step that holds it (key frame:
   the metric's extreme frame on the fault side, from ``details``);
4. the frames of the metric's phase in the rep being judged;
5. as a last resort, the whole clip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analyzer.faults.bands import Assessed, Hit, past_hard_limit, score_value, test_condition
from analyzer.faults.coaching import FAULT_TEXT, drill_lines
from analyzer.faults.profiles import FaultSpec, MetricSpec, Profile
from analyzer.results import Finding, FindingBand, FindingEvidence, MotionAnalysis, Phase

SEVERITY_ORDER = ("minor", "moderate", "major")
#: Phase prefixes of metric keys whose per-frame series is stored without the prefix.
SERIES_PREFIXES = ("ready_", "sprint_")
FrameRange = tuple[int, int]


def merge_ranges(ranges: list[FrameRange]) -> tuple[FrameRange, ...]:
    """Sort and merge overlapping or touching frame ranges."""
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


def _runs(frames: list[int]) -> list[FrameRange]:
    runs: list[FrameRange] = []
    for f in sorted(set(frames)):
        if runs and f == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], f)
        else:
            runs.append((f, f))
    return runs


def _phase_ranges(motion: MotionAnalysis, phase: str, rep: int | None) -> list[FrameRange]:
    def match(p: Phase) -> bool:
        return p.kind == phase and (rep is None or p.rep == rep)

    return [(p.start_frame, p.end_frame) for p in motion.phases if match(p)]


def _step_ranges(frames: tuple[int, ...], idx: tuple[int, ...], n_frames: int) -> list[FrameRange]:
    """Each offending step from its touchdown frame to the frame before the next one."""
    out = []
    for i in idx:
        start = int(frames[i])
        nxt = int(frames[i + 1]) - 1 if i + 1 < len(frames) else start
        out.append((start, max(start, min(nxt, n_frames - 1))))
    return out


def _series_for(motion: MotionAnalysis, key: str) -> np.ndarray | None:
    """The per-frame series behind a metric: same key, or without a phase prefix."""
    candidates = [key] + [key.split("_", 1)[1] for p in SERIES_PREFIXES if key.startswith(p)]
    for name in candidates:
        arr = motion.series.get(name)
        if arr is None:
            continue
        arr = np.asarray(arr, dtype=float)
        if arr.ndim == 1 and len(arr) == motion.track.n_frames:
            return arr
    return None


def _series_evidence(
    motion: MotionAnalysis, hit: Hit, window: list[FrameRange]
) -> tuple[list[FrameRange], int | None]:
    """Frames of the phase window where the per-frame series is past the limit, and the
    offending frame closest to the median offending value."""
    arr = _series_for(motion, hit.metric)
    if arr is None or hit.limit is None or hit.side is None or not math.isfinite(hit.limit):
        return [], None
    with np.errstate(invalid="ignore"):
        past = arr < hit.limit if hit.side == "low" else arr > hit.limit
    mask = np.zeros(len(arr), dtype=bool)
    for lo, hi in window:
        mask[lo : hi + 1] = True
    idx = np.flatnonzero(past & mask)
    if not idx.size:
        return [], None
    # the most typical offending frame (extremes sit at phase edges, where turns start)
    typical = idx[int(np.argmin(np.abs(arr[idx] - np.median(arr[idx]))))]
    return _runs([int(i) for i in idx]), int(typical)


def _containing_step(motion: MotionAnalysis, frame: int) -> FrameRange:
    """The step (touchdown to the frame before the next touchdown) that holds ``frame``."""
    tds = sorted({s.touchdown_frame for s in motion.steps})
    before = [t for t in tds if t <= frame]
    after = [t for t in tds if t > frame]
    if not before or not after:
        return (frame, frame)
    return (before[-1], after[0] - 1)


def _extreme_frame(a: Assessed, hit: Hit) -> int | None:
    key = {"low": "min_frame", "high": "max_frame"}.get(hit.side or "")
    value = a.metric.details.get(key) if key else None
    return int(value) if value is not None and math.isfinite(value) else None


def evidence_frames(
    motion: MotionAnalysis, a: Assessed, hit: Hit, rep: int | None
) -> tuple[tuple[FrameRange, ...], int]:
    """Frame ranges that show the fault, and one key frame to look at first."""
    mv = a.metric
    n = max(motion.track.n_frames, 1)
    if hit.steps and len(mv.frames) == len(mv.per_step):
        ranges = _step_ranges(mv.frames, hit.steps, n)
        vals = np.asarray([mv.per_step[i] for i in hit.steps])
        worst = hit.steps[int(np.argmax(np.abs(vals - (hit.limit or 0.0))))]
        return merge_ranges(ranges), int(mv.frames[worst])
    phase_ranges = _phase_ranges(motion, mv.phase, rep)
    window = phase_ranges or ([(min(mv.frames), max(mv.frames))] if mv.frames else [(0, n - 1)])
    ranges, key = _series_evidence(motion, hit, window)
    if not ranges and mv.frames:
        ranges = [_containing_step(motion, int(f)) for f in mv.frames]
    if not ranges:
        ranges = window
    merged = merge_ranges(ranges)
    if key is None:
        key = _extreme_frame(a, hit)
    if key is None and mv.frames:
        key = int(mv.frames[len(mv.frames) // 2])
    if key is None:
        longest = max(merged, key=lambda r: r[1] - r[0])
        key = (longest[0] + longest[1]) // 2
    return merged, key


def severity_of(a: Assessed, hit: Hit, profile: Profile) -> str:
    """minor / moderate / major from the score of the judged value (§10 scale)."""
    band = a.spec.band
    x = hit.test_value if hit.test_value is not None else hit.value
    if band is None:
        return SEVERITY_ORDER[1]
    if past_hard_limit(x, band):
        return SEVERITY_ORDER[-1]
    score = score_value(x, band, ok_floor_score=profile.scoring.ok_floor_score)
    if score < profile.scoring.major_below_score:
        return SEVERITY_ORDER[2]
    if score < profile.scoring.moderate_below_score:
        return SEVERITY_ORDER[1]
    return SEVERITY_ORDER[0]


def confidence_of(a: Assessed, hit: Hit, profile: Profile) -> float:
    """Metric confidence level (§10) scaled down when the value is within the typical
    measurement error of the limit (the profile's per-metric ``error``)."""
    base = profile.scoring.finding_confidence[a.level]
    err, x = a.spec.error, hit.test_value if hit.test_value is not None else hit.value
    if err is None or err <= 0 or hit.limit is None or not math.isfinite(hit.limit):
        return base
    floor = profile.scoring.margin_confidence_floor
    margin = min(1.0, abs(x - hit.limit) / err)
    return base * (floor + (1 - floor) * margin)


def band_of(spec: MetricSpec) -> FindingBand:
    """The metric's band as a finding carries it (open sides are None), with its source."""

    def side(v: float) -> float | None:
        return v if math.isfinite(v) else None

    b = spec.band
    if b is None:
        return FindingBand(source=spec.source, unit=spec.unit)
    return FindingBand(
        source=spec.source,
        unit=spec.unit,
        good=(side(b.good[0]), side(b.good[1])),
        ok=(side(b.ok[0]), side(b.ok[1])),
        fault_below=side(b.ok[0]),
        fault_above=side(b.ok[1]),
        hard=None if b.hard is None else (side(b.hard[0]), side(b.hard[1])),
    )


@dataclass(frozen=True)
class _Scored:
    hit: Hit
    assessed: Assessed
    severity: str
    confidence: float


def _describe(s: _Scored) -> str:
    spec, hit = s.assessed.spec, s.hit
    unit = f" {spec.unit}" if spec.unit else ""
    where = "below" if hit.side == "low" else "above"
    text = f"{spec.label} {hit.value:.3g}{unit}"
    if hit.step_fraction is not None:
        text += f" (median; {hit.step_fraction:.0%} of steps past the limit)"
    if hit.limit is not None and hit.side is not None:
        text += f", fault {where} {hit.limit:.3g}"
    return text


def evaluate_fault(
    fault: FaultSpec,
    assessed: dict[str, Assessed],
    motion: MotionAnalysis,
    profile: Profile,
    *,
    rep: int | None = None,
) -> Finding | None:
    """Apply one fault's rules; a Finding when any rule fires, else None."""
    scored: list[_Scored] = []
    for cond in fault.any_of:
        for hit in test_condition(cond, assessed) or []:
            a = assessed[hit.metric]
            sev, conf = severity_of(a, hit, profile), confidence_of(a, hit, profile)
            scored.append(_Scored(hit, a, sev, conf))
    if not scored:
        return None
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    main = max(scored, key=lambda s: (rank[s.severity], s.confidence))
    frames: list[FrameRange] = []
    for s in scored:
        got, _ = evidence_frames(motion, s.assessed, s.hit, rep)
        frames.extend(got)
    _, key_frame = evidence_frames(motion, main.assessed, main.hit, rep)
    text = FAULT_TEXT.get(fault.id)
    drills = fault.drills or (text.drills if text else ())
    why = text.why if text else ""
    evidence = "; ".join(_describe(s) for s in scored)
    return Finding(
        id=fault.id,
        title=fault.title or (text.title if text else fault.id),
        severity=main.severity,  # type: ignore[arg-type]
        frames=merge_ranges(frames),
        key_frame=key_frame,
        metric=main.hit.metric,
        value=main.hit.value,
        unit=main.assessed.spec.unit,
        band=band_of(main.assessed.spec),
        confidence=max(s.confidence for s in scored),
        cue=fault.cue or (text.cue if text else ""),
        drills=drill_lines(drills),
        rep=rep,
        explanation=f"{why} Measured: {evidence}.".strip(),
        category=fault.category,
        evidence=tuple(
            FindingEvidence(
                metric=s.hit.metric,
                value=s.hit.value,
                side=s.hit.side,  # type: ignore[arg-type]
                limit=s.hit.limit,
                step_fraction=s.hit.step_fraction,
                severity=s.severity,  # type: ignore[arg-type]
                confidence=s.confidence,
            )
            for s in scored
        ),
    )


def fault_metrics_assessable(fault: FaultSpec, assessed: dict[str, Assessed]) -> bool:
    """True when at least one of the fault's rules can be judged in this clip (all the
    metrics that rule reads are assessable)."""
    return any(all(k in assessed for k in c.metrics()) for c in fault.any_of)
