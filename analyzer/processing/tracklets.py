"""Link the estimator's person slots into tracklets (one per person), then merge broken ones.

The slots of a multi-person estimator are not identities (``analyzer.pose.multi``). Frame by
frame, detections are matched to the open tracklets by a minimum-cost assignment. The cost,
in units of the tracklet's body size (median of its last 15 detections), is the distance from
the hip centre predicted by a robust (Theil-Sen) line through its last six centres, plus 0.3 ×
the (capped) median landmark distance to its last pose moved there, taking the smaller of the
direct and mirrored comparison (BlazePose flips whole skeletons), plus 0.5 × the log size
ratio. The hip centre dominates because real detections of a person are sometimes distorted
(limbs misplaced, size off by 40 % on the Sports2D demo) while their centre stays put. Pairs
beyond a gate on the centre distance or a size ratio of 2 are never matched, and a pair is
only matched when that is cheaper than leaving both unmatched (``UNMATCHED_COST`` each). A
tracklet survives ``max_miss_s`` without a detection. Duplicate detections are dropped, and a
leftover detection on a person already matched does not start a tracklet. Afterwards
tracklets that overlap in time on the same person are united, and tracklets that end and
start near each other in place, size and time (e.g. across an occlusion) are merged.

Thresholds [EJ], checked on synthetic crowds (tests/processing/test_selection.py) and on the
Sports2D demo with MediaPipe at ``num_poses`` 2 and 3, forward and reversed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from analyzer.processing.geometry import body_size_px, hip_centre, nanmean, nanmedian
from analyzer.skeleton import BODY_LANDMARKS, MIRROR

_BIG = 1e6
GATE_SIZES = 0.6
GATE_GROWTH_SIZES_S = 2.0
MAX_SIZE_RATIO = 2.0
MAX_MISS_S = 0.5
MERGE_MAX_GAP_S = 1.5
MERGE_SLACK_SIZES_S = 1.0
DUPLICATE_SIZES = 0.15
BIRTH_SIZES = 0.3
SAME_PERSON_SIZES = 0.4
UNMATCHED_COST = 0.5
MAX_CO_PRESENT = 0.3


@dataclass
class Tracklet:
    """Detections of one person: ``frames[i]`` is a frame index, ``slots[i]`` its slot."""

    frames: list[int] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)

    @property
    def first(self) -> int:
        """First frame index."""
        return self.frames[0]

    @property
    def last(self) -> int:
        """Last frame index."""
        return self.frames[-1]


@dataclass
class _Open:
    """A tracklet being extended, with its recent history."""

    tracklet: Tracklet
    pose: np.ndarray
    t: float
    sizes: list[float]
    times: list[float]
    centres: list[np.ndarray]
    size: float = 0.0  # robust reference size: median of the last 15 detections' sizes

    def __post_init__(self) -> None:
        self.size = float(np.median(self.sizes[-15:]))

    def predict(self, t: float) -> np.ndarray:
        """Hip centre at time ``t`` from a Theil-Sen line through the last 6 centres.

        Robust to one glitching detection among them (a distorted pose whose hips land
        elsewhere), which would otherwise drag the prediction onto the next glitch.
        """
        tt = np.asarray(self.times[-6:])
        cc = np.asarray(self.centres[-6:])
        if tt.size < 2:
            return cc[-1]
        i, j = np.triu_indices(tt.size, k=1)
        slope = np.median((cc[j] - cc[i]) / (tt[j] - tt[i])[:, None], axis=0)
        return np.median(cc - slope * tt[:, None], axis=0) + slope * t


def detection_centres(xy: np.ndarray) -> np.ndarray:
    """(..., 2) hip centre of each detection, or the centre of its landmarks' box without hips."""
    hips = hip_centre(xy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        box = (np.nanmax(xy, axis=-2) + np.nanmin(xy, axis=-2)) / 2 if xy.size else hips
    return np.where(np.isfinite(hips), hips, box)


_BODY = np.asarray(BODY_LANDMARKS)
_BODY_MIRRORED = np.asarray(MIRROR)[_BODY]


def pose_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Median body-landmark distance between two (33, 2) poses, mirror-invariant (pixels)."""
    out = np.inf
    for idx in (_BODY, _BODY_MIRRORED):
        d = np.linalg.norm(a[_BODY] - b[idx], axis=-1)
        d = d[np.isfinite(d)]
        if d.size:
            out = min(out, float(np.median(d)))
    return out if np.isfinite(out) else float("nan")


def _cost_matrix(
    opened: list[_Open],
    xy: np.ndarray,
    centres: np.ndarray,
    dets: np.ndarray,
    sizes: np.ndarray,
    t: float,
    gate_sizes: float,
    gate_growth: float,
) -> np.ndarray:
    """Matching cost (body sizes) of open tracklets × detections; ``_BIG`` beyond the gate."""
    cost = np.full((len(opened), dets.size), _BIG)
    for a, trk in enumerate(opened):
        dt = t - trk.t
        pred = trk.predict(t)
        gate = gate_sizes + gate_growth * max(dt - 1e-9, 0.0)
        for d, slot in enumerate(dets):
            ratio = abs(np.log(sizes[slot] / trk.size))
            jump = float(np.linalg.norm(centres[slot] - pred)) / trk.size
            if ratio > np.log(MAX_SIZE_RATIO) or not jump <= gate:
                continue
            shift = pred - trk.centres[-1]
            shape = min(pose_distance(trk.pose + shift, xy[slot]) / trk.size, 1.0)
            cost[a, d] = jump + 0.3 * np.nan_to_num(shape, nan=1.0) + 0.5 * ratio
    return cost


def _assign(cost: np.ndarray, *, unmatched_cost: float = UNMATCHED_COST) -> list[tuple[int, int]]:
    """Minimum-cost matching where leaving a tracklet or a detection unmatched costs
    ``unmatched_cost`` each, so a pair is only matched if that is cheaper than a miss plus a
    new tracklet (a plain rectangular assignment would force as many matches as possible).

    Total cost = Σ matched c + u·(unmatched tracklets + unmatched detections)
    = const + Σ matched (c − 2u), so the assignment minimises Σ min(c − 2u, 0) and drops the
    pairs that gain nothing.
    """
    gain = np.minimum(cost - 2.0 * unmatched_cost, 0.0)
    if min(gain.shape) > 7:  # more people than any pose run uses: greedy, best pairs first
        pairs, used_r, used_c = [], set(), set()
        for flat in np.argsort(gain, axis=None):
            r, c = np.unravel_index(int(flat), gain.shape)
            if gain[r, c] < 0 and r not in used_r and c not in used_c:
                pairs.append((int(r), int(c)))
                used_r.add(r)
                used_c.add(c)
        return pairs
    if min(gain.shape) == 1:  # one tracklet or one detection: the best single pair
        r, c = np.unravel_index(int(np.argmin(gain)), gain.shape)
        return [(int(r), int(c))] if gain[r, c] < 0 else []
    # imported here: a one-person clip never needs it, and it costs ~0.3 s to load
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(gain)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if gain[r, c] < 0]


def _shadows(
    centres: np.ndarray, slot: int, dets: np.ndarray, matched: set[int], sizes: np.ndarray
) -> bool:
    """True if an unmatched detection lies on a person already matched in this frame.

    Such a detection (a partial or offset duplicate) must not start a tracklet of its own:
    two tracklets on one person would share that person's frames between them.
    """
    return any(
        np.linalg.norm(centres[dets[m]] - centres[slot])
        < BIRTH_SIZES * max(sizes[slot], sizes[dets[m]])
        for m in matched
    )


def _update(
    trk: _Open,
    pose: np.ndarray,
    centre: np.ndarray,
    t: float,
    size: float,
    frame: int,
    slot: int,
) -> None:
    if np.all(np.isfinite(centre)):
        trk.times.append(t)
        trk.centres.append(centre)
    trk.pose, trk.t = pose, t
    trk.sizes.append(float(size))
    trk.size = float(np.median(trk.sizes[-15:]))
    trk.tracklet.frames.append(frame)
    trk.tracklet.slots.append(slot)


def drop_duplicates(
    image_xy: np.ndarray,
    visibility: np.ndarray | None = None,
    *,
    max_distance_sizes: float = DUPLICATE_SIZES,
) -> np.ndarray:
    """(T, P) bool: detections to keep after removing duplicates of the same person.

    Multi-pose estimators sometimes report one person twice in a frame (measured on the
    Sports2D demo with MediaPipe ``num_poses=3``: pose distance 0.01-0.06 body sizes). Of two
    detections closer than ``max_distance_sizes`` body sizes, the one with the lower mean
    visibility is dropped.
    """
    present = ~np.all(np.isnan(image_xy[..., 0]), axis=-1)
    sizes = body_size_px(image_xy)
    keep = present & np.isfinite(sizes) & (sizes > 0)
    vis = np.zeros(present.shape) if visibility is None else nanmean(visibility, axis=-1)
    for f in np.flatnonzero(keep.sum(axis=1) > 1):
        order = sorted(np.flatnonzero(keep[f]), key=lambda p: -np.nan_to_num(vis[f, p]))
        for i, a in enumerate(order):
            for b in order[i + 1 :]:
                if keep[f, a] and keep[f, b]:
                    d = pose_distance(image_xy[f, a], image_xy[f, b])
                    if d < max_distance_sizes * min(sizes[f, a], sizes[f, b]):
                        keep[f, b] = False
    return keep


def link_tracklets(
    times_s: np.ndarray,
    image_xy: np.ndarray,
    visibility: np.ndarray | None = None,
    *,
    gate_sizes: float = GATE_SIZES,
    gate_growth_sizes_s: float = GATE_GROWTH_SIZES_S,
    max_miss_s: float = MAX_MISS_S,
) -> list[Tracklet]:
    """Link detections (T, P, 33, 2) frame to frame into tracklets (module docstring).

    Parameters
    ----------
    visibility
        (T, P, 33), used to keep the better of two duplicate detections.
    gate_sizes
        Largest distance between predicted and detected hip centre, in body sizes
        (:func:`body_size_px`), for a match one frame on.
    gate_growth_sizes_s
        How much the gate widens per second without a detection.
    max_miss_s
        A tracklet with no detection for longer than this is closed.
    """
    keep = drop_duplicates(image_xy, visibility)  # (T, P)
    sizes = body_size_px(image_xy)  # (T, P)
    opened: list[_Open] = []
    done: list[Tracklet] = []
    centres = detection_centres(image_xy)  # (T, P, 2)
    for f, t in enumerate(np.asarray(times_s, dtype=float)):
        for trk in [o for o in opened if t - o.t > max_miss_s]:
            opened.remove(trk)
            done.append(trk.tracklet)
        dets = np.flatnonzero(keep[f])
        matched: set[int] = set()
        if opened and dets.size:
            cost = _cost_matrix(
                opened, image_xy[f], centres[f], dets, sizes[f], t, gate_sizes,
                gate_growth_sizes_s,
            )  # fmt: skip
            for a, d in _assign(cost):
                slot = dets[d]
                _update(opened[a], image_xy[f, slot], centres[f, slot], t, sizes[f, slot], f, slot)
                matched.add(int(d))
        for d in sorted(range(dets.size), key=lambda d: -sizes[f, dets[d]]):
            slot = dets[d]
            if d not in matched and not _shadows(centres[f], slot, dets, matched, sizes[f]):
                matched.add(d)  # born here: later detections on this person are shadows
                opened.append(
                    _Open(Tracklet([f], [int(slot)]), image_xy[f, slot], t,
                          [float(sizes[f, slot])], [t], [centres[f, slot]])
                )  # fmt: skip
    done.extend(o.tracklet for o in opened)
    return sorted(done, key=lambda tr: tr.first)


def _end_state(
    trk: Tracklet, times_s: np.ndarray, xy: np.ndarray, sizes: np.ndarray, at_end: bool
) -> tuple[np.ndarray, np.ndarray, float]:
    """Centre (px), velocity (px/s, line fit over up to 0.5 s) and size at one end of ``trk``."""
    frames, slots = np.asarray(trk.frames), np.asarray(trk.slots)
    t_end = times_s[frames[-1] if at_end else frames[0]]
    near = np.abs(times_s[frames] - t_end) <= 0.5
    frames, slots = frames[near], slots[near]
    centres = detection_centres(xy[frames, slots])
    ok = np.all(np.isfinite(centres), axis=1)
    centre = centres[ok][-1 if at_end else 0] if ok.any() else np.full(2, np.nan)
    velocity = np.zeros(2)
    if ok.sum() >= 3:
        tt = times_s[frames[ok]]
        velocity = np.polyfit(tt - tt.mean(), centres[ok], 1)[0]
    return centre, velocity, float(nanmedian(sizes[frames, slots]))


def merge_tracklets(
    tracklets: list[Tracklet],
    times_s: np.ndarray,
    image_xy: np.ndarray,
    *,
    max_gap_s: float = MERGE_MAX_GAP_S,
    slack_sizes_s: float = MERGE_SLACK_SIZES_S,
    gate_sizes: float = GATE_SIZES,
) -> list[Tracklet]:
    """Join tracklets A → B when B starts within ``max_gap_s`` after A ends, at a similar size,
    and near where A's end velocity (and B's start velocity, backwards) put it: within
    ``gate_sizes + slack_sizes_s × gap`` body sizes. Greedy, closest pairs first; each
    tracklet gets at most one successor and one predecessor.
    """
    sizes = body_size_px(image_xy)
    ends = [_end_state(tr, times_s, image_xy, sizes, True) for tr in tracklets]
    starts = [_end_state(tr, times_s, image_xy, sizes, False) for tr in tracklets]
    pairs = []
    for a, ta in enumerate(tracklets):
        for b, tb in enumerate(tracklets):
            gap = times_s[tb.first] - times_s[ta.last] if tb.first > ta.last else -1.0
            if not 0 < gap <= max_gap_s:
                continue
            (ca, va, sa), (cb, vb, sb) = ends[a], starts[b]
            if abs(np.log(sb / sa)) > np.log(MAX_SIZE_RATIO):
                continue
            size = 0.5 * (sa + sb)
            forward = np.linalg.norm(cb - (ca + va * gap)) / size
            backward = np.linalg.norm(ca - (cb - vb * gap)) / size
            dist = float(np.fmin(forward, backward))
            if dist <= gate_sizes + slack_sizes_s * gap:
                pairs.append((dist + gap, a, b))
    nxt: dict[int, int] = {}
    prev: dict[int, int] = {}
    for _, a, b in sorted(pairs):
        if a not in nxt and b not in prev:
            nxt[a], prev[b] = b, a
    merged = []
    for a in range(len(tracklets)):
        if a in prev:
            continue
        chain = Tracklet()
        while True:
            chain.frames += tracklets[a].frames
            chain.slots += tracklets[a].slots
            if a not in nxt:
                break
            a = nxt[a]
        merged.append(chain)
    return merged


def _overlap_distance(
    a: Tracklet, b: Tracklet, times_s: np.ndarray, centres: np.ndarray, sizes: np.ndarray
) -> float:
    """Median hip-centre distance (body sizes) between b's detections and a's nearest in time
    (within 0.1 s), over the time both tracklets span; inf if they never come that close."""
    ta = times_s[a.frames]
    tb = times_s[b.frames]
    inside = (tb >= ta[0]) & (tb <= ta[-1])
    if not inside.any():
        return float("inf")
    fb, sb = np.asarray(b.frames)[inside], np.asarray(b.slots)[inside]
    pos = np.clip(np.searchsorted(ta, tb[inside]), 1, ta.size - 1)
    nearer = np.where(
        np.abs(ta[pos - 1] - tb[inside]) <= np.abs(ta[pos] - tb[inside]), pos - 1, pos
    )
    close = np.abs(ta[nearer] - tb[inside]) <= 0.1
    if not close.any():
        return float("inf")
    fa, sa = np.asarray(a.frames)[nearer[close]], np.asarray(a.slots)[nearer[close]]
    fb, sb = fb[close], sb[close]
    gap = np.linalg.norm(centres[fb, sb] - centres[fa, sa], axis=-1)
    return float(np.median(gap / np.minimum(sizes[fb, sb], sizes[fa, sa])))


def _co_present(a: Tracklet, b: Tracklet) -> float:
    """Fraction of the frames either tracklet holds, within their common span, held by both.

    Two pieces of one person mostly take turns (near 0); two people side by side are both
    detected in almost every frame (near 1)."""
    lo, hi = max(a.first, b.first), min(a.last, b.last)
    fa = {f for f in a.frames if lo <= f <= hi}
    fb = {f for f in b.frames if lo <= f <= hi}
    union = fa | fb
    return len(fa & fb) / len(union) if union else 0.0


def _union(a: Tracklet, b: Tracklet, sizes: np.ndarray) -> Tracklet:
    """One tracklet from two on the same person; where both have a detection, keep the one
    whose size is closer to the person's median size (drops partial detections)."""
    ref = float(nanmedian(np.concatenate([sizes[a.frames, a.slots], sizes[b.frames, b.slots]])))
    best: dict[int, int] = {}
    for f, s in [*zip(a.frames, a.slots, strict=True), *zip(b.frames, b.slots, strict=True)]:
        if f not in best or abs(np.log(sizes[f, s] / ref)) < abs(np.log(sizes[f, best[f]] / ref)):
            best[f] = s
    frames = sorted(best)
    return Tracklet(frames, [best[f] for f in frames])


def unite_overlapping(
    tracklets: list[Tracklet],
    times_s: np.ndarray,
    image_xy: np.ndarray,
    *,
    max_distance_sizes: float = SAME_PERSON_SIZES,
) -> list[Tracklet]:
    """Unite tracklets that overlap in time but follow the same person.

    A partial or offset second detection of one person can steal that person's tracklet for
    a few frames, after which two tracklets share the person's frames between them. Two
    overlapping tracklets that mostly take turns (both detected in at most 30 % of the frames
    of their common span: two people side by side are both detected nearly always) and whose
    hip centres are, in median, within ``max_distance_sizes`` body sizes of each other
    (nearest frames in time) are made one, closest pair first.
    """
    sizes = body_size_px(image_xy)
    centres = detection_centres(image_xy)
    out = list(tracklets)
    while True:
        best: tuple[float, int, int] | None = None
        for i, a in enumerate(out):
            for j in range(i + 1, len(out)):
                b = out[j]
                if b.first > a.last or a.first > b.last or _co_present(a, b) > MAX_CO_PRESENT:
                    continue
                d = min(
                    _overlap_distance(a, b, times_s, centres, sizes),
                    _overlap_distance(b, a, times_s, centres, sizes),
                )
                if d <= max_distance_sizes and (best is None or d < best[0]):
                    best = (d, i, j)
        if best is None:
            return sorted(out, key=lambda tr: tr.first)
        _, i, j = best
        merged = _union(out[i], out[j], sizes)
        out = [tr for k, tr in enumerate(out) if k not in (i, j)] + [merged]
