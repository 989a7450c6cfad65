"""Where the athlete is whole in the picture, and which times the analysis leaves out.

A clip in which the athlete walks out of the frame (or is cut by its edge) gives landmarks
that the pose model *guesses* for the missing body parts; metrics computed on them are not
measurements (issue 12: a rep with the athlete half out of the frame raised an uneven
rhythm "90 % sure"). The frames in which a body landmark lies outside the picture, or the
athlete was not found, are left out of the analysis and reported as excluded spans.
BlazePose is specified for a whole body in view (model card: "the whole body ... visible",
METRICS §1.3 [S:22,23]).

API
---
``CoverageParams``                                  thresholds.
``whole_in_frame(image_xy, image_size, prm)``       (T,) bool per frame.
``excluded_spans(times_s, whole, detected, prm)``   the spans left out, with the reason.
``lost_frames(times_s, lost_spans_s)``               (T,) bool frames lost to damage.
``mask_excluded(track, spans)``                     a track with those frames untracked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyzer import skeleton as sk
from analyzer.numeric import runs
from analyzer.pose.track import PoseTrack
from analyzer.results import ExcludedSpan

#: Frame rate assumed for a clip of a single frame (only sets the span lengths).
_FALLBACK_FPS = 30.0
#: A frame belongs to a lost span when its time is within a quarter of a frame interval of
#: it (the span's times are the lost frames' own times, written as floats to JSON).
LOST_TIME_TOL_FRAMES = 0.25


@dataclass(frozen=True)
class CoverageParams:
    """Parameters of the frame-coverage check ([EJ] defaults).

    Attributes
    ----------
    edge_margin_frac
        A landmark closer to the border than this fraction of the image size counts as cut
        (0: only points outside the picture; the pose model places a cut-off foot on or past
        the edge).
    min_out_s
        Shortest stretch of cut frames that is left out (0.1 s: shorter flickers of a hand or
        foot at the edge are the model's scatter; the cleaning's gap filling covers them,
        METRICS §3.3 step 5: gaps <= 0.10-0.12 s).
    min_missing_s
        Shortest stretch without the athlete that is reported (same 0.1 s).
    """

    edge_margin_frac: float = 0.0
    min_out_s: float = 0.1
    min_missing_s: float = 0.1


def whole_in_frame(
    image_xy: np.ndarray, image_size: tuple[int, int], prm: CoverageParams | None = None
) -> np.ndarray:
    """(T,) True where every one of the 17 body landmarks lies inside the picture (frames
    without a pose count as whole here; :func:`excluded_spans` reports them separately)."""
    prm = prm or CoverageParams()
    w, h = image_size
    xy = np.asarray(image_xy, float)[:, list(sk.BODY_LANDMARKS)]
    mx, my = prm.edge_margin_frac * w, prm.edge_margin_frac * h
    with np.errstate(invalid="ignore"):
        inside = (xy[..., 0] >= mx) & (xy[..., 0] <= w - mx) & (xy[..., 1] >= my)
        inside &= xy[..., 1] <= h - my
    tracked = np.isfinite(xy).all(axis=-1)
    return np.all(inside | ~tracked, axis=1)


def _edge(image_xy: np.ndarray, frames: slice, image_size: tuple[int, int]) -> str:
    """Which border the body was cut by most in ``frames`` (left/right/top/bottom)."""
    w, h = image_size
    xy = np.asarray(image_xy, float)[frames][:, list(sk.BODY_LANDMARKS)]
    counts = {
        "left": np.sum(xy[..., 0] < 0),
        "right": np.sum(xy[..., 0] > w),
        "top": np.sum(xy[..., 1] < 0),
        "bottom": np.sum(xy[..., 1] > h),
    }
    return max(counts, key=lambda k: int(counts[k]))


def excluded_spans(
    times_s: np.ndarray,
    whole: np.ndarray,
    detected: np.ndarray,
    prm: CoverageParams | None = None,
    *,
    image_xy: np.ndarray | None = None,
    image_size: tuple[int, int] | None = None,
    lost: np.ndarray | None = None,
) -> list[ExcludedSpan]:
    """Spans left out of the analysis, in time order: the athlete partly out of the picture
    for at least ``min_out_s`` (with the border when ``image_xy`` and ``image_size`` are
    given), or not found for at least ``min_missing_s``. Frames in ``lost`` (lost to damage,
    :func:`lost_frames`) are not reported as "athlete not found": the damage warning
    already names those times."""
    prm = prm or CoverageParams()
    t = np.asarray(times_s, float)
    fs = (t.size - 1) / (t[-1] - t[0]) if t.size > 1 and t[-1] > t[0] else _FALLBACK_FPS
    out: list[ExcludedSpan] = []
    cut = ~np.asarray(whole, bool) & np.asarray(detected, bool)
    for a, b in runs(cut):
        if b - a < max(1, round(prm.min_out_s * fs)):
            continue
        reason = "athlete partly out of the frame"
        if image_xy is not None and image_size is not None:
            reason += f" ({_edge(image_xy, slice(a, b), image_size)} edge)"
        out.append(ExcludedSpan(float(t[a]), float(t[b - 1]), reason, int(a), int(b - 1)))
    missing = ~np.asarray(detected, bool)
    if lost is not None:
        missing &= ~np.asarray(lost, bool)
    for a, b in runs(missing):
        if b - a < max(1, round(prm.min_missing_s * fs)):
            continue
        out.append(ExcludedSpan(float(t[a]), float(t[b - 1]), "athlete not found", a, b - 1))
    return sorted(out, key=lambda s: s.start_s)


def lost_frames(times_s: np.ndarray, lost_spans_s: object) -> np.ndarray:
    """(T,) True at the frames whose time lies in one of the (first, last) times of the
    spans lost to damage (``track.meta["lost_spans_s"]``, written by the pose pass; anything
    else, e.g. a track written by another tool, marks no frame)."""
    t = np.asarray(times_s, float)
    out = np.zeros(t.shape, dtype=bool)
    if t.size == 0 or not isinstance(lost_spans_s, list | tuple):
        return out
    dt = float(np.median(np.diff(t))) if t.size > 1 else 1.0 / _FALLBACK_FPS
    tol = LOST_TIME_TOL_FRAMES * dt
    for span in lost_spans_s:
        if isinstance(span, list | tuple) and len(span) == 2:
            out |= (t >= float(span[0]) - tol) & (t <= float(span[1]) + tol)
    return out


def mask_excluded(track: PoseTrack, spans: list[ExcludedSpan]) -> PoseTrack:
    """A copy of ``track`` with the frames of ``spans`` untracked (NaN landmarks, visibility
    0), so every later stage treats them as frames without the athlete."""
    if not spans:
        return track
    xy = np.array(track.image_xy)
    vis = np.array(track.visibility)
    world = None if track.world_xyz is None else np.array(track.world_xyz)
    for s in spans:
        sl = slice(s.start_frame, s.end_frame + 1)
        xy[sl] = np.nan
        vis[sl] = 0.0
        if world is not None:
            world[sl] = np.nan
    return track.with_arrays(image_xy=xy, visibility=vis, world_xyz=world)


def coverage_warning(spans: list[ExcludedSpan]) -> str:
    """One line for the terminal, ``result.json`` and the report."""
    parts = [f"{s.start_s:.2f}-{s.end_s:.2f} s ({s.reason})" for s in spans]
    return "left out of the analysis: " + "; ".join(parts)
