"""Foot contacts (touchdown / toe-off) for backward and forward travel.

METRICS.md §5: a backward-adapted Zeni method (Zeni et al. 2008; Stenum et al. 2021 use the
same peak/trough logic on ankle - mid-hip). The foot's signed excursion along the *travel*
direction, ``s_k = e_t (X_foot - X_H)``, peaks at touchdown (the foot reaches furthest
toward where the athlete is going, i.e. behind them in a backpedal) and bottoms out at
toe-off. Candidates are refined with the ground line and the foot's vertical speed. A
front/rear-view variant reads stances from the foot's image height. Sub-frame timing
(:mod:`analyzer.events.contact_timing`), label repairs (:mod:`analyzer.events.contact_labels`)
and the step table (:mod:`analyzer.events.step_table`) have modules of their own; their
public names are importable from here too.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import maximum_filter1d
from scipy.signal import find_peaks

from analyzer import skeleton as sk
from analyzer.events.contact_labels import FEET, dedupe_events, drop_simultaneous, relabel_swapped
from analyzer.events.contact_timing import subframe_time
from analyzer.events.ground import lowest_foot_y
from analyzer.events.inplace import InPlaceParams, merge_in_place
from analyzer.events.scene import Scene
from analyzer.events.step_table import build_steps, stance_mask
from analyzer.numeric import (
    cap_cutoff,
    derivative,
    lowpass,
    runs,
    sustained,
)
from analyzer.results import ContactEvent

__all__ = [
    "FEET",
    "ContactParams",
    "ContactResult",
    "build_steps",
    "detect_contacts",
    "drop_simultaneous",
    "foot_point",
    "relabel_swapped",
    "stance_mask",
    "subframe_time",
]

_FOOT_POINTS = (sk.LEFT_FOOT, sk.RIGHT_FOOT)
#: A constant-travel segment is searched for peaks only when it spans 3 peak separations.
MIN_SEGMENT_SEPARATIONS = 3
#: Running windows span at least 3 frames (a centre and its neighbours).
MIN_WINDOW_FRAMES = 3
#: Stands in for an untracked foot height in the running maximum (never the maximum).
_NAN_LOW_PX = -1e9
#: The apparent size needs 3 tracked torso lengths; it is clipped to 1/4-4 x its median
#: (an athlete 4 x nearer or farther than typical is a tracking error, [EJ]).
MIN_SIZE_SAMPLES = 3
APPARENT_SIZE_RANGE = (0.25, 4.0)


@dataclass(frozen=True)
class ContactParams:
    """Parameters of contact detection (METRICS §5; all [EJ] defaults of the spec).

    Attributes
    ----------
    min_separation_s
        Minimum time between two peaks of one foot (§5 step 1: 0.15 s).
    prominence_leg
        Minimum peak prominence in leg lengths (§5 step 1: 0.1 L).
    refine_window_s
        Half-width of the refinement search around a candidate (§5 step 2: +/-3 frames;
        given in seconds so it does not shrink at high frame rates).
    ground_tol_leg
        Lowest foot point within this many L of the ground counts as on the ground (0.03 L).
    max_vy_leg_per_s
        Vertical foot speed below this many L/s counts as still (0.5 L/s).
    max_vx_leg_per_s
        Horizontal speed of heel or toe below this many L/s counts as planted (0.6 L/s
        ~ 0.5 m/s, the threshold of the 3D truth in ``backpedal_dev.synth.truth``).
    foot_cutoff_hz
        Low-pass cut-off of the foot trajectories (§3.3: 10 Hz, 6 Hz below 50 fps).
    travel_cutoff_hz, travel_min_leg_per_s
        Travel direction for the excursion: hip velocity low-passed at 1 Hz (about a stride)
        and above 0.2 L/s (lower than the 0.5 L/s of the travel classification, §4 step 3,
        so slow backward walking keeps its direction through each step).
    front_still_fraction
        Front/rear view: a foot is still below this fraction of its 90th-percentile image
        speed in the clip (and below ``max_vy_leg_per_s``).
    fill_ground_tol_leg
        Height tolerance of that fill (0.1 L): a foot pivoting on its toes in a turn sits a
        little above the fitted line but is still and planted.
    fill_from_ground, min_ground_run_s
        Add contacts from on-ground runs of at least 0.1 s where the excursion method found
        none (slow or turning stretches where the travel direction is undefined).
    fill_max_covered
        A run already inside detected stances for more than 0.3 of its frames is not filled.
    ground_offset_band_leg, ground_offset_min_points, ground_offset_percentile
        Per-foot ground offset (feet at different depths project to slightly different
        lines): the 10th percentile of the foot's heights within 0.15 L of the line, when
        more than 5 such frames exist.
    excursion_pad_s
        Each constant-travel segment is widened by 0.15 s (one separation) so the peaks at
        its ends are found (§5 step 1).
    subframe_max_shift_s
        Sub-frame timing moves an event by at most 0.05 s (§5 step 2, one frame at 20 fps).
    travel_min_s
        The travel direction of the excursion method must hold for 0.3 s (about a step).
    vertical_window_s, vertical_min_tol_leg
        Front/rear view: a foot is low when within ``max(2 ground_tol_leg, 0.1)`` L of its
        running maximum over 0.5 s (about a stride) (§5 step 3).
    """

    min_separation_s: float = 0.15
    prominence_leg: float = 0.1
    refine_window_s: float = 0.1
    ground_tol_leg: float = 0.06
    max_vy_leg_per_s: float = 0.5
    max_vx_leg_per_s: float = 0.6
    foot_cutoff_hz: float = 10.0
    fill_from_ground: bool = True
    front_still_fraction: float = 0.25
    fill_ground_tol_leg: float = 0.1
    travel_cutoff_hz: float = 1.0
    travel_min_leg_per_s: float = 0.2
    min_ground_run_s: float = 0.1
    fill_max_covered: float = 0.3
    ground_offset_band_leg: float = 0.15
    ground_offset_min_points: int = 5
    ground_offset_percentile: float = 10.0
    excursion_pad_s: float = 0.15
    subframe_max_shift_s: float = 0.05
    travel_min_s: float = 0.3
    vertical_window_s: float = 0.5
    vertical_min_tol_leg: float = 0.1
    in_place: InPlaceParams | None = field(default_factory=InPlaceParams)


@dataclass(frozen=True)
class ContactResult:
    """Contacts of a clip: the events (time order) and the stance mask (T, 2: left, right)."""

    events: list[ContactEvent]
    stance: np.ndarray
    method: str


def foot_point(p: np.ndarray, side: int) -> np.ndarray:
    """(T, 2) mean of ankle, heel and toe of one foot (METRICS §5 step 1)."""
    with np.errstate(all="ignore"):
        return np.nanmean(p[:, list(_FOOT_POINTS[side])], axis=1)


def detect_contacts(scene: Scene, params: ContactParams | None = None) -> ContactResult:
    """Touchdowns and toe-offs of both feet (METRICS §5).

    Side and diagonal views use the backward-adapted Zeni excursion; front and rear views
    (or a side view where the hips hardly travel) use the foot-height variant of §5 step 3.
    """
    prm = params or ContactParams()
    if scene.view.view in ("front", "rear"):
        res = _vertical_contacts(scene, prm)
    else:
        res = _zeni_contacts(scene, prm)
        n_td = sum(e.kind == "touchdown" for e in res.events)
        if n_td < 2:
            alt = _vertical_contacts(scene, prm)
            if sum(e.kind == "touchdown" for e in alt.events) > n_td:
                res = alt
    if prm.in_place is None:
        return res
    events = merge_in_place(scene, res.events, prm.in_place)
    if events is res.events:
        return res
    return ContactResult(events, stance_mask(events, scene.n_frames), res.method + "+in_place")


def _on_ground(margins: np.ndarray, height: np.ndarray, tol_px: float) -> np.ndarray:
    """(T, 2) bool 'foot on the ground and still', with the height tolerance ``tol_px``.

    On the ground: lowest foot point within ``tol_px`` of this foot's ground level, and the
    speed conditions of :func:`_ground_margins` met (METRICS §5 step 2; like the 3D truth of
    ``backpedal_dev.synth.truth``, heel or toe horizontally slower than ``max_vx_leg_per_s``).
    ``margins`` and ``height`` come from :func:`_ground_margins`; only the height test is
    redone, so a looser tolerance needs no second filtering pass.
    """
    near = np.nan_to_num(height - tol_px, nan=np.inf) < 0
    return near & np.all(margins[..., 1:] < 0, axis=-1)


def _ground_margins(scene: Scene, prm: ContactParams) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2, 3) signed margins of the three on-ground conditions
    (height, vertical speed, horizontal speed minus their thresholds, in px or px/s;
    negative = condition met) and (T, 2) height above ground in px. NaN counts as not met."""
    fs, leg = scene.fs, scene.leg_length_px
    cut = cap_cutoff(prm.foot_cutoff_hz, fs)
    low = lowpass(np.stack([lowest_foot_y(scene.p, s) for s in (0, 1)], axis=1), fs, cut)
    hip_x = scene.hip()[:, 0]
    height = scene.ground_y(hip_x)[:, None] - low
    # per-foot ground offset: feet at different depths project to slightly different lines
    for s in (0, 1):
        h = height[:, s]
        near = h[np.isfinite(h) & (np.abs(h) < prm.ground_offset_band_leg * leg)]
        if near.size > prm.ground_offset_min_points:
            height[:, s] -= float(np.percentile(near, prm.ground_offset_percentile))
    vy = np.abs(derivative(low, scene.times_s))
    vx = np.empty_like(vy)
    for s, (heel, toe) in enumerate(((sk.LEFT_HEEL, sk.LEFT_TOE), (sk.RIGHT_HEEL, sk.RIGHT_TOE))):
        xs = lowpass(scene.p[:, [heel, toe], 0], fs, cut)
        vx[:, s] = np.nanmin(np.abs(derivative(xs, scene.times_s)), axis=1)
    margins = np.stack([height - prm.ground_tol_leg * leg, vy - prm.max_vy_leg_per_s * leg,
                        vx - prm.max_vx_leg_per_s * leg], axis=-1)  # fmt: skip
    return np.nan_to_num(margins, nan=np.inf), height


def _zeni_contacts(scene: Scene, prm: ContactParams) -> ContactResult:
    """Backward-adapted Zeni candidates per constant-travel segment, then refinement."""
    fs, leg, n = scene.fs, scene.leg_length_px, scene.n_frames
    cut = cap_cutoff(prm.foot_cutoff_hz, fs)
    hip_x = lowpass(scene.hip()[:, 0], fs, cut)
    margins, height = _ground_margins(scene, prm)
    ground_ok = np.all(margins < 0, axis=-1)
    travel = _event_travel(scene, prm)
    dist = max(1, round(prm.min_separation_s * fs))
    pad = max(1, round(prm.excursion_pad_s * fs))
    events: list[ContactEvent] = []
    for s in (0, 1):
        fx = lowpass(foot_point(scene.p, s)[:, 0], fs, cut)
        for kind, f in _excursion_candidates(
            fx - hip_x, travel, dist=dist, pad=pad, prominence=prm.prominence_leg * leg
        ):
            fr = _refine(f, ground_ok[:, s], prm, fs, kind=kind)
            t_fr = subframe_time(
                scene.times_s, margins[:, s], fr, kind=kind,
                max_shift=max(1, round(prm.subframe_max_shift_s * fs)),
            )
            events.append(_event(scene, s, kind, fr, time_s=t_fr))
    events = dedupe_events(sorted(events, key=lambda e: (e.frame, e.foot, e.kind)), dist)
    if prm.fill_from_ground:
        fill_ok = _on_ground(margins, height, prm.fill_ground_tol_leg * leg)
        events = dedupe_events(_fill_from_ground(scene, events, fill_ok, prm), dist)
    events = drop_simultaneous(events, round(prm.min_separation_s * fs))
    events = relabel_swapped(events)
    return ContactResult(events, stance_mask(events, n), "zeni_backward")


def _excursion_candidates(
    rel_x: np.ndarray, travel: np.ndarray, *, dist: int, pad: int, prominence: float
) -> list[tuple[str, int]]:
    """Zeni candidates of one foot (METRICS §5 step 1, backward-adapted): in each
    constant-travel segment (widened by ``pad`` frames), touchdowns at the peaks and toe-offs
    at the troughs of the foot's excursion from the hips (``rel_x``) in the travel direction.
    """
    n = rel_x.size
    out: list[tuple[str, int]] = []
    for sign in (-1, 1):
        for a, b in runs(travel == sign):
            a0, b0 = max(0, a - pad), min(n, b + pad)
            if b0 - a0 < MIN_SEGMENT_SEPARATIONS * dist:
                continue
            exc = sign * rel_x[a0:b0]
            exc = np.nan_to_num(exc, nan=np.nanmedian(exc) if np.isfinite(exc).any() else 0)
            td = find_peaks(exc, distance=dist, prominence=prominence)[0]
            to = find_peaks(-exc, distance=dist, prominence=prominence)[0]
            for kind, peaks in (("touchdown", td), ("toe_off", to)):
                out.extend((kind, int(f) + a0) for f in peaks)
    return out


def _fill_from_ground(
    scene: Scene, events: list[ContactEvent], ok: np.ndarray, prm: ContactParams
) -> list[ContactEvent]:
    """Add contacts the excursion method cannot see (slow or turning stretches, segment edges):
    each on-ground run of a foot lasting >= ``min_ground_run_s`` gives a touchdown at its start
    and a toe-off after its end when no event of that kind and foot lies within
    ``min_separation_s`` (METRICS §5 step 2/3 criteria)."""
    fs, n = scene.fs, scene.n_frames
    near = max(1, round(prm.min_separation_s * fs))
    min_len = max(2, round(prm.min_ground_run_s * fs))
    out = list(events)
    covered = stance_mask(events, n)
    gap = max(1, round(prm.min_ground_run_s * fs))
    for s, foot in enumerate(FEET):
        have = {k: np.array([e.frame for e in events if e.foot == foot and e.kind == k])
                for k in ("touchdown", "toe_off")}  # fmt: skip
        for a, b in runs(_close_small_gaps(ok[:, s], gap)):
            if b - a < min_len or covered[a:b, s].mean() > prm.fill_max_covered:
                continue
            # skip runs already inside a detected stance (an event of that kind in the run)
            td, to = have["touchdown"], have["toe_off"]
            if a > 0 and not np.any((td >= a - near) & (td <= b)):
                out.append(_event(scene, s, "touchdown", a))
            if b < n and not np.any((to >= a) & (to <= b + near)):
                out.append(_event(scene, s, "toe_off", b))
    return sorted(out, key=lambda e: (e.frame, e.foot, e.kind))


def _close_small_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    out = mask.copy()
    rr = runs(mask)
    for (_, b), (a2, _) in itertools.pairwise(rr):
        if a2 - b <= max_gap:
            out[b:a2] = True
    return out


def _event_travel(scene: Scene, prm: ContactParams) -> np.ndarray:
    """(T,) travel sign for the excursion method: the mid-hip velocity averaged over about a
    stride (``travel_cutoff_hz``) above ``travel_min_leg_per_s`` for ``travel_min_s``, so
    slow walkers whose speed dips within each step keep one travel direction."""
    v = lowpass(np.nan_to_num(scene.speed_leg_per_s), scene.fs, prm.travel_cutoff_hz)
    n = max(1, round(prm.travel_min_s * scene.fs))
    out = np.zeros(v.shape, dtype=int)
    out[sustained(v > prm.travel_min_leg_per_s, n)] = 1
    out[sustained(v < -prm.travel_min_leg_per_s, n)] = -1
    return out


def _refine(cand: int, ok: np.ndarray, prm: ContactParams, fs: float, *, kind: str) -> int:
    """Snap a candidate to the start (touchdown) or end (toe-off) of the nearest on-ground run
    within the refinement window (METRICS §5 step 2); keep the candidate if none is there.

    The toe-off frame is the first frame with the foot off the ground (the convention of the
    3D truth; the spec's "last frame on the ground" is one frame earlier)."""
    w = max(1, round(prm.refine_window_s * fs))
    lo, hi = max(0, cand - w), min(ok.size, cand + w + 1)
    best: int | None = None
    for a, b in runs(ok):
        if b <= lo or a >= hi:
            continue
        edge = a if kind == "touchdown" else b
        edge = int(np.clip(edge, lo, min(hi - 1, ok.size - 1)))
        if best is None or abs(edge - cand) < abs(best - cand):
            best = edge
    return cand if best is None else best


def _vertical_contacts(scene: Scene, prm: ContactParams) -> ContactResult:
    """Front/rear-view variant (METRICS §5 step 3): stance = foot near its lowest image
    position within ~one stride and vertically still; touchdown/toe-off = stance edges."""
    fs, leg, n = scene.fs, scene.leg_length_px, scene.n_frames
    cut = cap_cutoff(prm.foot_cutoff_hz, fs)
    low = lowpass(np.stack([lowest_foot_y(scene.p, s) for s in (0, 1)], axis=1), fs, cut)
    fx = lowpass(np.stack([foot_point(scene.p, s)[:, 0] for s in (0, 1)], axis=1), fs, cut)
    # the athlete recedes from (or nears) a front camera: image speeds and heights shrink with
    # the apparent size, so both are measured in units of the current torso length
    size = _apparent_size(scene)[:, None]
    speed = np.hypot(derivative(low, scene.times_s), derivative(fx, scene.times_s)) / size
    w = max(MIN_WINDOW_FRAMES, round(prm.vertical_window_s * fs) | 1)
    env = np.stack(
        [maximum_filter1d(np.nan_to_num(low[:, s], nan=_NAN_LOW_PX), size=w, mode="nearest")
         for s in (0, 1)], axis=1,
    )  # fmt: skip
    tol = max(2.0 * prm.ground_tol_leg, prm.vertical_min_tol_leg) * leg
    # the swing foot moves mostly in depth, slowly in the image: the stillness threshold adapts
    # to this clip's swing speeds (a fraction of the foot's 90th-percentile image speed)
    fast = np.array([np.nanpercentile(speed[:, s], 90) if np.isfinite(speed[:, s]).any()
                     else np.inf for s in (0, 1)])  # fmt: skip
    still_px = np.minimum(prm.max_vy_leg_per_s * leg, prm.front_still_fraction * fast)
    # margins of the two conditions (negative = met) for sub-frame stance edges
    margins = np.nan_to_num(
        np.stack([(env - low) / size - tol, speed - still_px], axis=-1), nan=np.inf
    )
    ok = np.all(margins < 0, axis=-1)
    min_len = max(2, round(prm.min_ground_run_s * fs))
    events: list[ContactEvent] = []
    for s in (0, 1):
        merged = _close_small_gaps(ok[:, s], max(1, round(prm.min_ground_run_s * fs)))
        rr = [(a, b) for a, b in runs(merged) if b - a >= min_len]
        for a, b in rr:
            if a > 0:
                t_a = subframe_time(scene.times_s, margins[:, s], a, kind="touchdown")
                events.append(_event(scene, s, "touchdown", a, time_s=t_a))
            if b < n:
                t_b = subframe_time(scene.times_s, margins[:, s], b, kind="toe_off")
                events.append(_event(scene, s, "toe_off", b, time_s=t_b))
    events.sort(key=lambda e: (e.frame, e.foot, e.kind))
    return ContactResult(events, stance_mask(events, n), "vertical")


def _apparent_size(scene: Scene, *, cutoff_hz: float = 0.5) -> np.ndarray:
    """(T,) image torso length (mid-shoulder to mid-hip) low-passed well below the step rate,
    over its median: the athlete's apparent size relative to the clip (1 = typical)."""
    p = scene.p
    sh = 0.5 * (p[:, sk.LEFT_SHOULDER] + p[:, sk.RIGHT_SHOULDER])
    hp = 0.5 * (p[:, sk.LEFT_HIP] + p[:, sk.RIGHT_HIP])
    d = np.linalg.norm(sh - hp, axis=1)
    if np.isfinite(d).sum() < MIN_SIZE_SAMPLES:
        return np.ones(scene.n_frames)
    idx = np.arange(d.size)
    ok = np.isfinite(d)
    d = lowpass(np.interp(idx, idx[ok], d[ok]), scene.fs, cap_cutoff(cutoff_hz, scene.fs))
    return np.clip(d / float(np.median(d)), *APPARENT_SIZE_RANGE)


def _event(
    scene: Scene, side: int, kind: str, frame: int, *, time_s: float | None = None
) -> ContactEvent:
    t = float(scene.times_s[frame]) if time_s is None else float(time_s)
    return ContactEvent(FEET[side], kind, t, int(frame))  # type: ignore[arg-type]
