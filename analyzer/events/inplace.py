"""Foot contacts and phases of stepping without travel: in place, on a treadmill, on a sled.

The backward-adapted Zeni method of :mod:`analyzer.events.contacts` reads contacts from the
foot's excursion *along the travel direction* (METRICS §5 step 1); when the hips do not
travel (wall taps, a treadmill, a sled held back) it has no direction and finds nothing.
Here the foot is followed relative to its own ground level: each foot's lowest point (heel
or toe) is at its lower envelope and vertically still during a stance, and lifted in
swing. This is the foot-height variant of METRICS §5 step 3 without the horizontal-speed
condition (a treadmill belt carries the planted foot backwards) and with thresholds scaled to
the foot's own lift in the clip (wall taps lift the foot only a few centimetres).
Gait events from the vertical foot trajectory: Zeni et al. 2008 [S:8] (positions relative to
the body) and O'Connor et al. 2007 (foot vertical velocity, treadmill and overground).

Stepping is accepted only as a run of alternating touchdowns (left, right, left, ...) at
plausible step times while the hips stay put; only there do these contacts replace the
ones of the travel-based methods, so a backpedal's contacts are untouched.

API
---
``InPlaceParams``                                   thresholds (sourced defaults).
``stepping_contacts(scene, prm)``                   (events, stepping spans) of the clip.
``merge_in_place(scene, events, prm)``              events with the in-place ones merged in.
``in_place_phases(scene, events, phases, prm)``     ``in_place`` phases where no rep is.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from analyzer.events.ground import lowest_foot_y
from analyzer.events.scene import Scene
from analyzer.numeric import cap_cutoff, derivative, lowpass, runs
from analyzer.results import ContactEvent, Foot, Phase

_FEET: tuple[Foot, Foot] = ("left", "right")


@dataclass(frozen=True)
class InPlaceParams:
    """Parameters of stepping without travel ([EJ] defaults unless a source is given).

    Attributes
    ----------
    foot_cutoff_hz
        Low-pass of the foot height (METRICS §3.3: 10 Hz for feet, capped at 6 Hz below
        50 fps).
    envelope_s
        Window of the foot's lower envelope (its ground level): longer than a stride at the
        slowest stepping accepted (2 / ``max_step_s``... a stride of 1.2 s at 1.7 steps/s).
    min_lift_leg
        A foot must lift at least this many leg lengths in swing (90th percentile of its
        height over the envelope): 0.03 L ~ 3 cm, below the 5 cm clearance of a skimming
        backpedal step (METRICS M9b; "feet close to the grass" [C:31]) and above the
        scatter of the low-passed heel/toe landmarks (~0.05 torso lengths raw, SYNTHETIC.md).
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
    min_snr
        A foot's lift must be this many times its frame-to-frame landmark scatter.
    max_travel_leg_per_s
        Stepping counts as "in place" when the hips move slower than this on average over
        the stretch (0.3 L/s: the movement-onset speed of METRICS §6).
    """

    foot_cutoff_hz: float = 6.0
    envelope_s: float = 1.2
    min_lift_leg: float = 0.03
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
    min_snr: float = 3.0


def _crossing(times_s: np.ndarray, q: np.ndarray, i: int) -> float:
    """Time (linear interpolation) where ``q`` crosses zero between frames ``i - 1`` and
    ``i``; ``times_s[i]`` when that is not a finite crossing."""
    if i < 1 or i >= q.size or not (np.isfinite(q[i - 1]) and np.isfinite(q[i])):
        return float(times_s[min(i, q.size - 1)])
    a, b = float(q[i - 1]), float(q[i])
    frac = a / (a - b) if a != b else 1.0
    t0, t1 = float(times_s[i - 1]), float(times_s[i])
    return t0 + float(np.clip(frac, 0.0, 1.0)) * (t1 - t0)


def _foot_events(scene: Scene, prm: InPlaceParams) -> list[ContactEvent]:
    """Toe-offs and touchdowns of each foot from its vertical velocity.

    Per foot: its height ``h`` above its own ground level (feet at different depths stand
    on different image lines; the level is the ``ground_percentile`` image y over the clip),
    low-passed. A swing is a rising burst (``h' > thr``) followed by a falling one
    (``h' < -thr``), ``thr`` = ``still_fraction`` x the foot's 90th-percentile ``|h'|``,
    lifting the foot by at least ``min_lift_leg``. Toe-off: where the rise starts;
    touchdown: where the fall ends (the descent is arrested by the ground), both at sub-frame
    precision (linear interpolation of the threshold crossing). A foot whose lift is not
    ``min_snr`` times its frame-to-frame scatter (the far foot of a side view, SYNTHETIC.md:
    0.05-0.15 torso lengths) gives no events: its timing would be noise.
    """
    fs, leg, t = scene.fs, scene.leg_length_px, scene.times_s
    cut = cap_cutoff(prm.foot_cutoff_hz, fs)
    min_lift = prm.min_lift_leg * leg
    max_swing = round(2.0 * prm.max_step_s * fs)
    events: list[ContactEvent] = []
    for s, foot in enumerate(_FEET):
        y = lowest_foot_y(scene.p, s)
        ok = np.isfinite(y)
        if ok.sum() < max(10, round(prm.envelope_s * fs)):
            continue
        raw = float(np.nanpercentile(y, prm.ground_percentile)) - y
        h = lowpass(raw, fs, cut)
        scatter = 1.4826 * float(np.nanmedian(np.abs(np.diff(raw[ok] - h[ok])))) / np.sqrt(2.0)
        lift = float(np.nanpercentile(h, 90))
        if lift < min_lift or lift < prm.min_snr * scatter:
            continue
        v = derivative(h, t)
        thr = prm.still_fraction * float(np.nanpercentile(np.abs(v[np.isfinite(v)]), 90))
        vz = np.nan_to_num(v, nan=0.0)
        bursts = sorted([(a, b, "up") for a, b in runs(vz > thr)]
                        + [(a, b, "down") for a, b in runs(vz < -thr)])  # fmt: skip
        for (a1, _, k1), (_, b2, k2) in itertools.pairwise(bursts):
            if (k1, k2) != ("up", "down") or b2 - a1 > max_swing:
                continue
            top = float(np.nanmax(h[a1:b2]))
            if not (top - h[a1] >= min_lift and top - h[min(b2, h.size - 1)] >= 0.5 * min_lift):
                continue
            if a1 > 0:
                events.append(ContactEvent(foot, "toe_off", _crossing(t, v - thr, a1), int(a1)))
            if b2 < scene.n_frames:
                events.append(ContactEvent(foot, "touchdown", _crossing(t, -v - thr, b2), int(b2)))
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
    """``events`` with the contacts inside stepping-in-place spans replaced by the in-place
    ones (the travel-based methods find none or stray ones there)."""
    prm = prm or InPlaceParams()
    found, spans = stepping_contacts(scene, prm)
    if not spans:
        return events
    wide = _widen(spans, scene, prm)
    kept = [e for e in events if not any(a <= e.frame <= b for a, b in wide)]
    return sorted([*kept, *found], key=lambda e: (e.frame, e.foot, e.kind))


def in_place_phases(
    scene: Scene,
    events: list[ContactEvent],
    phases: list[Phase],
    prm: InPlaceParams | None = None,
    *,
    first_rep: int = 0,
) -> list[Phase]:
    """``in_place`` phases: stepping without travel (see :func:`_stepping_spans`) that no
    phase of a rep covers; ``rep`` numbers continue after ``first_rep``."""
    prm = prm or InPlaceParams()
    covered = np.zeros(scene.n_frames, dtype=bool)
    for p in phases:
        covered[p.start_frame : p.end_frame + 1] = True
    tds = [e for e in events if e.kind == "touchdown" and not covered[e.frame]]
    t = scene.times_s
    return [
        Phase("in_place", float(t[a]), float(t[b]), a, b, first_rep + k)
        for k, (a, b) in enumerate(_stepping_spans(scene, tds, prm))
    ]
