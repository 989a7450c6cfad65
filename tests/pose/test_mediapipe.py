"""The MediaPipe backend on real footage: golden reference, phone clip, bundle, model files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ModelError, NoPersonError
from analyzer.pose.bundle import (
    BUNDLE_FORMAT,
    DETECTOR_ENTRY,
    LANDMARKER_ENTRY,
    build_bundle_bytes,
    bundle_path,
    ensure_bundle,
    is_valid_bundle,
)

pytest.importorskip("mediapipe")

from analyzer.pose.mediapipe_backend import (
    MediaPipePoseEstimator,
    describe_default_model,
)
from analyzer.pose.run import estimate_clip, estimate_poses

GOLDEN_TOLERANCE_PX = 31.0  # tfjs-models' own test tolerance for BlazePose-full 2D output


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default bundle, built once into the real user cache (as a user's first run)."""
    return ensure_bundle()


def test_bundle_is_stored_aligned_and_deterministic(bundle: Path) -> None:
    data = build_bundle_bytes()
    assert data == build_bundle_bytes()  # deterministic
    assert bundle.read_bytes() == data
    with zipfile.ZipFile(bundle) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    assert set(infos) == {DETECTOR_ENTRY, LANDMARKER_ENTRY}
    for info in infos.values():
        assert info.compress_type == zipfile.ZIP_STORED
        header = data[info.header_offset : info.header_offset + 30]
        start = (
            info.header_offset
            + 30
            + int.from_bytes(header[26:28], "little")
            + int.from_bytes(header[28:30], "little")
        )
        assert start % 64 == 0
        assert data[start + 4 : start + 8] == b"TFL3"  # a TFLite flatbuffer starts there
    assert is_valid_bundle(bundle)
    assert f"-b{BUNDLE_FORMAT}.task" in bundle.name and "mediapipe0.10" in bundle.name


def test_ensure_bundle_uses_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    path = ensure_bundle()
    assert path.parent == tmp_path / "cache" and path == bundle_path()
    mtime = path.stat().st_mtime_ns
    assert ensure_bundle() == path and path.stat().st_mtime_ns == mtime  # built once
    path.write_bytes(b"broken")
    assert is_valid_bundle(ensure_bundle())  # a damaged cache entry is rebuilt


def test_describe_default_model(bundle: Path) -> None:
    lines = list(describe_default_model())
    text = "\n".join(lines)
    assert "pose_detection.tflite" in text and "pose_landmark_full.tflite" in text
    assert "bytes" in text and str(bundle) in text


def test_user_model_file(tmp_path: Path, bundle: Path) -> None:
    mine = tmp_path / "pose_landmarker_mine.task"
    mine.write_bytes(bundle.read_bytes())
    with MediaPipePoseEstimator(model_path=mine, num_poses=1) as est:
        assert est.model.endswith("/pose_landmarker_mine.task")
        out = est.process(np.zeros((64, 64, 3), np.uint8), 0.0)
        assert out.n_people == 0
    with pytest.raises(ModelError, match="does not exist"):
        MediaPipePoseEstimator(model_path=tmp_path / "missing.task")
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match=r"not a MediaPipe \.task"):
        MediaPipePoseEstimator(model_path=junk)


def test_timestamps_stay_strictly_increasing_below_a_millisecond(bundle: Path) -> None:
    frame = np.zeros((48, 64, 3), np.uint8)
    with MediaPipePoseEstimator(num_poses=1) as est:
        for t in (0.0, 0.0002, 0.0004, 0.001, 0.5):  # MediaPipe needs increasing integer ms
            est.process(frame, t)
    with pytest.raises(RuntimeError, match="closed"):
        est.process(frame, 1.0)


@pytest.mark.shared_data
def test_golden_tfjs_pose_squats(shared_data: Path, bundle: Path) -> None:
    """Our 2D landmarks on tfjs-models' pose_squats.mp4, fed at 33.333 ms steps, match
    its BlazePose-full reference within 31 px on >= 95 % of landmark-frames."""
    folder = shared_data / "videos" / "tfjs_pose_detection"
    reference = np.asarray(json.loads((folder / "pose_squats.full.json").read_text()))
    assert reference.shape == (65, 33, 3)
    # the clip is 5 fps; declaring a 30 fps capture rate feeds frames 33.333 ms apart
    multi = estimate_clip(folder / "pose_squats.mp4", capture_fps=30.0, num_poses=1)
    assert multi.image_size == (720, 1280)
    assert np.allclose(np.diff(multi.times_s), 1 / 30.0)
    ours = multi.image_xy[:, 0]
    error = np.linalg.norm(ours - reference[:, :, :2], axis=-1)
    within = np.mean(np.nan_to_num(error, nan=np.inf) <= GOLDEN_TOLERANCE_PX)
    assert within >= 0.95, f"only {within:.1%} of landmark-frames within 31 px"
    assert np.nanmedian(error) < 10.0
    world = multi.world_xyz[:, 0]
    assert np.all(np.abs(world) < 1.5)  # metres, hip-centred
    assert np.all((multi.visibility[:, 0] >= 0) & (multi.visibility[:, 0] <= 1))


@pytest.mark.shared_data
def test_iphone_hevc_mov_upright_monotonic_no_person(shared_data: Path, bundle: Path) -> None:
    import cv2

    from analyzer.video import VideoReader, probe_video

    clip = shared_data / "videos" / "opencap_local_iphone" / "received_file_cam0.mov"
    info = probe_video(clip)
    assert (info.width, info.height) == (720, 1280)
    assert info.codec == "hevc" and info.rotation_deg == 90
    with VideoReader(clip) as reader:
        frames = iter(reader)
        first = next(frames)
        times = [first.time_s] + [f.time_s for f in frames]
    assert first.image.shape == (1280, 720, 3)
    assert len(times) == info.frame_count == 191
    assert np.all(np.diff(times) > 0)
    assert 55 < 1 / np.median(np.diff(times)) < 65  # ~60 fps, variable timing
    cap = cv2.VideoCapture(str(clip))  # OpenCV's own upright frame is the same picture
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    ok, theirs = cap.read()
    cap.release()
    assert ok and np.abs(theirs.astype(int) - first.image).mean() < 2.0
    with MediaPipePoseEstimator(num_poses=1) as est, pytest.raises(NoPersonError):
        estimate_poses(clip, est)


def test_unwritable_cache_falls_back_to_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    monkeypatch.setenv("BACKPEDAL_CACHE", str(blocker / "cache"))  # cannot be created
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    path = ensure_bundle()
    assert path.is_relative_to(tmp_path / "tmp") and is_valid_bundle(path)
    assert ensure_bundle() == path
