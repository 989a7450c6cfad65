"""Travel that is stepped: the hips' travel kept only where the feet carry the body along.

The per-frame travel sign of the scene (METRICS §4 step 3: the hips faster than 0.5 L/s for
0.3 s) also fires when the body moves over planted feet: a balance with one foot reaching
out and put down, a weight shift onto that foot, a lean or a sit (the real pose2sim
balance clips: one touchdown under 0.4-0.6 L of hip movement). Travel covers ground by
stepping, so a stretch of one direction counts only when it holds at least two touchdowns
(one whole step from one plant to the next). Used for the backpedal (METRICS §6: "a
sustained run of backward travel") and the clip's travel summary; the contact methods keep
the raw sign (they need it to find the touchdowns in the first place).

API
---
``stepped_travel(travel, touchdown_frames, max_gap, min_touchdowns)``   (T,) travel sign.
"""

from __future__ import annotations

import numpy as np

from analyzer.numeric import runs


def _merged(mask: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """Half-open runs of ``mask`` with gaps of up to ``max_gap`` frames closed."""
    out: list[tuple[int, int]] = []
    for a, b in runs(mask):
        if out and a - out[-1][1] <= max_gap:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _plants(touchdown_frames: np.ndarray, min_step: int) -> np.ndarray:
    """Touchdown frames (sorted) with those closer than ``min_step`` frames to the previous
    one kept dropped: two feet landing together (a jump, a stand) are one plant."""
    kept: list[int] = []
    for f in np.sort(np.asarray(touchdown_frames, dtype=int)):
        if not kept or f - kept[-1] >= min_step:
            kept.append(int(f))
    return np.array(kept, dtype=int)


def stepped_travel(
    travel: np.ndarray,
    touchdown_frames: np.ndarray,
    *,
    max_gap: int,
    min_touchdowns: int,
    min_step: int,
) -> np.ndarray:
    """(T,) ``travel`` (+1 / -1 / 0) with every stretch of one sign that holds fewer than
    ``min_touchdowns`` plants set to 0.

    A stretch is a run of frames of that sign, runs less than ``max_gap`` frames apart
    taken as one (a slow walker's hip speed dips below the travel threshold within each
    step: the merge gap of the backpedal, METRICS §6). Plants are touchdowns at least
    ``min_step`` frames apart (the shortest step time, METRICS §5 step 1). Frames keep
    their own sign; only whole stretches are dropped.
    """
    travel = np.asarray(travel)
    tds = _plants(touchdown_frames, min_step)
    out = travel.copy()
    for sign in (1, -1):
        for a, b in _merged(travel == sign, max_gap):
            n = int(np.searchsorted(tds, b) - np.searchsorted(tds, a))
            if n < min_touchdowns:
                out[a:b][out[a:b] == sign] = 0
    return out
