"""Several reps in one take: walk-backs between reps are not transitions (issue 12).

A coach films three reps in one take and the athlete walks back to the line between them.
:func:`analyzer.events.phases.segment_phases` finds each backpedal as a rep; the walk
forward after a rep then looks like a "break forward" followed by a "sprint" (the hips move
forward, facing the same way), which would be judged as a very slow hip flip. A forward run
at walking speed is not a sprint: below the walk-to-run transition speed it is a walk-back,
and the rep ends with its backpedal. Only a "break forward" (travel reversed, facing kept)
can be a walk-back; a turn (the facing flips) stays a transition at any speed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from analyzer.events.phases import RepTiming
from analyzer.events.scene import Scene
from analyzer.results import Phase


@dataclass(frozen=True)
class RepParams:
    """Parameters of the walk-back test.

    Attributes
    ----------
    max_walk_leg_per_s
        A "sprint" whose median hip speed stays below this many leg lengths per second is a
        walk-back: 2.2 L/s ~ 2.0 m/s for a 1.8 m athlete (L ~ 0.88 m), the preferred
        walk-to-run transition speed of adults (Hreljac 1993, ~2.0 m/s); a sprint out of a
        break is well above it (3-7 m/s, METRICS §7 M13c).
    """

    max_walk_leg_per_s: float = 2.2


def drop_walk_backs(
    scene: Scene,
    phases: list[Phase],
    timings: list[RepTiming],
    prm: RepParams | None = None,
) -> tuple[list[Phase], list[RepTiming], list[int]]:
    """Phases and timings with the walk-backs removed: a rep whose forward run after the
    backpedal is at walking speed loses its transition and sprint phases and ends with the
    backpedal (kind "none", cue "walk-back"). Returns the reps changed as the third item."""
    prm = prm or RepParams()
    speed = np.abs(np.asarray(scene.speed_leg_per_s, float))
    walks: list[int] = []
    for tm in timings:
        runs = [p for p in phases if p.rep == tm.rep and p.kind == "sprint"]
        # a walk-back keeps the facing (the athlete walks forward to the line); a turn and
        # run flips it and may be slow (a jog out of a backward run) but is a transition
        if tm.t1 is None or not runs or tm.kind != "break_forward":
            continue
        sel = np.concatenate([speed[p.start_frame : p.end_frame + 1] for p in runs])
        sel = sel[np.isfinite(sel)]
        if sel.size and float(np.median(sel)) < prm.max_walk_leg_per_s:
            walks.append(tm.rep)
    if not walks:
        return phases, timings, []
    kept = [p for p in phases if not (p.rep in walks and p.kind in ("transition", "sprint"))]
    fixed = [
        replace(tm, t0=None, turn_onset=None, t1=None, kind="none", cue="walk-back",
                t0_inferred=False, t1_inferred=False)
        if tm.rep in walks else tm
        for tm in timings
    ]  # fmt: skip
    return kept, fixed, walks
