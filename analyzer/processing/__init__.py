"""Athlete selection and cleaning: pure numpy, arrays and PoseTracks in and out.

* :func:`select_athlete` — choose the athlete in a :class:`~analyzer.pose.multi.MultiPoseTrack`
  (link slots into tracklets, merge, pick the person travelling furthest, or the one at a point).
* :func:`clean_track` — left/right swap repair, quality mask, spikes, gap filling and a
  zero-lag low-pass whose cut-off is in Hz of real time (METRICS.md §3.3).

The names are imported on first use (PEP 562), so ``backpedal pose``, which only selects,
does not pay for loading the filters (scipy.signal, ~0.3 s of CPU).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analyzer.processing.cleaning import clean_track
    from analyzer.processing.filtering import group_cutoffs_hz, lowpass_filter
    from analyzer.processing.gaps import fill_gaps
    from analyzer.processing.selection import select_athlete
    from analyzer.processing.swaps import repair_left_right

_WHERE = {
    "clean_track": "cleaning",
    "fill_gaps": "gaps",
    "group_cutoffs_hz": "filtering",
    "lowpass_filter": "filtering",
    "repair_left_right": "swaps",
    "select_athlete": "selection",
}

__all__ = [
    "clean_track",
    "fill_gaps",
    "group_cutoffs_hz",
    "lowpass_filter",
    "repair_left_right",
    "select_athlete",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
