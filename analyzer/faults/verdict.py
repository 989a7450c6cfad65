"""Whether a clip can be judged at all: "could not analyse this clip" instead of false praise.

A verdict needs evidence. :func:`judge_clip` refuses one, with the reason in a coach's words
and what to do, when the clip shows no backpedal (the athlete walked forwards or stood still),
too few backpedal steps, steps far too slow for real speed (a slow-motion clip without its
capture rate), or too little of the profile's scoring weight that this view can measure. The
limits are the profile's ``[verdict]`` table; the filming advice is :mod:`analyzer.filming`.
"""

from __future__ import annotations

import math

from analyzer.faults.bands import Assessed
from analyzer.faults.profiles import Profile
from analyzer.filming import CAMERA_DISTANCE, FILM_FROM_SIDE
from analyzer.results import FaultReport, MotionAnalysis, Verdict

NOT_ANALYSABLE = "Could not analyse this clip"
#: Phases that show backpedal steps: a backpedal, or backpedal steps without travel (wall
#: taps, a treadmill, a sled held in place; ``analyzer.events.inplace``).
STEPPING_PHASES = ("backpedal", "in_place")

_NO_BACKPEDAL = {
    "forward": (
        "The athlete moves forwards in this clip, not backwards, so there is no backpedal "
        "to judge."
    ),
    "stationary": "The athlete hardly moves in this clip, so there is no backpedal to judge.",
}
_NO_BACKPEDAL_OTHER = (
    "We never saw the athlete move backwards while facing forwards for long enough to call "
    "it a backpedal."
)
_FILM_BACKPEDAL = (
    "Film a backpedal: the athlete starts in the ready stance, pedals back 5-10 yd, turns and "
    f"sprints, with the camera side-on {CAMERA_DISTANCE} away."
)
_SLOW_MOTION = (
    "If this was filmed in slow motion, give the rate the phone filmed at, e.g. "
    "`backpedal analyze CLIP --capture-fps 240` (the file does not record it)."
)


def _backpedal_steps(motion: MotionAnalysis) -> int:
    spans = [(p.start_frame, p.end_frame) for p in motion.phases if p.kind in STEPPING_PHASES]
    return sum(1 for s in motion.steps if any(a <= s.touchdown_frame <= b for a, b in spans))


def _cadence(motion: MotionAnalysis, min_steps: int) -> float | None:
    """The backpedal step rate, else the rate of all foot landings in the clip (steps/s)."""
    m = motion.metrics.get("cadence_steps_per_s")
    if m is not None and m.value is not None and math.isfinite(float(m.value)):
        return float(m.value)
    times = sorted(e.time_s for e in motion.events if e.kind == "touchdown")
    if len(times) <= min_steps or times[-1] <= times[0]:
        return None
    return (len(times) - 1) / (times[-1] - times[0])


def assessed_weight_share(assessed: dict[str, Assessed], profile: Profile) -> float:
    """Share of the profile's scoring weight that this clip lets us score (0-1)."""
    total = sum(s.weight for s in profile.metrics.values() if s.scored and s.band is not None)
    got = sum(a.spec.weight for a in assessed.values() if a.score is not None and a.weight > 0)
    return got / total if total > 0 else 0.0


def judge_clip(
    motion: MotionAnalysis,
    report: FaultReport,
    profile: Profile,
    assessed: dict[str, Assessed],
) -> Verdict:
    """The clip's verdict: "assessed", or "not_analysable" with reasons and actions.

    Parameters
    ----------
    motion
        The motion analysis (phases, contacts, travel direction, metrics).
    report
        The findings and scores so far (their band is named in the headline).
    profile
        Supplies the ``[verdict]`` limits.
    assessed
        The clip's gated metrics (``assess_metrics(...).assessed``).
    """
    spec = profile.verdict
    reasons: list[str] = []
    actions: list[str] = []
    hints: list[str] = []
    has_backpedal = any(p.kind in STEPPING_PHASES for p in motion.phases)
    cadence = _cadence(motion, spec.min_backpedal_steps)
    slow = cadence is not None and cadence < spec.min_plausible_cadence_steps_per_s
    if slow:
        reasons.append(
            f"The feet land {cadence:.1f} times per second, far slower than any backpedal "
            f"({spec.min_plausible_cadence_steps_per_s:g} or more even at a walk): this usually "
            "means a slow-motion clip played at normal speed."
        )
        actions.append(_SLOW_MOTION)
    if not has_backpedal:
        reasons.append(_NO_BACKPEDAL.get(motion.travel_direction, _NO_BACKPEDAL_OTHER))
        actions.append(_FILM_BACKPEDAL)
    elif _backpedal_steps(motion) < spec.min_backpedal_steps:
        reasons.append(
            f"We counted fewer than {spec.min_backpedal_steps} foot landings in the backpedal, "
            "too few to judge the footwork."
        )
        actions.append(_FILM_BACKPEDAL)
    share = assessed_weight_share(assessed, profile)
    if has_backpedal and share < spec.min_assessed_weight_share:
        reasons.append(
            f"From this camera angle we could measure only {share:.0%} of what the score is "
            "built on."
        )
        actions.append(FILM_FROM_SIDE)
    if reasons:
        return Verdict(
            status="not_analysable",
            headline=NOT_ANALYSABLE,
            reasons=tuple(reasons),
            actions=tuple(dict.fromkeys(actions)),
        )
    if motion.view.view != "side" and report.not_assessable:
        hints.append(FILM_FROM_SIDE)
    overall = report.scores.overall
    headline = (
        "Scored on what this clip shows"
        if overall is None
        else f"Overall {overall:.0f}: {spec.band(overall)}"
    )
    return Verdict(status="assessed", headline=headline, hints=tuple(hints))
