"""The default pose pass on real footage with two people: the Sports2D demo played in reverse.

A woman walks across the ground (backpedal geometry when reversed) while a man jumps on a
box; the one-pose follow locks on to whoever MediaPipe's tracker picks, the scan sees both.
The pipeline must end with the walker by default and with the jumper when pointed at, the
second time from the pose cache. The clip is reversed and halved in size with ffmpeg.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from analyzer.processing.following import median_gap_sizes
from analyzer.skeleton import LEFT_HIP, RIGHT_HIP

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

WALKER_FRAMES = (59, 201)  # where she is seen, as in tests/processing/test_sports2d.py


@pytest.fixture(scope="module")
def reversed_demo(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = shared_data / "videos" / "sports2d" / "demo.mp4"
    if not source.is_file() or shutil.which("ffmpeg") is None:
        pytest.skip("the Sports2D demo or ffmpeg is missing")
    pytest.importorskip("mediapipe")
    out = tmp_path_factory.mktemp("sports2d") / "demo_reversed.mp4"
    cmd = ["ffmpeg", "-v", "error", "-i", str(source), "-vf", "scale=884:498,reverse",
           "-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return out


def _hips(xy: np.ndarray) -> np.ndarray:
    return np.nanmean(xy[:, [LEFT_HIP, RIGHT_HIP]].astype(float), axis=1)


def test_reversed_demo_gives_the_walker_then_the_jumper_when_pointed_at(
    reversed_demo: Path, tmp_path: Path
) -> None:
    from analyzer.pipeline import AnalysisSettings, estimate_track

    track, facts = estimate_track(reversed_demo, AnalysisSettings(), cache_dir=tmp_path)
    how = facts.pose_pass
    assert how["method"] in ("follow", "dense after follow") and how["n_scans"] >= 16
    n = track.n_frames
    frames = np.flatnonzero(track.detected())
    assert frames.size >= 0.85 * (WALKER_FRAMES[1] - WALKER_FRAMES[0] + 1)
    assert frames.size < 0.75 * n  # she is in the picture for ~60 % of the clip, he all along
    dense, _ = estimate_track(reversed_demo, AnalysisSettings(dense=True), cache_dir=tmp_path)
    both = track.detected() & dense.detected()
    assert both.sum() >= 0.95 * max(frames.size, dense.detected().sum())  # as the dense pass
    assert median_gap_sizes(track, dense) < 0.05
    hips = _hips(track.image_xy[frames])
    height = track.image_size[1]
    assert np.nanmedian(hips[:, 1]) > 0.6 * height  # on the ground, not on top of the box
    assert hips[-5:, 0].mean() - hips[:5, 0].mean() > 400  # crosses most of the frame

    # the jumper on his box at the end of the reversed clip (hips at ~37 % of the width,
    # ~29 % of the height), pointed at: chosen from the cached pass
    end = float(track.times_s[-1])
    pointed = AnalysisSettings(
        select_point_xy=(0.37 * track.image_size[0], 0.29 * height), select_time_s=end - 0.1
    )
    jumper, again = estimate_track(reversed_demo, pointed, cache_dir=tmp_path)
    assert again.cache_hit or again.pose_pass["method"] == "dense after follow"
    seen = jumper.detected()
    assert seen[jumper.times_s > end - 0.5].all()
    up = _hips(jumper.image_xy[seen])
    assert np.nanmedian(up[:, 1]) < 0.5 * height  # on the box, not on the ground
