"""Validation against projected motion capture: the issue-3 targets.

Every backward trial of ``../shared/data/mocap`` (10 Bandai Namco backward walks, CMU 06_06,
20 s of the 100STYLE backward run) and 6 forward trials, filmed by a static side camera from
the athlete's left and right, 30 fps, with MediaPipe-like noise (``backpedal_dev.synth.noise``,
realistic preset, seeds 0 and 1), cleaned and analysed by ``analyze_motion``; values compared
with the 3D truth (``backpedal_dev.synth.truth``) over the detected backpedal. Each test asserts
one issue target, so drifting past it fails. Figures: ``python -m tests.metrics.mocap_eval``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("backpedal_dev.synth.landmarks")

from analyzer.motion import analyze_motion
from backpedal_dev.synth import truth as tr
from tests.metrics import mocap_eval as ev

pytestmark = pytest.mark.shared_data

SEEDS = (0, 1)


@pytest.fixture(scope="module")
def summary(shared_data: Path) -> dict[str, float]:
    return ev.summarise(ev.run_all(shared_data / "mocap", seeds=SEEDS))


def test_direction_right_on_every_trial(summary: dict[str, float]) -> None:
    assert summary["direction_correct"] == 1.0


def test_contacts_found_95_pct(summary: dict[str, float]) -> None:
    assert summary["n_true_contacts"] > 1000
    assert summary["contacts_found"] >= 0.95


def test_contact_timing_median_within_one_frame(summary: dict[str, float]) -> None:
    assert summary["contact_median_abs_error_frames"] <= 1.0


def test_cadence_within_3_pct(summary: dict[str, float]) -> None:
    assert summary["cadence_steps_per_s_n_trials"] >= 40
    assert summary["cadence_steps_per_s_mean_rel_error_pct"] <= 3.0


def test_step_length_within_005_leg_lengths(summary: dict[str, float]) -> None:
    assert summary["step_length_leg_lengths_mean_abs_error"] <= 0.05


def test_trunk_lean_within_3_deg(summary: dict[str, float]) -> None:
    assert summary["trunk_lean_deg_mean_abs_error"] <= 3.0


def test_hip_height_ratio_within_003(summary: dict[str, float]) -> None:
    assert summary["hip_height_ratio_mean_abs_error"] <= 0.03


def test_knee_flexion_within_5_deg(summary: dict[str, float]) -> None:
    assert summary["knee_flexion_deg_mean_abs_error"] <= 5.0


def _turn_onset_error_s(shared_data: Path, view: str, seed: int) -> float:
    """|detected - true| hip-turn onset of the 09_12 backward-to-forward switch (s)."""
    track, lm, t, h = ev.project(shared_data / "mocap", "cmu/09_12.bvh", view, seed=seed)
    ma = analyze_motion(track, athlete_height_m=h)
    truth = tr.turn_onset_s(lm, t)
    switch = [s for s in tr.direction_switches(lm, t) if s["from"] == "backward"]
    assert truth and switch, "the truth must contain the 09_12 hip turn"
    trans = [p for p in ma.phases if p.kind == "transition"]
    # the velocity-along-facing zero crossing falls within the turn, around T0
    found = [p for p in trans if p.start_s - 0.5 <= switch[0]["time_s"] <= p.end_s]
    assert found, "the backward-to-forward switch must be found as a transition"
    assert found[0].transition_kind == "turn_and_run"
    onset = ma.rep_metrics[found[0].rep]["turn_onset_s"].value
    assert onset is not None
    return abs(onset - truth[0]["onset_s"])


def test_09_12_direction_switch_and_turn_onset(shared_data: Path) -> None:
    """Found on both sides with 4 noise seeds; onset error <= 0.1 s on every run (issue 3
    target), median <= 0.05 s.

    Achieved: 0-0.067 s, median 0.033 s (8 runs; before the hip-offset correction of
    ``events.turn.pelvis_yaw_deg``: 0.03-0.17 s, all late, median 0.08 s). Over seeds 0-11
    (24 runs) the errors are -0.1 to +0.1 s; the world-landmark yaw noise of the realistic
    error model sets the spread.
    """
    errs = [
        _turn_onset_error_s(shared_data, view, seed)
        for view in ("side_left", "side_right")
        for seed in (0, 1, 2, 3)
    ]
    assert float(np.median(errs)) <= 0.05 + 1e-6, f"turn onset errors {errs} s"
    assert max(errs) <= 0.1 + 1e-6, f"turn onset errors {errs} s"
