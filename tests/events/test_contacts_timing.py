"""Sub-frame contact timing and the simultaneous-touchdown filter (METRICS §5, §7 M7)."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.events.contacts import drop_simultaneous, relabel_swapped, subframe_time
from analyzer.motion import analyze_motion
from analyzer.results import ContactEvent
from tests.metrics.stickfigure import Gait, camera_for, generate, to_track

FS = 30.0
T = np.arange(12) / FS


def _margins(cross_at: float, *, slope: float = -1.0, column: int = 2) -> np.ndarray:
    """(12, 3) margins met everywhere except ``column``, which crosses zero at ``cross_at``."""
    m = np.full((12, 3), -1.0)
    m[:, column] = slope * (np.arange(12) - cross_at)
    return m


@pytest.mark.parametrize("cross", [4.1, 4.5, 4.9])
def test_touchdown_at_interpolated_horizontal_arrest(cross: float) -> None:
    # the foot's horizontal speed margin falls through zero between frames 4 and 5
    assert subframe_time(T, _margins(cross), 5, kind="touchdown") == pytest.approx(cross / FS)


def test_touchdown_crossing_searched_near_the_frame() -> None:
    # the run edge is at frame 6 but the horizontal arrest was between frames 4 and 5
    t = subframe_time(T, _margins(4.25), 6, kind="touchdown", max_shift=2)
    assert t == pytest.approx(4.25 / FS)
    assert subframe_time(T, _margins(4.25), 9, kind="touchdown", max_shift=2) == T[9]


def test_toe_off_at_first_failing_condition() -> None:
    # height margin rises through zero at 6.3: the foot leaves the ground between 6 and 7
    m = _margins(6.3, slope=1.0, column=0)
    assert subframe_time(T, m, 7, kind="toe_off") == pytest.approx(6.3 / FS)


def test_undefined_margin_keeps_the_frame_time() -> None:
    m = _margins(4.5)
    m[4, 0] = np.inf
    m[:, 2] = -1.0  # no horizontal crossing: fall back on the run edge, which is undefined
    assert subframe_time(T, m, 5, kind="touchdown") == T[5]


def _td(foot: str, frame: int) -> ContactEvent:
    return ContactEvent(foot, "touchdown", frame / FS, frame)  # type: ignore[arg-type]


def test_drop_simultaneous_keeps_alternation() -> None:
    ev = [_td("left", 0), _td("right", 8), _td("left", 8), _td("left", 16), _td("right", 24)]
    kept = [(e.foot, e.frame) for e in drop_simultaneous(ev, 4)]
    assert kept == [("left", 0), ("right", 8), ("left", 16), ("right", 24)]
    # the pair's first is the intruder when the one before it is the same foot
    ev = [_td("left", 0), _td("left", 8), _td("right", 9), _td("left", 16)]
    kept = [(e.foot, e.frame) for e in drop_simultaneous(ev, 4)]
    assert kept == [("left", 0), ("right", 9), ("left", 16)]


def test_touchdowns_are_sub_frame_at_30_fps() -> None:
    """3.8 steps/s at 30 fps is 7.9 frames per step: whole-frame touchdowns would scatter by
    ~10 ms (1/sqrt(12) frame) and give a ~5 % step-time CV on a perfectly even gait."""
    t, w, truth = generate(Gait(fps=FS, cadence_steps_per_s=3.8, duration_s=5.0))
    ma = analyze_motion(to_track(t, w, camera_for(w, "left")), clean=False)
    err = []
    for foot in ("left", "right"):
        det = np.array([e.time_s for e in ma.events if e.kind == "touchdown" and e.foot == foot])
        for td in truth.touchdowns[foot]:
            d = det - td
            if np.min(np.abs(d)) < 0.06:
                err.append(d[np.argmin(np.abs(d))])
    assert len(err) >= 14
    assert np.std(err) < 0.006  # well under a frame's rounding SD (9.6 ms)
    assert abs(np.mean(err)) < 1.0 / FS


def test_relabel_swapped_middle_touchdown() -> None:
    # steps every 8 frames; the left landing at 24 carries the right foot's label
    feet = ["left", "right", "left", "right", "right", "right", "left", "right"]
    ev = [_td(f, 8 * i) for i, f in enumerate(feet)]
    out = relabel_swapped(ev)
    assert [e.foot for e in out] == ["left", "right", "left", "right", "left", "right", "left",
                                     "right"]  # fmt: skip
    # missed right landings (40, 56): three lefts over two strides are left alone
    frames = {"left": [0, 16, 32, 48, 64], "right": [8, 24]}
    ev = sorted((_td(f, x) for f, xs in frames.items() for x in xs), key=lambda e: e.frame)
    assert [e.foot for e in relabel_swapped(ev)] == [e.foot for e in ev]
