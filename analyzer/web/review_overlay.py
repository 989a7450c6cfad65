"""Superpose two reps: rep B's skeleton moved and scaled onto rep A's frames.

The compare page's overlay view (like Kinovea's superposition or Dartfish's SimulCam, but
drawn from the stored pose tracks, so nothing is decoded on the server): A's annotated video
is the background, A's skeleton and B's are drawn over it in two colours, stepped together
from the frames aligned on the chosen event (B's frame ``j`` goes with A's frame
``j - (align_b - align_a)``).

B is brought into A's picture by a similarity without rotation:

- **scale**: A's torso length over B's (shoulder centre to hip centre, median over each rep's
  frames, pixels), so two athletes filmed at different distances are the same size;
- **mirror**: when the two athletes face opposite ways in the picture (median of the
  per-frame ``facing_sign`` series over each rep; the hips' travel when that is unknown), B
  is flipped left-right about its hips;
- **anchor**: ``posture`` puts B's hip centre on A's at every frame (compares body shape);
  ``travel`` puts them together at the aligned frame only, then each moves as it did (B's
  travel scaled), which shows who covers more ground.

Hand-written because no library does this: it is a few lines of array arithmetic on the
track's landmarks (``analyzer.pose.track.PoseTrack.image_xy``, pixels of the upright frame).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analyzer.skeleton import EDGES, LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER

#: The landmarks the skeleton is drawn with, and the edges re-numbered onto them.
DRAWN: tuple[int, ...] = tuple(sorted({i for e in EDGES for i in e}))
DRAWN_EDGES: tuple[tuple[int, int], ...] = tuple((DRAWN.index(a), DRAWN.index(b)) for a, b in EDGES)
#: Landmarks less visible than this are left out of the drawing.
MIN_VISIBILITY = 0.3


@dataclass(frozen=True)
class RepPose:
    """One rep's landmarks: ``xy`` (T, 33, 2) pixels, ``visibility`` (T, 33), the rep's
    first and last frame, its aligned frame, and ``facing`` (T,) ±1/0 or None."""

    xy: np.ndarray
    visibility: np.ndarray
    start_frame: int
    end_frame: int
    align_frame: int
    facing: np.ndarray | None = None


def hip_centre(xy: np.ndarray) -> np.ndarray:
    """(T, 2) midpoint of the hips (NaN where a hip is missing)."""
    return (xy[:, LEFT_HIP] + xy[:, RIGHT_HIP]) / 2.0


def torso_px(rep: RepPose) -> float:
    """Median shoulder-centre to hip-centre length over the rep (px; NaN when never seen)."""
    xy = rep.xy[rep.start_frame : rep.end_frame + 1]
    shoulders = (xy[:, LEFT_SHOULDER] + xy[:, RIGHT_SHOULDER]) / 2.0
    length = np.linalg.norm(shoulders - hip_centre(xy), axis=1)
    length = length[np.isfinite(length) & (length > 0)]
    return float(np.median(length)) if length.size else float("nan")


def facing_side(rep: RepPose) -> int:
    """+1 / -1: which way the athlete faces in the picture over the rep (0: unknown).

    The median of the ``facing`` series, else the opposite of the hips' travel (a
    backpedal travels away from where the athlete faces)."""
    sl = slice(rep.start_frame, rep.end_frame + 1)
    if rep.facing is not None:
        f = rep.facing[sl]
        f = f[np.isfinite(f) & (f != 0)]
        if f.size:
            return int(np.sign(np.median(f))) or 0
    hips = hip_centre(rep.xy[sl])[:, 0]
    hips = hips[np.isfinite(hips)]
    if hips.size < 2:
        return 0
    return -int(np.sign(hips[-1] - hips[0]))


def _nearest_finite(points: np.ndarray, i: int) -> np.ndarray:
    ok = np.flatnonzero(np.isfinite(points).all(axis=1))
    if ok.size == 0:
        return np.full(2, np.nan)
    return points[ok[np.argmin(np.abs(ok - i))]]


def superpose(a: RepPose, b: RepPose, frames_a: np.ndarray, *, anchor: str) -> np.ndarray:
    """B's landmarks (len(frames_a), 33, 2) in A's picture for A's frames ``frames_a``.

    NaN where B has no frame (before its start or past its end) or no landmark. ``anchor``
    is ``"posture"`` or ``"travel"`` (module docstring)."""
    if anchor not in ("posture", "travel"):
        raise ValueError(f"anchor must be 'posture' or 'travel', not {anchor!r}")
    scale = torso_px(a) / torso_px(b)
    flip = -1.0 if facing_side(a) * facing_side(b) < 0 else 1.0
    frames_b = np.asarray(frames_a) + (b.align_frame - a.align_frame)
    inside = (frames_b >= 0) & (frames_b < b.xy.shape[0])
    out = np.full((len(frames_b), b.xy.shape[1], 2), np.nan)
    if not np.isfinite(scale) or not inside.any():
        return out
    hips_a, hips_b = hip_centre(a.xy), hip_centre(b.xy)
    fb = frames_b[inside]
    if anchor == "posture":
        origin_b = hips_b[fb]
        origin_a = hips_a[np.asarray(frames_a)[inside]]
    else:
        origin_b = np.broadcast_to(_nearest_finite(hips_b, b.align_frame), (fb.size, 2))
        origin_a = np.broadcast_to(_nearest_finite(hips_a, a.align_frame), (fb.size, 2))
    rel = (b.xy[fb] - origin_b[:, None, :]) * scale
    rel[..., 0] *= flip
    points = origin_a[:, None, :] + rel
    points[b.visibility[fb] < MIN_VISIBILITY] = np.nan
    out[inside] = points
    return out


def _rows(xy: np.ndarray) -> list[list[float | None] | None]:
    """Per frame: the drawn landmarks flattened ``[x0, y0, x1, ...]`` (0.1 px, null when
    missing), or null for a frame without any."""
    rows: list[list[float | None] | None] = []
    for frame in xy[:, DRAWN]:
        if not np.isfinite(frame).any():
            rows.append(None)
            continue
        rows.append([round(float(v), 1) if np.isfinite(v) else None for v in frame.ravel()])
    return rows


def overlay_payload(
    a: RepPose, b: RepPose, image_size_a: tuple[int, int], *, margin: int
) -> dict[str, Any]:
    """What the compare page draws: A's frames from ``margin`` before its rep to ``margin``
    after, A's skeleton and B's (both anchors) on each, with the scale and mirror used."""
    n_a = a.xy.shape[0]
    first = max(a.start_frame - margin, 0)
    last = min(a.end_frame + margin, n_a - 1)
    frames_a = np.arange(first, last + 1)
    own = a.xy[frames_a].astype(float)
    own[a.visibility[frames_a] < MIN_VISIBILITY] = np.nan
    scale = torso_px(a) / torso_px(b)
    return {
        "image_size": [int(image_size_a[0]), int(image_size_a[1])],
        "first_frame": int(first),
        "offset": int(b.align_frame - a.align_frame),
        "edges": [list(e) for e in DRAWN_EDGES],
        "scale": round(scale, 3) if np.isfinite(scale) else None,
        "mirrored": bool(facing_side(a) * facing_side(b) < 0),
        "a": _rows(own),
        "b_posture": _rows(superpose(a, b, frames_a, anchor="posture")),
        "b_travel": _rows(superpose(a, b, frames_a, anchor="travel")),
    }
