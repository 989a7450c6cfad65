"""Pick the athlete out of a multi-person pose track (issue 2 item 5).

Detections are linked into tracklets and broken tracklets merged
(:mod:`analyzer.processing.tracklets`). Then, by default, the athlete is the person whose body
travels furthest across the ground:

* ``travel`` = robust horizontal range of the hip centre (95th − 5th percentile of x), in the
  person's own body sizes (torso + leg, :func:`~analyzer.processing.geometry.body_size_px`):
  someone jumping in place (jumping jacks, a back flip) scores near 0, a walker or a
  backpedalling athlete crossing the frame several body sizes;
* ``score = travel × relative size`` (own body size / largest person's body size), i.e. travel
  in pixels measured in body sizes of the largest person, so that a tiny person far in the
  background, who may cross many of their own body sizes, does not win over the athlete the
  camera was set up for. People smaller than ``min_relative_size`` of the largest and
  people detected for less than ``min_duration_s`` in all (frames × frame interval) are not
  candidates unless nobody else is; only candidates set the largest size.

Override: ``point_xy`` at ``at_time_s`` picks the person whose landmark box contains (or is
nearest to) that point in the frame nearest that time, e.g. a click on a video frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analyzer.errors import NoPersonError
from analyzer.pose.multi import MultiPoseTrack
from analyzer.pose.track import PoseTrack
from analyzer.processing.geometry import body_size_px, nanmedian
from analyzer.processing.tracklets import (
    Tracklet,
    detection_centres,
    link_tracklets,
    merge_tracklets,
    unite_overlapping,
)

MIN_RELATIVE_SIZE = 0.3
MIN_DURATION_S = 0.3
POINT_SEARCH_S = 0.5


def find_people(multi: MultiPoseTrack) -> list[Tracklet]:
    """Tracklets, one per person as far as the evidence goes: link, unite, merge."""
    t, xy = multi.times_s, multi.image_xy.astype(float)
    tracklets = link_tracklets(t, xy, multi.visibility)
    tracklets = unite_overlapping(tracklets, t, xy)
    return unite_overlapping(merge_tracklets(tracklets, t, xy), t, xy)


def _describe(tr: Tracklet, multi: MultiPoseTrack, sizes: np.ndarray) -> dict[str, Any]:
    xy = multi.image_xy[tr.frames, tr.slots].astype(float)  # (n, 33, 2)
    x = detection_centres(xy)[:, 0]
    x = x[np.isfinite(x)]
    size = float(nanmedian(sizes[tr.frames, tr.slots]))
    travel_px = float(np.percentile(x, 95) - np.percentile(x, 5)) if x.size else 0.0
    t = multi.times_s
    return {
        "first_time_s": round(float(t[tr.first]), 4),
        "last_time_s": round(float(t[tr.last]), 4),
        "n_frames": len(tr.frames),
        "duration_s": float(t[tr.last] - t[tr.first]),
        "tracked_s": len(tr.frames) * float(np.median(np.diff(t))) if t.size > 1 else 0.0,
        "size_px": size,
        "travel_px": travel_px,
        "travel_body_sizes": travel_px / size if size > 0 else 0.0,
    }


def score_tracklets(
    infos: list[dict[str, Any]],
    *,
    min_relative_size: float = MIN_RELATIVE_SIZE,
    min_duration_s: float = MIN_DURATION_S,
) -> np.ndarray:
    """Ground-travel score per tracklet (module docstring); -inf for non-candidates."""
    sizes = np.array([i["size_px"] for i in infos], dtype=float)
    long_enough = np.array([i["tracked_s"] >= min_duration_s for i in infos])
    biggest = np.nanmax(sizes[long_enough]) if np.any(long_enough) else np.nanmax(sizes)
    rel = sizes / biggest
    travel = np.array([i["travel_body_sizes"] for i in infos], dtype=float)
    score = travel * rel
    ok = (rel >= min_relative_size) & long_enough
    if not np.any(ok):
        ok = np.ones(len(infos), dtype=bool)
    for info, r, s, k in zip(infos, rel, score, ok, strict=True):
        info["relative_size"] = float(r)
        info["score"] = float(s)
        info["candidate"] = bool(k)
    return np.where(ok, score, -np.inf)


def _nearest_to_point(
    tracklets: list[Tracklet],
    multi: MultiPoseTrack,
    point_xy: tuple[float, float],
    at_time_s: float,
) -> tuple[int, float]:
    """Index of the tracklet nearest ``point_xy`` around ``at_time_s``, and its distance in px."""
    p = np.asarray(point_xy, dtype=float)
    best, best_key = -1, (np.inf, np.inf)
    for k, tr in enumerate(tracklets):
        times = multi.times_s[tr.frames]
        i = int(np.argmin(np.abs(times - at_time_s)))
        if abs(times[i] - at_time_s) > POINT_SEARCH_S:
            continue
        xy = multi.image_xy[tr.frames[i], tr.slots[i]].astype(float)
        lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
        outside = float(np.linalg.norm(np.maximum(lo - p, 0) + np.maximum(p - hi, 0)))
        key = (outside, float(np.linalg.norm(detection_centres(xy) - p)))
        if key < best_key:
            best, best_key = k, key
    if best < 0:
        raise NoPersonError(
            f"Nobody was detected within {POINT_SEARCH_S} s of {at_time_s:.2f} s, where the "
            f"athlete was pointed at.",
            "Point at the athlete on a frame where the skeleton is drawn on them.",
        )
    return best, best_key[0]


def _to_track(tr: Tracklet, multi: MultiPoseTrack, meta: dict[str, Any]) -> PoseTrack:
    t_n = multi.n_frames
    xy = np.full((t_n, 33, 2), np.nan, dtype=np.float32)
    vis = np.zeros((t_n, 33), dtype=np.float32)
    xy[tr.frames] = multi.image_xy[tr.frames, tr.slots]
    vis[tr.frames] = multi.visibility[tr.frames, tr.slots]
    world = None
    if multi.world_xyz is not None:
        world = np.full((t_n, 33, 3), np.nan, dtype=np.float32)
        world[tr.frames] = multi.world_xyz[tr.frames, tr.slots]
    return PoseTrack(
        times_s=np.asarray(multi.times_s, dtype=np.float64),
        image_xy=xy,
        visibility=vis,
        image_size=multi.image_size,
        world_xyz=world,
        model=multi.model,
        meta={**multi.meta, "selection": meta},
    )


def select_athlete(
    multi: MultiPoseTrack,
    *,
    point_xy: tuple[float, float] | None = None,
    at_time_s: float | None = None,
    min_relative_size: float = MIN_RELATIVE_SIZE,
    min_duration_s: float = MIN_DURATION_S,
) -> PoseTrack:
    """Choose one person from ``multi`` and return their landmarks as a PoseTrack.

    Parameters
    ----------
    multi
        Every person the estimator found (slots need not be consistent over frames).
    point_xy
        Optional (x, y) pixel on the athlete, overriding the automatic choice.
    at_time_s
        Time (seconds, ``multi.times_s`` clock) of the frame ``point_xy`` refers to; default
        the first frame with anybody in it.
    min_relative_size, min_duration_s
        Automatic choice: candidates must be at least this fraction of the largest person's
        body size and tracked at least this long (module docstring).

    Returns
    -------
    PoseTrack over all of ``multi``'s frames (NaN and visibility 0 where the athlete was not
    detected), with world landmarks and visibility carried along and
    ``meta["selection"]`` saying which tracklet was chosen and why.

    Raises
    ------
    NoPersonError
        If nobody was detected at all (or nobody near the given point and time).
    """
    if at_time_s is not None and point_xy is None:
        raise ValueError("at_time_s needs point_xy: the point on the athlete at that time.")
    tracklets = find_people(multi)
    if not tracklets:
        raise NoPersonError("No person was detected in any frame of the clip.")
    sizes = body_size_px(multi.image_xy.astype(float))
    infos = [_describe(tr, multi, sizes) for tr in tracklets]
    scores = score_tracklets(
        infos, min_relative_size=min_relative_size, min_duration_s=min_duration_s
    )
    meta: dict[str, Any] = {"n_tracklets": len(tracklets)}
    if point_xy is not None:
        when = float(multi.times_s[tracklets[0].first]) if at_time_s is None else at_time_s
        chosen, dist = _nearest_to_point(tracklets, multi, point_xy, when)
        meta.update(method="point", point_xy=[float(v) for v in point_xy], at_time_s=when,
                    point_distance_px=round(dist, 2),
                    reason="the person at the point given, at the time given")  # fmt: skip
    else:
        chosen = int(np.argmax(scores))
        meta.update(method="most_ground_travel",
                    reason=_reason(infos[chosen], scores, chosen))  # fmt: skip
    order = np.argsort(-np.nan_to_num(scores, neginf=-1e9))[:10]
    meta["chosen"] = int(chosen)
    meta["candidates"] = [{"tracklet": int(k), **_rounded(infos[k])} for k in order]
    if chosen not in order:
        meta["candidates"].append({"tracklet": int(chosen), **_rounded(infos[chosen])})
    return _to_track(tracklets[chosen], multi, meta)


def _rounded(info: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in info.items()}


def _reason(info: dict[str, Any], scores: np.ndarray, chosen: int) -> str:
    others = [float(s) for k, s in enumerate(scores) if k != chosen and np.isfinite(s)]
    n_out = int(np.sum(~np.isfinite(scores)))
    runner = f"; next best candidate scored {max(others):.2f}" if others else "; no other candidate"
    if n_out:
        runner += f"; {n_out} too small or too brief to count"
    return (
        f"travelled {info['travel_body_sizes']:.2f} of its body sizes across the frame at "
        f"{info['relative_size']:.2f} of the largest person's size (score "
        f"{info['score']:.2f}{runner})"
    )
