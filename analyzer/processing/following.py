"""Check that a one-person pass followed the athlete chosen on a sparse scan (issue 10).

The follow pass (:mod:`analyzer.pose.follow`) gives one person per frame, whoever MediaPipe's
tracker locked on to, and a scan of everybody every ~0.5 s. The athlete is chosen on the
scan (:func:`analyzer.processing.selection.select_athlete`); this module decides, from
positions only, whether the followed person *is* that athlete:

1. The followed track is cut into *runs*: stretches of consecutive frames with a person and
   no identity jump (the hip centre moving more than ``jump_sizes + max_speed_sizes_s × dt``
   body sizes from one frame to the next: beyond any athlete's speed, so a change of person).
2. At each scan frame the followed hip centre is compared with the athlete's and with every
   other scanned person's: within ``match_sizes`` body sizes of the athlete is a *match*,
   of someone else *other*.
3. A run with a match and no other is the athlete's; a run with an other is someone else's
   and left out; a run between scans is kept when its ends are near the athlete's position
   interpolated between the neighbouring scans.

The follow is *verified* when no run holds both a match and an other (an identity swap the
jump test missed), the athlete was never seen in a scan while the follow was on someone else,
and the follow missed the athlete in at most ``max_missed`` of the scans where the athlete
was seen. Otherwise the caller runs the dense pass (every person on every frame).

Thresholds [EJ], in body sizes (torso + leg, :func:`~analyzer.processing.geometry.body_size_px`,
~0.78 of stature): ``match_sizes`` 0.25 is well below the 0.4 the tracklet linker treats as
one person (:mod:`analyzer.processing.tracklets`) and above the ~0.05 by which the IMAGE-mode
scan and the VIDEO-mode follow place one person's hips; a backpedal moves the hips ~3 body
sizes/s and a sprint ~6, hence ``max_speed_sizes_s`` 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analyzer.pose.multi import MultiPoseTrack
from analyzer.pose.track import PoseTrack
from analyzer.processing.geometry import body_size_px, hip_centre, nanmedian

MATCH_SIZES = 0.25
JUMP_SIZES = 0.3
MAX_SPEED_SIZES_S = 6.0
MAX_MISSED = 0.25
CLEAR_TRAVEL_SIZES = 1.0
CLEAR_SCORE_RATIO = 2.0


def unclear_choice(
    selection: dict[str, Any],
    *,
    min_travel_sizes: float = CLEAR_TRAVEL_SIZES,
    min_score_ratio: float = CLEAR_SCORE_RATIO,
) -> str | None:
    """Why an automatic choice made on the scan is not clear enough to trust, or None.

    A few scans are thin evidence when the people barely differ: with another candidate in
    the picture, the chosen person must have travelled at least ``min_travel_sizes`` of
    their body sizes (a backpedal crosses several; standing people's hips drift ~0.1-0.3)
    and scored ``min_score_ratio`` times the runner-up. On the pose2sim clips (two people
    standing) the scan missed the subject in 12 of 16 scans and chose the other person.
    A choice by ``--select`` is the user's and always clear.
    """
    if selection.get("method") != "most_ground_travel":
        return None
    chosen = selection["chosen"]
    rows = selection["candidates"]
    best = next(r for r in rows if r["tracklet"] == chosen)
    others = [r["score"] for r in rows if r["tracklet"] != chosen and r.get("candidate", True)]
    if not others:
        return None
    if best["travel_body_sizes"] < min_travel_sizes:
        return (
            f"the person chosen on the scan travelled only {best['travel_body_sizes']:.2f} "
            "body sizes, with someone else in the picture"
        )
    if best["score"] < min_score_ratio * max(others):
        return f"the scan's best score {best['score']:.2f} is close to the next {max(others):.2f}"
    return None


@dataclass(frozen=True)
class FollowCheck:
    """The verdict on a follow pass: which frames are the athlete's, and why."""

    verified: bool
    keep: np.ndarray  # (T,) bool: followed frames that are the athlete
    reason: str
    counts: dict[str, int]

    def record(self) -> dict[str, Any]:
        """JSON-ready summary for the track's meta and the result."""
        return {"verified": self.verified, "reason": self.reason, **self.counts}


def _runs(
    hips: np.ndarray, sizes: np.ndarray, times: np.ndarray, jump: tuple[float, float]
) -> np.ndarray:
    """(T,) run id per frame (-1 where nobody was followed): split at gaps and jumps."""
    found = np.all(np.isfinite(hips), axis=1)
    run = np.full(hips.shape[0], -1, dtype=int)
    current, prev = -1, -1
    for i in np.flatnonzero(found).tolist():
        new = prev < 0 or prev != i - 1
        if not new:
            size = np.nanmax([sizes[i], sizes[prev]])
            limit = (jump[0] + jump[1] * (times[i] - times[prev])) * size
            new = not np.linalg.norm(hips[i] - hips[prev]) <= limit
        current += int(new)
        run[i], prev = current, i
    return run


def _scan_labels(
    hips: np.ndarray, rows: np.ndarray, scan: MultiPoseTrack, athlete: PoseTrack, match_sizes: float
) -> np.ndarray:
    """Per scan frame: 'match', 'other', 'missed' (athlete seen, nobody followed),
    'unknown' (followed person not among the scanned) or 'none'."""
    a_hip = hip_centre(athlete.image_xy.astype(float))
    a_size = body_size_px(athlete.image_xy.astype(float))
    s_hip = hip_centre(scan.image_xy.astype(float))  # (S, P, 2)
    s_size = body_size_px(scan.image_xy.astype(float))
    labels = np.full(rows.shape[0], "none", dtype=object)
    for j, row in enumerate(rows):
        f = hips[row] if row >= 0 else np.full(2, np.nan)
        seen = bool(np.all(np.isfinite(a_hip[j])))
        if not np.all(np.isfinite(f)):
            labels[j] = "missed" if seen else "none"
            continue
        if seen and np.linalg.norm(f - a_hip[j]) <= match_sizes * a_size[j]:
            labels[j] = "match"
            continue
        d = np.linalg.norm(s_hip[j] - f, axis=1)
        near = np.nan_to_num(d, nan=np.inf) <= match_sizes * np.nan_to_num(s_size[j], nan=0.0)
        labels[j] = "other" if (seen or np.any(near)) else "unknown"
    return labels


def _near_interpolated(
    i: int, hips: np.ndarray, sizes: np.ndarray, times: np.ndarray, scan_times: np.ndarray,
    a_hip: np.ndarray, tol_sizes: float,
) -> bool:  # fmt: skip
    """Whether the followed hip at frame ``i`` is near the athlete's position interpolated
    between the scans around it (False when the athlete is missing from either)."""
    k = int(np.searchsorted(scan_times, times[i]))
    if k == 0 or k >= scan_times.size:
        return False
    a, b = a_hip[k - 1], a_hip[k]
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    w = (times[i] - scan_times[k - 1]) / (scan_times[k] - scan_times[k - 1])
    return bool(np.linalg.norm(hips[i] - ((1 - w) * a + w * b)) <= tol_sizes * sizes[i])


def check_follow(
    followed: MultiPoseTrack,
    scan: MultiPoseTrack,
    athlete: PoseTrack,
    *,
    match_sizes: float = MATCH_SIZES,
    jump_sizes: float = JUMP_SIZES,
    max_speed_sizes_s: float = MAX_SPEED_SIZES_S,
    max_missed: float = MAX_MISSED,
) -> FollowCheck:
    """Whether ``followed`` (one person per frame) is the ``athlete`` chosen on ``scan``.

    Parameters
    ----------
    followed
        The follow pass: every frame, slot 0.
    scan
        The scan: sparse frames (times among ``followed.times_s``), every person.
    athlete
        The athlete chosen on ``scan`` (same frames as ``scan``; NaN where not seen).
    match_sizes, jump_sizes, max_speed_sizes_s, max_missed
        Thresholds (module docstring).
    """
    xy = followed.image_xy[:, 0].astype(float)
    times = followed.times_s
    hips, sizes = hip_centre(xy), body_size_px(xy)
    run = _runs(hips, sizes, times, (jump_sizes, max_speed_sizes_s))
    rows = np.searchsorted(times, scan.times_s)
    rows = np.where(
        (rows < times.size) & np.isclose(times[np.minimum(rows, times.size - 1)], scan.times_s),
        rows, -1,
    )  # fmt: skip
    labels = _scan_labels(hips, rows, scan, athlete, match_sizes)
    counts = {k: int(np.sum(labels == k)) for k in ("match", "other", "missed", "unknown")}
    counts["scans"] = int(rows.size)
    a_hip = hip_centre(athlete.image_xy.astype(float))
    seen = np.all(np.isfinite(a_hip), axis=1)
    keep = np.zeros(times.size, dtype=bool)
    swapped = 0
    for r in range(int(run.max()) + 1):
        frames = np.flatnonzero(run == r)
        mine = labels[np.isin(rows, frames)]
        if "match" in mine and "other" in mine:
            swapped += 1
            continue
        near = "other" not in mine and all(
            _near_interpolated(i, hips, sizes, times, scan.times_s, a_hip, 2 * match_sizes)
            for i in (frames[0], frames[-1])
        )
        keep[frames] = "match" in mine or near
    counts["runs"] = int(run.max()) + 1
    lost_athlete = int(np.sum(seen & (labels == "other")))
    n_seen = int(seen.sum())
    if n_seen == 0:
        reason = "the athlete was not seen in any scan"
    elif swapped:
        reason = f"the followed person changed identity without a jump in {swapped} run(s)"
    elif lost_athlete:
        reason = f"another person was followed in {lost_athlete} scan(s) showing the athlete"
    elif counts["missed"] > max_missed * n_seen:
        reason = f"the follow missed the athlete in {counts['missed']} of {n_seen} scans"
    else:
        reason = f"followed person matched the athlete in {counts['match']} of {n_seen} scans"
        return FollowCheck(True, keep, reason, counts)
    return FollowCheck(False, np.zeros_like(keep), reason, counts)


def followed_athlete(
    followed: MultiPoseTrack, check: FollowCheck, selection: dict[str, Any]
) -> PoseTrack:
    """The athlete's track from a verified follow pass: slot 0 on the kept frames."""
    xy = np.where(check.keep[:, None, None], followed.image_xy[:, 0], np.nan).astype(np.float32)
    vis = np.where(check.keep[:, None], np.nan_to_num(followed.visibility[:, 0]), 0.0)
    world = None
    if followed.world_xyz is not None:
        world = np.where(check.keep[:, None, None], followed.world_xyz[:, 0], np.nan)
        world = world.astype(np.float32)
    return PoseTrack(
        times_s=np.asarray(followed.times_s, dtype=np.float64),
        image_xy=xy,
        visibility=vis.astype(np.float32),
        image_size=followed.image_size,
        world_xyz=world,
        model=followed.model,
        meta={**followed.meta, "selection": selection},
    )


def median_gap_sizes(a: PoseTrack, b: PoseTrack) -> float:
    """Median hip-centre distance between two tracks on their common frames, in body sizes
    of ``a`` (for tests and diagnostics)."""
    both = a.detected() & b.detected()
    if not np.any(both):
        return float("nan")
    xa, xb = a.image_xy[both].astype(float), b.image_xy[both].astype(float)
    gap = np.linalg.norm(hip_centre(xa) - hip_centre(xb), axis=1)
    return float(nanmedian(gap / body_size_px(xa)))
