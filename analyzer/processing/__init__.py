"""Athlete selection and cleaning: pure numpy, arrays and PoseTracks in and out.

* :func:`select_athlete` — choose the athlete in a :class:`~analyzer.pose.multi.MultiPoseTrack`
  (link slots into tracklets, merge, pick the person travelling furthest, or the one at a point).
* :func:`clean_track` — left/right swap repair, quality mask, spikes, gap filling and a
  zero-lag low-pass whose cut-off is in Hz of real time (METRICS.md §3.3).
"""

from analyzer.processing.cleaning import clean_track
from analyzer.processing.filtering import group_cutoffs_hz, lowpass_filter
from analyzer.processing.gaps import fill_gaps
from analyzer.processing.selection import select_athlete
from analyzer.processing.swaps import repair_left_right

__all__ = [
    "clean_track",
    "fill_gaps",
    "group_cutoffs_hz",
    "lowpass_filter",
    "repair_left_right",
    "select_athlete",
]
