"""Steps back onto a seat: a backward run that ends in sitting down is not a backpedal (issue 12).

A person who steps back to a chair and sits takes one or two real backward steps while
facing the camera; by its steps alone that is the same as a short backward walk (a 1-s
backward walk of motion capture has two touchdowns too). What tells them apart is what
follows: the sitter's hips drop far below the height they had while stepping and stay
there, still. A backpedal ends in a break (the hips stay at their height or rise into the
sprint) or a stop in the stance; a drill does not end seated. The hip height is read above
the ground line, relative to its own median during the backward run, so a low backpedal
(the ``sitting_too_low`` fault) is compared with itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.phases import RepTiming
from analyzer.events.scene import Scene
from analyzer.numeric import midpoint, runs
from analyzer.results import Phase


@dataclass(frozen=True)
class SitParams:
    """Parameters of the sit-down test.

    Attributes
    ----------
    max_height_fraction
        Seated: the mid-hip above the ground under this fraction of its backpedal median.
        A chair seat (~0.45 m) puts the hip near knee height, ~0.5-0.6 of standing hip
        height; the lowest backpedal stance of METRICS M1 (hip height ratio ~0.75 of
        standing, "sitting too low") is already the reference, so only a further drop of a
        quarter counts.
    min_seated_s
        The hips stay that low for at least this long (1 s: a sit, not a dip of the hips
        in a turn or a plant, which lasts one step, 0.25-0.35 s).
    within_s
        The drop starts within this long after the backward run ends (2 s: turning to the
        seat and lowering onto it).
    """

    max_height_fraction: float = 0.75
    min_seated_s: float = 1.0
    within_s: float = 2.0


def _sat_down(scene: Scene, start: int, end: int, prm: SitParams) -> float | None:
    """Time the hips settle low after the backward run ``start``-``end`` (frames,
    inclusive), or None."""
    hip = midpoint(scene.p, sk.LEFT_HIP, sk.RIGHT_HIP)
    height = scene.ground_y(hip[:, 0]) - hip[:, 1]
    ref = float(np.nanmedian(height[start : end + 1]))
    if not np.isfinite(ref) or ref <= 0:
        return None
    low = height < prm.max_height_fraction * ref  # NaN (not tracked) is not low
    last = min(scene.n_frames, end + 1 + round(prm.within_s * scene.fs))
    for a, b in runs(low):
        if end < a < last and (b - a) >= prm.min_seated_s * scene.fs:
            return float(scene.times_s[a])
    return None


def drop_sit_downs(
    scene: Scene,
    phases: list[Phase],
    timings: list[RepTiming],
    prm: SitParams | None = None,
) -> tuple[list[Phase], list[RepTiming], list[float]]:
    """Phases and timings without the reps whose backward run ends in sitting down (all
    their phases go; the reps left are numbered again from 0). Returns the times the
    dropped reps' hips settled as the third item."""
    prm = prm or SitParams()
    sat: dict[int, float] = {}
    for tm in timings:
        back = [p for p in phases if p.rep == tm.rep and p.kind == "backpedal"]
        if not back:
            continue
        t = _sat_down(scene, back[0].start_frame, back[-1].end_frame, prm)
        if t is not None:
            sat[tm.rep] = t
    if not sat:
        return phases, timings, []
    kept = [tm for tm in timings if tm.rep not in sat]
    new = {tm.rep: i for i, tm in enumerate(kept)}
    out_phases = [replace(p, rep=new.get(p.rep, p.rep)) for p in phases if p.rep not in sat]
    out_timings = [replace(tm, rep=new[tm.rep]) for tm in kept]
    return out_phases, out_timings, sorted(sat.values())
