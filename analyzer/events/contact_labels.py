"""Repairs of the contact list: duplicates, feet landing together, swapped foot labels.

MediaPipe's far foot in a side view collapses onto the near one or swaps labels with it
(SYNTHETIC.md); these rules undo what that does to the touchdowns found by
:mod:`analyzer.events.contacts` (METRICS §5 step 1: a foot cannot land twice within the
minimum peak separation, nor three times within a stride).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from analyzer.results import ContactEvent, Foot

FEET: tuple[Foot, Foot] = ("left", "right")
#: A left/right swap of the feet: three same-foot touchdowns within 1.3 median strides, the
#: middle one in the middle third of the span (within 1/6 of its centre), SYNTHETIC.md.
SWAP_MAX_SPAN_STRIDES = 1.3
SWAP_TOUCHDOWNS = 3
SWAP_MIDDLE_HALF_WIDTH = 1 / 6


def dedupe_events(events: list[ContactEvent], min_frames: int) -> list[ContactEvent]:
    """Drop same-foot, same-kind events closer than ``min_frames`` (keep the first)."""
    out: list[ContactEvent] = []
    last: dict[tuple[str, str], int] = {}
    for e in events:
        k = (e.foot, e.kind)
        if k in last and e.frame - last[k] < min_frames:
            continue
        last[k] = e.frame
        out.append(e)
    return out


def drop_simultaneous(events: list[ContactEvent], min_frames: int) -> list[ContactEvent]:
    """Drop a touchdown of one foot closer than ``min_frames`` to the other foot's touchdown.

    Two feet do not land within one minimum step time (§5 step 1: 0.15 s) of each other
    while stepping; such a pair comes from the far foot's landmarks collapsing onto the near
    foot (a side view's usual pose error). The touchdown kept is the one that keeps the
    left/right alternation with the touchdown before the pair; without one, the first.
    """
    kept: list[ContactEvent] = []
    drop: set[int] = set()
    for e in events:
        if e.kind != "touchdown":
            continue
        if kept and e.foot != kept[-1].foot and e.frame - kept[-1].frame < min_frames:
            if len(kept) >= 2 and kept[-2].foot == kept[-1].foot:
                drop.add(id(kept.pop()))
                kept.append(e)
            else:
                drop.add(id(e))
            continue
        kept.append(e)
    return [e for e in events if id(e) not in drop]


def relabel_swapped(
    events: list[ContactEvent], *, max_span_strides: float = SWAP_MAX_SPAN_STRIDES
) -> list[ContactEvent]:
    """Give the other foot to a touchdown that splits a same-foot pair within one stride.

    One foot cannot land three times within a stride: when three consecutive touchdowns
    carry the same foot label, span at most ``max_span_strides`` x the clip's median stride
    (same-foot touchdown interval) and the middle one lies in the middle third of that span,
    the middle one is the other foot with its landmarks swapped (MediaPipe's left/right
    swap of the feet in a side view, SYNTHETIC.md). Its toe-off is not changed.
    """
    tds = [e for e in events if e.kind == "touchdown"]
    strides = [
        b.time_s - a.time_s
        for foot in FEET
        for a, b in itertools.pairwise([e for e in tds if e.foot == foot])
    ]
    if len(tds) < SWAP_TOUCHDOWNS or not strides:
        return events
    stride = float(np.median(strides))
    fix: set[int] = set()
    for a, b, c in zip(tds, tds[1:], tds[2:], strict=False):
        if not (a.foot == b.foot == c.foot) or id(a) in fix:
            continue
        span = c.time_s - a.time_s
        if (
            0 < span <= max_span_strides * stride
            and abs((b.time_s - a.time_s) / span - 0.5) < SWAP_MIDDLE_HALF_WIDTH
        ):
            fix.add(id(b))
    other: dict[str, Foot] = {"left": "right", "right": "left"}
    return [
        replace(e, foot=other[e.foot], label_repaired=True) if id(e) in fix else e for e in events
    ]
