"""Foot contacts and phases of stepping without travel: in place, on a treadmill, on a sled.

The backward-adapted Zeni method of :mod:`analyzer.events.contacts` reads contacts from the
foot's excursion *along the travel direction* (METRICS §5 step 1); when the hips do not
travel (wall taps, a treadmill, a sled held back) it has no direction and finds nothing.
Here each foot is followed relative to its own ground level: it rests on it during a
stance and is lifted in swing. This is the foot-height variant of METRICS §5 step 3 without
the horizontal-speed condition (a treadmill belt carries the planted foot backwards), with
each swing found as the highest lift of its foot within a stride (the stride period comes
from the feet's own motion; wall taps lift the foot only a few centimetres).
Gait events from the vertical foot trajectory: Zeni et al. 2008 [S:8] (positions relative to
the body) and O'Connor et al. 2007 (foot vertical velocity, treadmill and overground).

Stepping is accepted only as a run of touchdowns one stride apart while the hips stay put;
only there do these contacts replace the ones of the travel-based methods, so a backpedal's
contacts are untouched.

API
---
``InPlaceParams``                                   thresholds (sourced defaults).
``stepping_contacts(scene, prm)``                   (events, stepping spans) of the clip.
``merge_in_place(scene, events, prm)``              events with the in-place ones merged in.
``in_place_phases(scene, phases, prm)``             ``in_place`` phases where no rep is.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.signal import peak_prominences

from analyzer import skeleton as sk
from analyzer.events.scene import Scene
from analyzer.numeric import cap_cutoff, derivative, lowpass, runs
from analyzer.results import ContactEvent, Foot, Phase

_FEET: tuple[Foot, Foot] = ("left", "right")
_FOOT_POINTS = (sk.LEFT_FOOT, sk.RIGHT_FOOT)


@dataclass(frozen=True)
class InPlaceParams:
    """Parameters of stepping without travel ([EJ] defaults unless a source is given).

    Attributes
    ----------
    foot_cutoff_hz
        Low-pass of the foot height (METRICS §3.3: 10 Hz for feet, capped at 6 Hz below
        50 fps).
    envelope_s
        Shortest tracked stretch (s) a foot needs: a stride at the slowest stepping accepted
        (2 x ``max_step_s``).
    min_lift_leg
        A foot must lift at least this many leg lengths in swing (90th percentile of its
        height over the envelope): 0.03 L ~ 3 cm, below the 5 cm clearance of a skimming
        backpedal step (METRICS M9b; "feet close to the grass" [C:31]) and above the
        scatter of the low-passed heel/toe landmarks (~0.05 torso lengths raw, SYNTHETIC.md).
    min_lift_share
        A swing peak rises at least this share of the foot's median swing above its
        surroundings (its prominence, scipy.signal.peak_prominences; [EJ]: the landmark
        bumps of a foot standing still rise about a third as much as a step on projected
        clips with MediaPipe-like noise; the steps of one foot vary far less).
    ground_fraction
        On the ground: height below this fraction of the foot's lift (and below
        ``ground_tol_leg``).
    ground_tol_leg
        Upper bound of that height tolerance (0.06 L, ``ContactParams.ground_tol_leg``).
    still_fraction
        On the ground: vertical speed below this fraction of the foot's 90th-percentile
        vertical speed (the front-view rule of ``ContactParams.front_still_fraction``).
    min_stance_s, min_swing_s
        Shortest stance and swing accepted (contact times of 0.15-0.25 s, METRICS §5 step 4;
        half of the shortest swing of a fast backpedal, ~0.1 s).
    min_step_s, max_step_s
        Touchdown-to-touchdown times of stepping (0.15 s: the minimum peak separation of
        §5 step 1; 0.6 s: 1.7 steps/s, a slow walk).
    min_steps
        Alternating touchdowns needed to call a stretch stepping (4: the §6 minimum of
        contacts to score footwork).
    ground_percentile
        A foot's ground level: this percentile of its image y (down) over the clip (feet are
        on the ground most of the time when stepping: stance 60-70 % of a backpedal cycle).
    min_stride_fraction
        Two swings of one foot are at least this fraction of the stride period apart
        (step-to-step variation of a steady gait is a few per cent, Hausdorff 2005; 0.7
        leaves room for a truly uneven rhythm).
    min_stride_correlation
        The stride period is trusted when the feet's height difference correlates with
        itself one stride later at least this much (NSDF 0.3: a weak but clear
        periodicity; a standing athlete's landmark noise does not repeat).
    period_peak_share
        The stride is the shortest lag whose repetition (NSDF peak) reaches this share of
        the best one (McLeod & Wyvill 2005 §5 use 0.8-1.0; 0.8: a rendered treadmill clip
        at 60 fps repeats 0.82-0.90 at one stride and 0.97 at two, a foot lifting
        alternately high and low repeats better at two strides than at one).
    autocorr_min_strides
        Over at least this many strides the in-place cadence is the autocorrelation's
        period (averaged over the whole stretch); over fewer, whose few lags leave the peak
        skewed, the median interval between swing peaks ([EJ]: 8 strides, about 4 s).
    max_travel_leg_per_s
        Stepping counts as "in place" when the hips move slower than this on average over
        the stretch (0.3 L/s: the movement-onset speed of METRICS §6).
    """

    foot_cutoff_hz: float = 6.0
    envelope_s: float = 1.2
    min_lift_leg: float = 0.03
    min_lift_share: float = 0.5
    ground_fraction: float = 0.3
    ground_tol_leg: float = 0.06
    still_fraction: float = 0.3
    min_stance_s: float = 0.05
    min_swing_s: float = 0.06
    min_step_s: float = 0.15
    max_step_s: float = 0.6
    min_steps: int = 4
    max_travel_leg_per_s: float = 0.3
    ground_percentile: float = 90.0
    min_stride_fraction: float = 0.7
    min_stride_correlation: float = 0.3
    period_peak_share: float = 0.8
    autocorr_min_strides: float = 8.0


def _crossing(times_s: np.ndarray, q: np.ndarray, i: int) -> float:
    """Time (linear interpolation) where ``q`` crosses zero between frames ``i - 1`` and
    ``i``; ``times_s[i]`` when that is not a finite crossing."""
    if i < 1 or i >= q.size or not (np.isfinite(q[i - 1]) and np.isfinite(q[i])):
        return float(times_s[min(i, q.size - 1)])
    a, b = float(q[i - 1]), float(q[i])
    frac = a / (a - b) if a != b else 1.0
    t0, t1 = float(times_s[i - 1]), float(times_s[i])
    return t0 + float(np.clip(frac, 0.0, 1.0)) * (t1 - t0)


def _nsdf(x0: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Normalised square difference function of ``x0`` at lags ``lo..hi`` (McLeod & Wyvill
    2005, "A smarter way to find pitch", eq. 6): ``2 sum x_j x_(j+k) / sum (x_j^2 +
    x_(j+k)^2)`` over the pairs where both samples are tracked, in [-1, 1] at every lag.
    Unlike an autocorrelation scaled by the overlap, it does not grow with the lag, so a
    periodic signal reads as high at one period as at two (hand-written: scipy has no NSDF,
    and the untracked frames must be left out pair by pair)."""
    ok = np.isfinite(x0)
    x = np.where(ok, x0 - np.nanmean(x0), 0.0)
    out = np.full(hi - lo + 1, np.nan)
    for i, k in enumerate(range(lo, hi + 1)):
        a, b = x[:-k], x[k:]
        both = ok[:-k] & ok[k:]
        den = float(np.dot(a[both], a[both]) + np.dot(b[both], b[both]))
        if den > 0:
            out[i] = 2.0 * float(np.dot(a[both], b[both])) / den
    return out


def _fundamental(nsdf: np.ndarray, share: float) -> tuple[int, float] | None:
    """Index and value of the period in an NSDF curve: the first local maximum at least
    ``share`` of the highest one (McLeod & Wyvill 2005 §5: a signal repeating every P
    also repeats every 2P, 3P, ..., often as strongly; the shortest lag that repeats
    almost as well as the best is the period). None without a positive local maximum."""
    v = np.nan_to_num(nsdf, nan=-1.0)
    peaks = np.flatnonzero((v[1:-1] > v[:-2]) & (v[1:-1] >= v[2:]) & (v[1:-1] > 0)) + 1
    if not peaks.size:
        return None
    top = float(v[peaks].max())
    k = int(peaks[np.argmax(v[peaks] >= share * top)])
    return k, float(v[k])


def _stride_frames(
    h: np.ndarray, fs: float, prm: InPlaceParams, *, signal: list[np.ndarray] | None = None
) -> float | None:
    """Stride period (frames) of stepping: the period (:func:`_fundamental` of the
    :func:`_nsdf`, at lags of ``2 min_step_s``-``2 max_step_s``) of the left foot's height,
    the right foot's, or their difference (the feet swing in anti-phase), whichever repeats
    most clearly (the far foot of a side view is often too poorly tracked to show it); None
    without a period repeating at least ``min_stride_correlation``. ``signal``, when given,
    receives the signal chosen."""
    lo, hi = max(2, round(2 * prm.min_step_s * fs)), round(2 * prm.max_step_s * fs)
    best: tuple[float, float, np.ndarray] | None = None
    for x0 in (h[:, 0], h[:, 1], h[:, 0] - h[:, 1]):
        # lags up to half the tracked frames (each compares at least half of the signal)
        top = min(hi, int(np.isfinite(x0).sum()) // 2)
        if top < lo + 2:
            continue
        curve = _nsdf(x0, lo, top)
        found = _fundamental(curve, prm.period_peak_share)
        if found is None:
            continue
        k, value = found
        lag = lo + _peak_position(curve, k)  # parabolic refinement of the peak lag
        if value >= prm.min_stride_correlation and (best is None or value > best[0]):
            best = (value, lag, x0)
    if best is None:
        return None
    if signal is not None:
        signal.append(best[2])
    return best[1]


def _foot_heights(scene: Scene, prm: InPlaceParams) -> np.ndarray | None:
    """(T, 2) low-passed heights (px) of the feet (mean image y of ankle, heel and toe) above
    each foot's ground level (its ``ground_percentile`` image y), or None when a foot is
    mostly untracked. The mean of the three points, not the lowest of heel and toe: on
    rendered figures MediaPipe's toe point of a foot lifted a few centimetres often stays
    on the ground line while heel and ankle rise."""
    fs = scene.fs
    pts = np.stack([scene.p[:, list(f), 1] for f in _FOOT_POINTS], axis=1)  # (T, 2, 3)
    n_ok = np.isfinite(pts).sum(axis=-1)
    with np.errstate(all="ignore"):
        ys = np.where(n_ok > 0, np.nansum(pts, axis=-1) / np.maximum(n_ok, 1), np.nan)
    if np.isfinite(ys).sum(axis=0).min() < round(prm.envelope_s * fs):
        return None
    ground = np.nanpercentile(ys, prm.ground_percentile, axis=0)[None, :]
    return lowpass(ground - ys, fs, cap_cutoff(prm.foot_cutoff_hz, fs))


def stride_cadence_steps_per_s(
    scene: Scene, start: int, end: int, prm: InPlaceParams | None = None
) -> float | None:
    """Cadence of stepping in frames ``start..end`` (inclusive) from the stride period of
    the feet's vertical motion (:func:`_stride_frames`): two steps per stride. Uses the whole
    foot trajectories, not the contact times, so it does not depend on how sharply each
    landing shows in a small lift."""
    prm = prm or InPlaceParams()
    h = _foot_heights(scene, prm)
    if h is None:
        return None
    chosen: list[np.ndarray] = []
    stride = _stride_frames(h[start : end + 1], scene.fs, prm, signal=chosen)
    if stride is None:
        return None
    if (end - start + 1) / stride >= prm.autocorr_min_strides:
        return 2.0 * scene.fs / stride
    # a short stretch: the median interval between the chosen signal's swing peaks (each
    # placed at sub-frame precision), when the peaks agree with the autocorrelation's period
    x = chosen[0]
    peaks = _swing_peaks(x, round(prm.min_stride_fraction * stride), prm.min_lift_leg
                         * scene.leg_length_px)  # fmt: skip
    times = [_peak_position(x, p) for p in peaks]
    gaps = np.diff(times)
    ok = gaps[np.abs(gaps / stride - 1.0) <= 1.0 - prm.min_stride_fraction]
    if ok.size >= prm.min_steps // 2:
        stride = float(np.median(ok))
    return 2.0 * scene.fs / stride


def _peak_position(x: np.ndarray, i: int) -> float:
    """Sub-frame position of the peak of ``x`` at frame ``i`` (parabola through 3 samples)."""
    if 0 < i < x.size - 1 and np.isfinite(x[i - 1 : i + 2]).all():
        c0, c1, c2 = float(x[i - 1]), float(x[i]), float(x[i + 1])
        curv = c0 - 2 * c1 + c2
        if curv < 0:
            return i + 0.5 * (c0 - c2) / curv
    return float(i)


def _swing_peaks(h: np.ndarray, min_dist: int, min_height: float) -> list[int]:
    """Local maxima of ``h`` at least ``min_height`` high, greedily by height, no two closer
    than ``min_dist`` frames."""
    hz = np.nan_to_num(h, nan=-np.inf)
    cand = np.flatnonzero((hz[1:-1] > hz[:-2]) & (hz[1:-1] >= hz[2:]) & (hz[1:-1] >= min_height))
    cand = cand + 1
    taken: list[int] = []
    for i in cand[np.argsort(-hz[cand])]:
        if all(abs(int(i) - j) >= min_dist for j in taken):
            taken.append(int(i))
    return sorted(taken)


def _foot_events(scene: Scene, prm: InPlaceParams) -> list[ContactEvent]:
    """Toe-offs and touchdowns of each foot from its vertical motion.

    Per foot: its height ``h`` above its own ground level (feet at different depths stand
    on different image lines; the level is the ``ground_percentile`` image y over the clip),
    low-passed. The stride period comes from the autocorrelation of ``h_left - h_right``
    (:func:`_stride_frames`); each swing is a peak of ``h`` at least ``min_lift_leg`` high,
    no two of one foot closer than ``min_stride_fraction`` of a stride (landmark noise makes
    extra small bumps, the step's swing is the highest one in its stride). Toe-off: where the
    rise into the peak starts (``h' > thr``, ``thr`` = ``still_fraction`` x the foot's
    90th-percentile ``|h'|``); touchdown: where the fall after it ends (the descent arrested
    by the ground). Both at sub-frame precision (linear interpolation of the crossing).
    """
    fs, leg, t, n = scene.fs, scene.leg_length_px, scene.times_s, scene.n_frames
    h = _foot_heights(scene, prm)
    if h is None:
        return []
    stride = _stride_frames(h, fs, prm)
    if stride is None:
        return []
    min_lift = prm.min_lift_leg * leg
    events: list[ContactEvent] = []
    for s, foot in enumerate(_FEET):
        v = derivative(h[:, s], t)
        fin = np.isfinite(v)
        thr = prm.still_fraction * float(np.nanpercentile(np.abs(v[fin]), 90))
        vz = np.nan_to_num(v, nan=0.0)
        peaks = _swing_peaks(h[:, s], round(prm.min_stride_fraction * stride), min_lift)
        if peaks:  # a bump while standing rises far less above its surroundings than a step
            prom = peak_prominences(np.nan_to_num(h[:, s], nan=0.0), peaks)[0]
            typical = float(np.median(prom))
            peaks = [p for p, q in zip(peaks, prom, strict=True)
                     if q >= prm.min_lift_share * typical]  # fmt: skip
        bounds = [0, *peaks, n - 1]
        for k, p in enumerate(peaks):
            before, after = bounds[k], bounds[k + 2]
            # toe-off: last frame before the peak still below the rise threshold, +1
            rise = np.flatnonzero(vz[before:p] <= thr)
            if rise.size and rise[-1] + before + 1 < p:
                i = before + int(rise[-1]) + 1
                events.append(ContactEvent(foot, "toe_off", _crossing(t, v - thr, i), i))
            # touchdown: after the descent (v < -thr), the first frame back above -thr
            down = np.flatnonzero(vz[p:after] < -thr)
            if not down.size:
                continue
            j = p + int(down[0])
            back = np.flatnonzero(vz[j:after] >= -thr)
            if back.size and float(np.nanmin(h[p:after, s])) <= h[p, s] - 0.5 * min_lift:
                i = j + int(back[0])
                events.append(ContactEvent(foot, "touchdown", _crossing(t, -v - thr, i), i))
    return sorted(events, key=lambda e: (e.frame, e.foot, e.kind))


def _stepping_spans(
    scene: Scene, tds: list[ContactEvent], prm: InPlaceParams
) -> list[tuple[int, int]]:
    """Inclusive frame spans of stepping without travel: per foot, runs of touchdowns one
    stride apart (``2 min_step_s``-``2 max_step_s``) holding at least ``min_steps`` steps
    (``min_steps / 2 + 1`` touchdowns of that foot), where the hips move slower than
    ``max_travel_leg_per_s`` on average; the feet's spans are joined."""
    mask = np.zeros(scene.n_frames, dtype=bool)
    need = prm.min_steps // 2 + 1
    for foot in _FEET:
        mine = [e for e in tds if e.foot == foot]
        run: list[ContactEvent] = mine[:1]
        for a, b in itertools.pairwise(mine):
            if 2 * prm.min_step_s <= b.time_s - a.time_s <= 2 * prm.max_step_s:
                run.append(b)
                continue
            _mark(scene, run, need, prm, mask)
            run = [b]
        _mark(scene, run, need, prm, mask)
    return [(a, b - 1) for a, b in runs(mask)]


def _mark(
    scene: Scene, run: list[ContactEvent], need: int, prm: InPlaceParams, mask: np.ndarray
) -> None:
    if len(run) < need:
        return
    a, b = run[0].frame, run[-1].frame
    speed = np.abs(np.nan_to_num(scene.speed_leg_per_s[a : b + 1]))
    if speed.size and float(np.mean(speed)) <= prm.max_travel_leg_per_s:
        mask[a : b + 1] = True


def stepping_contacts(
    scene: Scene, prm: InPlaceParams | None = None
) -> tuple[list[ContactEvent], list[tuple[int, int]]]:
    """Contacts of stepping without travel and the stepping spans (inclusive frame ranges,
    first to last touchdown, see :func:`_stepping_spans`)."""
    prm = prm or InPlaceParams()
    events = _foot_events(scene, prm)
    spans = _stepping_spans(scene, [e for e in events if e.kind == "touchdown"], prm)
    keep = [e for e in events if any(a <= e.frame <= b for a, b in _widen(spans, scene, prm))]
    return keep, spans


def _widen(spans: list[tuple[int, int]], scene: Scene, prm: InPlaceParams) -> list[tuple[int, int]]:
    """Spans widened by one step time each side (the toe-off before the first touchdown and the
    one after the last)."""
    pad = round(prm.max_step_s * scene.fs)
    return [(max(0, a - pad), min(scene.n_frames - 1, b + pad)) for a, b in spans]


def merge_in_place(
    scene: Scene, events: list[ContactEvent], prm: InPlaceParams | None = None
) -> list[ContactEvent]:
    """``events`` with the contacts inside stepping-in-place spans (widened by a step each
    side) replaced by the in-place ones, where the hips never travel (``scene.travel`` 0
    throughout; the travel-based methods find none or stray ones there)."""
    prm = prm or InPlaceParams()
    found, spans = stepping_contacts(scene, prm)
    wide = [(a, b) for a, b in _widen(spans, scene, prm) if not scene.travel[a : b + 1].any()]
    if not wide:
        return events

    def inside(e: ContactEvent) -> bool:
        return any(a <= e.frame <= b for a, b in wide)

    kept = [e for e in events if not inside(e)]
    return sorted(
        [*kept, *(e for e in found if inside(e))], key=lambda e: (e.frame, e.foot, e.kind)
    )


def in_place_phases(
    scene: Scene,
    phases: list[Phase],
    prm: InPlaceParams | None = None,
    *,
    first_rep: int = 0,
) -> list[Phase]:
    """``in_place`` phases: stepping without travel (see :func:`_stepping_spans`) that no
    phase of a rep covers; ``rep`` numbers continue after ``first_rep``.

    The spans come from this module's own touchdowns (the ends of swings lifted from the
    ground), not from the clip's merged contacts: a contact another method put at the start
    of a still stretch (the ready stance) would otherwise open the phase there."""
    prm = prm or InPlaceParams()
    covered = np.zeros(scene.n_frames, dtype=bool)
    for p in phases:
        covered[p.start_frame : p.end_frame + 1] = True
    tds = [e for e in _foot_events(scene, prm) if e.kind == "touchdown" and not covered[e.frame]]
    t = scene.times_s
    return [
        Phase("in_place", float(t[a]), float(t[b]), a, b, first_rep + k)
        for k, (a, b) in enumerate(_stepping_spans(scene, tds, prm))
    ]
