"""MediaPipe BlazePose through the Tasks API ``PoseLandmarker`` in VIDEO (tracking) mode.

Offline by design: the default model is the BlazePose *full* model shipped inside the
mediapipe 0.10.21 wheel, bundled once into a ``.task`` file (:mod:`analyzer.pose.bundle`).
A user may pass another BlazePose ``.task`` file (lite/heavy). Frames get their real
timestamps (integer milliseconds, strictly increasing), so the landmarker's temporal
smoothing is tuned to the clip's true frame rate (the legacy ``solutions.pose`` API assumes
30 fps).

Threads: on desktop Linux/macOS/Windows builds MediaPipe's inference calculator gives the
XNNPACK delegate **one** thread unless the graph options say otherwise
(``GetXnnpackDefaultNumThreads()`` in mediapipe/calculators/tensor/inference_calculator_utils.cc
returns 1 outside Android/iOS/WASM), and the Python Tasks API exposes no thread option, so
one landmarker = one inference thread. ``benchmarks/bench_pipeline.py`` reports the measured
CPU time / wall time of the model (~1.0 on an idle core). ``detect``/``detect_for_video``
release the GIL, so two landmarkers in two threads run in parallel (the follow pass,
:mod:`analyzer.pose.follow`), and so do processes.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from analyzer.errors import ModelError
from analyzer.pose.bundle import (
    bundle_path,
    ensure_bundle,
    find_built_bundle,
    find_shipped_models,
)
from analyzer.pose.estimator import FramePoses
from analyzer.skeleton import N_LANDMARKS


def _mediapipe_version() -> str:
    try:
        import mediapipe
    except ImportError as exc:
        raise ModelError("mediapipe is not installed.") from exc
    return str(mediapipe.__version__)


def resolve_model(model_path: str | Path | None = None) -> tuple[Path, str]:
    """The ``.task`` file to load and the model string recorded in tracks.

    Parameters
    ----------
    model_path
        A user's BlazePose ``.task`` file, or None for the model shipped with mediapipe.

    Returns
    -------
    tuple
        The path, and ``"mediapipe-<version>/pose_landmarker_full"`` for the shipped model
        or ``"mediapipe-<version>/<file name>"`` for a user's file.
    """
    version = _mediapipe_version()
    if model_path is None:
        return ensure_bundle(), f"mediapipe-{version}/pose_landmarker_full"
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise ModelError(f"pose model file {path} does not exist.")
    if not zipfile.is_zipfile(path):
        raise ModelError(
            f"{path} is not a MediaPipe .task bundle (a zip holding pose_detector.tflite "
            "and pose_landmarks_detector.tflite).",
            "Download pose_landmarker_lite/full/heavy.task from MediaPipe's model page, "
            "or omit --model to use the model shipped with mediapipe.",
        )
    return path, f"mediapipe-{version}/{path.name}"


class MediaPipePoseEstimator:
    """BlazePose (MediaPipe Tasks ``PoseLandmarker``, VIDEO mode) as a :class:`PoseEstimator`.

    Parameters
    ----------
    model_path
        A BlazePose ``.task`` file; None uses the full model shipped inside mediapipe.
    num_poses
        Most people per frame (default 2, so the athlete can be chosen; each extra person
        costs about one more landmark-model run per frame).
    min_detection_confidence, min_presence_confidence, min_tracking_confidence
        MediaPipe's thresholds (its defaults, 0.5).
    tracking
        True (default): VIDEO mode, frames in time order, the landmarks of one frame
        locate the person in the next. False: IMAGE mode, every frame searched afresh
        by the detector (for sparse frames, e.g. the scan of :mod:`analyzer.pose.follow`).

    Notes
    -----
    Use as a context manager (or call :meth:`close`): an unclosed landmarker raises at exit
    in newer mediapipe versions.
    """

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        num_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        tracking: bool = True,
    ) -> None:
        if num_poses < 1:
            raise ValueError(f"num_poses must be >= 1, got {num_poses}.")
        from mediapipe.tasks.python import BaseOptions, vision

        path, self.model = resolve_model(model_path)
        self.model_path = path
        self.max_people = int(num_poses)
        self.tracking = tracking
        mode = vision.RunningMode.VIDEO if tracking else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=mode,
            num_poses=self.max_people,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=False,
        )
        try:
            self._landmarker: Any = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load the pose model {path}: {exc}") from exc
        self._last_ms: int | None = None

    def process(self, image_rgb: np.ndarray, time_s: float) -> FramePoses:
        """Find up to ``max_people`` people in one upright RGB frame at ``time_s`` seconds."""
        import mediapipe as mp

        if self._landmarker is None:
            raise RuntimeError("the estimator is closed.")
        if not math.isfinite(time_s):
            raise ValueError(f"time_s must be finite, got {time_s}.")
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=image_rgb)
        if self.tracking:
            ms = round(time_s * 1000.0)
            if self._last_ms is not None and ms <= self._last_ms:
                ms = self._last_ms + 1  # sub-millisecond frame spacing (> 1000 fps): keep order
            self._last_ms = ms
            result = self._landmarker.detect_for_video(image, ms)
        else:
            result = self._landmarker.detect(image)
        h, w = image_rgb.shape[:2]
        return _to_frame_poses(result, width=w, height=h)

    def close(self) -> None:
        """Release the landmarker (safe to call twice)."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _to_frame_poses(result: Any, *, width: int, height: int) -> FramePoses:
    """Convert a ``PoseLandmarkerResult`` to arrays (normalised coordinates -> pixels)."""
    people = result.pose_landmarks or []
    if not people:
        return FramePoses.empty()
    p = len(people)
    img = np.empty((p, N_LANDMARKS, 3), np.float32)
    for i, lms in enumerate(people):
        img[i] = [(lm.x, lm.y, lm.visibility or 0.0) for lm in lms]
    xy = img[:, :, :2] * np.array([width, height], np.float32)
    world = np.full((p, N_LANDMARKS, 3), np.nan, np.float32)
    for i, lms in enumerate(result.pose_world_landmarks or []):
        world[i] = [(lm.x, lm.y, lm.z) for lm in lms]
    return FramePoses(image_xy=xy, visibility=np.ascontiguousarray(img[:, :, 2]), world_xyz=world)


def describe_default_model() -> Iterator[str]:
    """Lines for ``backpedal info``: the model files in use, their paths and sizes."""
    try:
        models = find_shipped_models()
    except ModelError as exc:
        yield f"pose model: not available ({exc.message})"
        return
    yield (
        f"pose model: BlazePose full, shipped inside mediapipe {models.mediapipe_version} "
        "(offline; Tasks API PoseLandmarker, VIDEO mode)"
    )
    for label, path in (("detector", models.detector), ("landmarks", models.landmarker)):
        yield f"  {label}: {path} ({path.stat().st_size:,} bytes)"
    bundle = find_built_bundle(models)
    if bundle is not None:
        yield f"  bundle: {bundle} ({bundle.stat().st_size:,} bytes)"
    else:
        yield f"  bundle: {bundle_path(models)} (built on first use)"
