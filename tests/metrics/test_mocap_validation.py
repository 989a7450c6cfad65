"""Validation against projected motion capture (issue 3 targets), side view both sides, with
MediaPipe-like noise (``analyzer.synth.noise``) and the real cleaning pipeline.

Targets that are met are asserted at the target. Targets not met yet are asserted at the
level achieved now (so drift fails) and the issue target is kept as a strict xfail (so the
day it is met the test says so). Figures: ``python -m tests.metrics.mocap_eval``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("analyzer.synth.landmarks")

from analyzer.motion import analyze_motion
from analyzer.synth import truth as tr
from tests.metrics import mocap_eval as ev

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def summary(shared_data: Path) -> dict[str, float]:
    return ev.summarise(ev.run_all(shared_data / "mocap"))


def test_direction_right_on_every_trial(summary: dict[str, float]) -> None:
    assert summary["direction_correct"] == 1.0


def test_contact_timing_median_within_one_frame(summary: dict[str, float]) -> None:
    assert summary["contact_median_abs_error_frames"] <= 1.0


def test_contacts_found_guard(summary: dict[str, float]) -> None:
    assert summary["contacts_found"] >= 0.85


@pytest.mark.xfail(strict=True, reason="issue target 95 %: 86 % found (100STYLE run, phase splits)")
def test_contacts_found_target(summary: dict[str, float]) -> None:
    assert summary["contacts_found"] >= 0.95


def test_step_length_within_005_leg_lengths(summary: dict[str, float]) -> None:
    assert summary["step_length_leg_lengths_mean_abs_error"] <= 0.05


def test_trunk_lean_within_3_deg(summary: dict[str, float]) -> None:
    assert summary["trunk_lean_deg_mean_abs_error"] <= 3.0


def test_hip_height_ratio_within_003(summary: dict[str, float]) -> None:
    assert summary["hip_height_ratio_mean_abs_error"] <= 0.03


def test_knee_flexion_guard(summary: dict[str, float]) -> None:
    assert summary["knee_flexion_deg_mean_abs_error"] <= 6.0


@pytest.mark.xfail(strict=True, reason="issue target 5 deg: 5.4 deg mean abs (far-leg swaps)")
def test_knee_flexion_target(summary: dict[str, float]) -> None:
    assert summary["knee_flexion_deg_mean_abs_error"] <= 5.0


def test_cadence_guard(summary: dict[str, float]) -> None:
    assert summary["cadence_steps_per_s_mean_rel_error_pct"] <= 10.0


@pytest.mark.xfail(strict=True, reason="issue target 3 %: missed contacts on 100STYLE/feminine")
def test_cadence_target(summary: dict[str, float]) -> None:
    assert summary["cadence_steps_per_s_mean_rel_error_pct"] <= 3.0


def _turn_error_s(shared_data: Path, view: str) -> tuple[float, str]:
    track, lm, t, h = ev.project(shared_data / "mocap", "cmu/09_12.bvh", view)
    ma = analyze_motion(track, athlete_height_m=h)
    onset = ma.metrics["turn_onset_s"].value
    truth = tr.turn_onset_s(lm, t)
    assert truth, "the truth must contain the 09_12 hip turn"
    kinds = {p.transition_kind for p in ma.phases if p.kind == "transition"}
    assert onset is not None, "no hip turn found in cmu/09_12"
    return abs(onset - truth[0]["onset_s"]), ",".join(sorted(k for k in kinds if k))


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_09_12_direction_switch_with_hip_turn_found(shared_data: Path, view: str) -> None:
    err, kinds = _turn_error_s(shared_data, view)
    assert kinds, "the backward-to-forward switch must be a transition"
    assert err <= 0.1 + 1e-6


def test_09_12_turn_onset_within_01_s(shared_data: Path) -> None:
    errs = [_turn_error_s(shared_data, v)[0] for v in ("side_left", "side_right")]
    assert np.max(errs) <= 0.1 + 1e-6  # achieved: 0.10 s (3 frames at 30 fps) on both sides
