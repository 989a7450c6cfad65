"""Steps back that end in sitting down are not a backpedal (issue 12)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.phases import RepTiming
from analyzer.events.sitdown import drop_sit_downs
from analyzer.results import Phase

FS = 30.0


@dataclass
class _Scene:
    """The parts of a Scene the sit-down test reads: hips above a flat ground at y=500."""

    p: np.ndarray
    fs: float = FS

    @property
    def n_frames(self) -> int:
        return int(self.p.shape[0])

    @property
    def times_s(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.fs

    def ground_y(self, x: np.ndarray) -> np.ndarray:
        return np.full_like(x, 500.0)


def _scene(hip_height_px: np.ndarray) -> _Scene:
    p = np.zeros((hip_height_px.size, 33, 2))
    for j in (sk.LEFT_HIP, sk.RIGHT_HIP):
        p[:, j, 1] = 500.0 - hip_height_px
    return _Scene(p)


def _rep(rep: int, start: int, end: int) -> tuple[list[Phase], RepTiming]:
    phase = Phase("backpedal", start / FS, end / FS, start, end, rep=rep)
    timing = RepTiming(rep, None, start, None, None, None, end, "none")
    return [phase], timing


def _run(height: np.ndarray) -> tuple[list[Phase], list[RepTiming], list[float]]:
    phases, timing = _rep(0, 0, 29)
    return drop_sit_downs(_scene(height), phases, [timing])  # type: ignore[arg-type]


def test_steps_back_then_seated_are_dropped() -> None:
    height = np.full(120, 100.0)
    height[45:] = 55.0  # sits 0.5 s after the steps and stays
    phases, timings, sat = _run(height)
    assert not phases and not timings and sat == [1.5]


def test_a_dip_of_the_hips_or_a_low_backpedal_is_kept() -> None:
    dip = np.full(120, 100.0)
    dip[40:50] = 55.0  # a plant or a turn: 0.33 s
    assert _run(dip)[2] == []
    low = np.full(120, 70.0)  # low all along (sitting_too_low): compared with itself
    assert _run(low)[2] == []


def test_later_reps_are_numbered_again() -> None:
    height = np.full(240, 100.0)
    height[45:90] = 55.0
    first, t0 = _rep(0, 0, 29)
    second, t1 = _rep(1, 120, 180)
    phases, timings, _ = drop_sit_downs(_scene(height), first + second, [t0, t1])  # type: ignore[arg-type]
    assert [p.rep for p in phases] == [0] and [t.rep for t in timings] == [0]
    assert phases[0].start_frame == 120
