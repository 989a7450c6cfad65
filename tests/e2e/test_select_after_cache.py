"""A new --select on a cached clip picks the person asked for (issue: the cache returned the
first run's athlete). Sports2D demo: a walker in front, a man doing jumping jacks behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyzer.cli import main
from analyzer.export import load_result


@pytest.mark.slow
def test_select_rechooses_on_a_cached_clip(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = shared_data / "videos" / "sports2d" / "demo.mp4"
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    # neither person backpedals, so both runs end with the could-not-analyse verdict (exit 1)
    # after writing their folders; what matters here is who was tracked
    assert main(["analyze", str(demo), "--out", str(tmp_path / "a"), "-q", "--no-video"]) == 1
    args = ["--select", "700,300@3.8", "-q", "--no-video"]
    assert main(["analyze", str(demo), "--out", str(tmp_path / "b"), *args]) == 1
    a, b = load_result(tmp_path / "a"), load_result(tmp_path / "b")
    assert a.provenance["track_cache_hit"] is False
    # from the cache, unless the first run's pass followed someone else than the man asked
    # for: then the two-person pass runs once for him
    assert b.provenance["track_cache_hit"] is True or (
        b.provenance["pose_pass"]["method"] == "dense after follow"
        and a.provenance["pose_pass"]["method"] == "follow"
    )
    assert b.motion.track.meta["selection"]["method"] == "point"
    i = int(np.argmin(np.abs(b.motion.track.times_s - 3.8)))
    hip_b = b.motion.track.image_xy[i, [23, 24]].mean(axis=0)
    hip_a = a.motion.track.image_xy[i, [23, 24]].mean(axis=0)
    assert np.hypot(*(hip_b - (700.0, 300.0))) < 100  # the person at the point given
    assert np.hypot(*(hip_a - hip_b)) > 200  # not the first run's athlete
