"""PoseTrack: one athlete's landmarks over time, and the ``.npz`` track file.

The track file is the project's interchange format (see README, "The track file") and the
cache that lets a clip be re-scored without re-running the model. Landmark order is
MediaPipe BlazePose's 33 (``analyzer.skeleton.LANDMARK_NAMES``); NaN marks a missing value.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.atomic import atomic_file
from analyzer.errors import TrackFormatError
from analyzer.skeleton import N_LANDMARKS

TRACK_FORMAT_VERSION = 1


@dataclass(frozen=True)
class PoseTrack:
    """Landmarks of one person over time.

    Attributes
    ----------
    times_s
        (T,) float64, strictly increasing frame times in seconds of *real* time
        (slow-motion clips are already rescaled to capture time).
    image_xy
        (T, 33, 2) float32 image landmarks in pixels of the upright frame (x right, y down).
    visibility
        (T, 33) float32 in [0, 1].
    image_size
        (width, height) of the upright frame in pixels.
    world_xyz
        (T, 33, 3) float32 world landmarks in metres (origin at the hip centre, x right,
        y down, z away from the camera), or None.
    model
        Which estimator/model made the track (e.g. ``"mediapipe-0.10.21/pose_landmark_full"``).
    meta
        Free-form provenance (clip name and hash, capture fps, ...), JSON-serialisable.
    """

    times_s: np.ndarray
    image_xy: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    world_xyz: np.ndarray | None = None
    model: str = "unknown"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_track_arrays(
            self.times_s, self.image_xy, self.visibility, self.image_size, self.world_xyz
        )

    @property
    def n_frames(self) -> int:
        """Number of frames T."""
        return int(self.times_s.shape[0])

    @property
    def fps(self) -> float:
        """Median frame rate in frames per second of real time (NaN if < 2 frames)."""
        if self.n_frames < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.times_s)))

    @property
    def duration_s(self) -> float:
        """Time from the first to the last frame, in seconds."""
        return float(self.times_s[-1] - self.times_s[0]) if self.n_frames else 0.0

    def detected(self) -> np.ndarray:
        """(T,) bool: frames where the person was found (any landmark not NaN)."""
        return ~np.all(np.isnan(self.image_xy[:, :, 0]), axis=1)

    def with_arrays(self, **changes: Any) -> PoseTrack:
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)


def validate_track_arrays(
    times_s: np.ndarray,
    image_xy: np.ndarray,
    visibility: np.ndarray,
    image_size: tuple[int, int],
    world_xyz: np.ndarray | None,
) -> None:
    """Check shapes, dtypes and time order; raise TrackFormatError saying what is wrong."""
    if not isinstance(times_s, np.ndarray) or times_s.ndim != 1:
        raise TrackFormatError(f"times_s must be a 1-D array, got shape {np.shape(times_s)}.")
    t = times_s.shape[0]
    expected = {"image_xy": (t, N_LANDMARKS, 2), "visibility": (t, N_LANDMARKS)}
    for name, arr in (("image_xy", image_xy), ("visibility", visibility)):
        if not isinstance(arr, np.ndarray) or arr.shape != expected[name]:
            raise TrackFormatError(
                f"{name} must have shape {expected[name]} (T={t} frames, 33 BlazePose "
                f"landmarks), got {np.shape(arr)}."
            )
    if world_xyz is not None and (
        not isinstance(world_xyz, np.ndarray) or world_xyz.shape != (t, N_LANDMARKS, 3)
    ):
        raise TrackFormatError(
            f"world_xyz must have shape {(t, N_LANDMARKS, 3)}, got {np.shape(world_xyz)}."
        )
    if len(image_size) != 2 or min(image_size) <= 0:
        raise TrackFormatError(f"image_size must be (width, height) > 0, got {image_size}.")
    if t and not np.all(np.isfinite(times_s)):
        raise TrackFormatError("times_s contains NaN or infinite values.")
    if t > 1 and np.any(np.diff(times_s) <= 0):
        bad = int(np.argmax(np.diff(times_s) <= 0))
        raise TrackFormatError(
            f"times_s must increase strictly; frame {bad + 1} ({times_s[bad + 1]:.4f} s) does "
            f"not come after frame {bad} ({times_s[bad]:.4f} s)."
        )


def save_track(track: PoseTrack, path: str | Path) -> Path:
    """Write ``track`` as a compressed ``.npz`` track file (atomically) and return the path."""
    path = Path(path)
    with atomic_file(path) as fh:
        np.savez_compressed(fh, **track_arrays(track, TRACK_FORMAT_VERSION))
    return path


def track_arrays(track: Any, format_version: int) -> dict[str, Any]:
    """The ``.npz`` arrays of a single- or multi-person track (same names and dtypes)."""
    arrays: dict[str, Any] = {
        "format_version": np.int64(format_version),
        "times_s": track.times_s.astype(np.float64),
        "image_xy": track.image_xy.astype(np.float32),
        "visibility": track.visibility.astype(np.float32),
        "image_size": np.asarray(track.image_size, dtype=np.int64),
        "model": np.str_(track.model),
        "meta_json": np.str_(json.dumps(track.meta, sort_keys=True, default=str)),
    }
    if track.world_xyz is not None:
        arrays["world_xyz"] = track.world_xyz.astype(np.float32)
    return arrays


_REQUIRED = ("times_s", "image_xy", "visibility", "image_size")


def load_track(path: str | Path) -> PoseTrack:
    """Read and validate a track file written by :func:`save_track` or another tool.

    Raises
    ------
    TrackFormatError
        If the file is missing, not an ``.npz``, lacks a required array, or has wrong shapes.
    """
    path = Path(path)
    if not path.is_file():
        raise TrackFormatError(f"Track file {path} does not exist.")
    try:
        with np.load(path, allow_pickle=False) as data:
            contents = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise TrackFormatError(f"{path} is not a readable .npz track file ({exc}).") from exc
    missing = [k for k in _REQUIRED if k not in contents]
    if missing:
        raise TrackFormatError(
            f"{path} lacks the required array(s) {', '.join(missing)}; it has "
            f"{', '.join(sorted(contents)) or 'none'}."
        )
    version = int(contents.get("format_version", TRACK_FORMAT_VERSION))
    if version > TRACK_FORMAT_VERSION:
        raise TrackFormatError(
            f"{path} is track format {version}; this version reads up to {TRACK_FORMAT_VERSION}.",
            "Upgrade backpedal-analyzer.",
        )
    size = contents["image_size"]
    if size.shape != (2,):
        raise TrackFormatError(f"image_size must have shape (2,), got {size.shape}.")
    meta: dict[str, Any] = {}
    if "meta_json" in contents:
        try:
            meta = json.loads(str(contents["meta_json"]))
        except json.JSONDecodeError as exc:
            raise TrackFormatError(f"meta_json in {path} is not valid JSON ({exc}).") from exc
    world = contents.get("world_xyz")
    return PoseTrack(
        times_s=np.asarray(contents["times_s"], dtype=np.float64),
        image_xy=np.asarray(contents["image_xy"], dtype=np.float32),
        visibility=np.asarray(contents["visibility"], dtype=np.float32),
        image_size=(int(size[0]), int(size[1])),
        world_xyz=None if world is None else np.asarray(world, dtype=np.float32),
        model=str(contents.get("model", "unknown")),
        meta=meta,
    )
