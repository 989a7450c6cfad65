"""Sub-frame times of touchdowns and toe-offs (METRICS §5 step 2 refined; §7 M7 pitfall:
30 fps quantises step times to 33 ms): the crossing of an on-ground condition placed by
linear interpolation between the two frames around it. Used by
:mod:`analyzer.events.contacts`.
"""

from __future__ import annotations

import numpy as np


def subframe_time(
    times_s: np.ndarray, margins: np.ndarray, frame: int, *, kind: str, max_shift: int = 1
) -> float:
    """Sub-frame time of a touchdown or toe-off at the edge of an on-ground run (METRICS §5
    step 2 refined; §7 M7 pitfall: 30 fps quantises step times to 33 ms).

    ``margins`` (T, 3) are the signed margins of the on-ground conditions of one foot (height,
    vertical speed, horizontal speed; negative = met, see :func:`_ground_margins`).

    * Touchdown: the time the horizontal speed of the foot falls below its threshold, by
      linear interpolation between the two frames around the crossing nearest ``frame``
      (within ``max_shift`` frames). The arrest of the foot along the travel line is the
      sharpest kinematic marker of a landing in a side view (it is what the excursion peak of
      §5 step 1 and the 3D truth's foot-speed threshold mark); the height and vertical-speed
      conditions flicker with landmark noise and only decide which frame is on the ground.
    * Otherwise (toe-off, or no such crossing): the edge of the on-ground run: for a
      touchdown at ``frame`` the last of the conditions unmet at ``frame - 1`` to become met,
      for a toe-off at ``frame`` (first frame off) the first condition to fail, each placed by
      linear interpolation of its margin.

    Returns ``times_s[frame]`` when none of these applies or a margin is undefined.
    """
    t = float(times_s[frame])
    if kind == "touchdown" and margins.shape[1] > 2:
        tx = _crossing_down(times_s, margins[:, 2], frame, max_shift)
        if tx is not None:
            return tx
    if frame < 1 or frame >= margins.shape[0]:
        return t
    m0, m1 = margins[frame - 1], margins[frame]
    if not (np.isfinite(m0).all() and np.isfinite(m1).all()):
        return t
    if kind == "touchdown":
        cross = (m0 >= 0) & (m1 < 0)
        if not np.all(m1 < 0) or not cross.any():
            return t
        frac = float(np.max(m0[cross] / (m0[cross] - m1[cross])))
    else:
        cross = (m0 < 0) & (m1 >= 0)
        if not np.all(m0 < 0) or not cross.any():
            return t
        frac = float(np.min(-m0[cross] / (m1[cross] - m0[cross])))
    t0 = float(times_s[frame - 1])
    return t0 + float(np.clip(frac, 0.0, 1.0)) * (t - t0)


def _crossing_down(times_s: np.ndarray, q: np.ndarray, frame: int, max_shift: int) -> float | None:
    """Time (linear interpolation) of the downward zero crossing of ``q`` nearest ``frame``
    (a crossing between frames i-1 and i with |i - frame| <= ``max_shift``), or None."""
    best: tuple[float, float] | None = None
    for i in range(max(1, frame - max_shift), min(q.size, frame + max_shift + 1)):
        a, b = q[i - 1], q[i]
        if not (np.isfinite(a) and np.isfinite(b)) or not (a >= 0 > b):
            continue
        pos = (i - 1) + a / (a - b)
        if best is None or abs(pos - frame) < best[0]:
            t0, t1 = float(times_s[i - 1]), float(times_s[i])
            best = (abs(pos - frame), t0 + a / (a - b) * (t1 - t0))
    return None if best is None else best[1]
