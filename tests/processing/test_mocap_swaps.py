"""Swap repair and cleaning on projected real motion capture with MediaPipe-like errors.

Backward walking/running from ``../shared/data/mocap`` is filmed by a virtual side camera from
the athlete's left and right (30 fps) and given the synthetic team's realistic error model
(``backpedal_dev.synth.noise``: offsets, scatter, far-side dropouts, ~5 % leg swaps in runs of 1-4
frames, 0.5 % whole-skeleton flips, missed frames). The injected swaps and flips are the known
answer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("backpedal_dev.synth.noise")

from analyzer.processing import clean_track
from analyzer.processing.cleaning import reference_length_px
from analyzer.processing.swaps import repair_left_right
from analyzer.skeleton import BODY_LANDMARKS, LEFT_LEG, RIGHT_LEG
from backpedal_dev.synth.clips import camera_for_view, resample_motion
from backpedal_dev.synth.landmarks import load_mocap_motion
from backpedal_dev.synth.noise import NoiseSpec, add_mediapipe_noise
from backpedal_dev.synth.projection import project_to_track

pytestmark = pytest.mark.shared_data

TRIALS = (
    "cmu/06_06.bvh",
    "cmu/09_12.bvh",  # backward, a ~145 deg hip turn to forward and back: no false flips
    *(
        f"bandai_namco_ds1/dataset-1_walk-back_{style}_001.bvh"
        for style in ("active", "angry", "childish", "chimpira", "feminine", "happy",
                      "masculinity", "musical", "normal", "not-confident")
    ),
)  # fmt: skip
LEGS = [*LEFT_LEG, *RIGHT_LEG]


def _tracks(path: Path, view: str, seed: int):
    t, lm = resample_motion(load_mocap_motion(path), 30.0)
    truth = project_to_track(lm, t, camera_for_view(view, lm))
    noisy = add_mediapipe_noise(truth, rng=np.random.default_rng(seed), spec=NoiseSpec.realistic())
    return truth, noisy


@pytest.fixture(scope="module")
def cases(shared_data: Path) -> list[tuple[str, object, object]]:
    root = shared_data / "mocap"
    if not (root / TRIALS[0]).is_file():
        pytest.skip(f"{root / TRIALS[0]} is missing")
    return [
        (f"{rel}:{view}", *_tracks(root / rel, view, seed))
        for seed, rel in enumerate(TRIALS)
        for view in ("side_left", "side_right")
    ]


def test_injected_swaps_and_flips_are_undone(cases) -> None:
    n = injected = restored = flips = flips_found = false_swaps = bad_raw = bad_after = 0
    for _, truth, noisy in cases:
        xy = noisy.image_xy.astype(float)
        L = reference_length_px(xy)
        rep = repair_left_right(xy, noisy.times_s, scale_px=L)
        swapped = np.zeros(noisy.n_frames, dtype=bool)
        swapped[noisy.meta["noise"]["leg_swapped_frames"]] = True
        flipped = np.zeros(noisy.n_frames, dtype=bool)
        flipped[noisy.meta["noise"]["flipped_frames"]] = True
        seen = np.isfinite(xy[:, 27, 0])
        true_xy = truth.image_xy.astype(float)
        apart = np.linalg.norm(true_xy[:, 27] - true_xy[:, 28], axis=-1) > 0.15 * L
        leg_relabelled = rep.legs_swapped ^ rep.skeleton_flipped
        n += int(seen.sum())
        injected += int((swapped & seen).sum())
        restored += int((swapped & leg_relabelled & seen).sum())
        flips += int(flipped.sum())
        flips_found += int((flipped & rep.skeleton_flipped).sum())
        false_swaps += int((leg_relabelled & ~(swapped ^ flipped) & apart & seen).sum())
        before = np.linalg.norm(xy[:, LEGS] - true_xy[:, LEGS], axis=-1).max(axis=1) / L
        after = np.linalg.norm(rep.image_xy[:, LEGS] - true_xy[:, LEGS], axis=-1).max(axis=1) / L
        bad_raw += int((before[seen] > 0.3).sum())
        bad_after += int((after[seen] > 0.3).sum())
    assert injected > 0.04 * n and flips > 0
    assert restored >= 0.98 * injected
    assert flips_found >= 0.95 * flips
    assert false_swaps <= 0.005 * n
    assert bad_after <= 0.02 * bad_raw  # frames with a leg point > 0.3 L off


def test_clean_track_brings_landmarks_closer_to_the_truth(cases) -> None:
    _, truth, noisy = cases[0]
    out = clean_track(noisy)
    body = list(BODY_LANDMARKS)
    L = reference_length_px(truth.image_xy.astype(float))

    def err(xy: np.ndarray) -> np.ndarray:
        e = np.linalg.norm(xy[:, body] - truth.image_xy[:, body], axis=-1) / L
        return e[np.isfinite(e)]

    raw, cleaned = err(noisy.image_xy.astype(float)), err(out.image_xy.astype(float))
    assert np.percentile(cleaned, 99) < 0.5 * np.percentile(raw, 99)
    assert cleaned.mean() < raw.mean()
    assert out.meta["cleaning"]["leg_swaps_fixed"] == pytest.approx(
        len(noisy.meta["noise"]["leg_swapped_frames"]), abs=3
    )
