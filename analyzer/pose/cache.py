"""The pose cache: what the pose pass found in a clip, before the athlete is chosen.

Re-scoring a clip with another profile, or choosing another athlete (``--select``), takes
seconds instead of a model re-run. What is cached is the :class:`~analyzer.pose.follow.PosePass`:
the followed person on every frame and the scan of everybody (the follow pass), or every
person on every frame (the dense pass, also stored in place of the follow pass when a
choice did not verify). Athlete selection always runs again, so a new ``--select`` can never
get the old athlete back; when it picks someone the follow pass did not follow, the pipeline
runs the dense pass and replaces the entry.

An entry's key is everything that changes the model's output: the clip's SHA-256, the model
files' SHA-256, the mediapipe version, the pose settings (people per frame, capture rate,
the user's rotation, confidence thresholds, follow or dense pass) and the cache format.
Entries are written atomically (temporary file, then rename), so concurrent runs of one
clip both succeed and a killed run leaves no torn entry; an unreadable entry is treated as a
miss, logged once and rebuilt.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.atomic import atomic_file
from analyzer.errors import ModelError, TrackFormatError
from analyzer.pose.follow import PosePass, read_pass, write_pass

log = logging.getLogger(__name__)

#: Bump when what is cached, or how, changes (old entries are then simply not found).
#: 3: frames lost to damage are empty rows, ``lost_spans_s`` in the meta.
#: 4: a pose pass (followed person + scan, or dense), :func:`analyzer.pose.follow.write_pass`.
CACHE_FORMAT = 4

#: MediaPipe's confidence thresholds used by the pose pass (the estimator's defaults).
POSE_CONFIDENCE = {"detection": 0.5, "presence": 0.5, "tracking": 0.5}

_HASHES: dict[tuple[str, int, int], str] = {}


def default_cache_dir() -> Path:
    """``$BACKPEDAL_CACHE`` or ``~/.cache/backpedal-analyzer``."""
    env = os.environ.get("BACKPEDAL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "backpedal-analyzer"


def file_sha256(path: str | Path, *, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks (never the whole file in memory); memoised per
    process by path, size and modification time."""
    path = Path(path)
    st = path.stat()
    memo = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if memo in _HASHES:
        return _HASHES[memo]
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_bytes):
            h.update(chunk)
    _HASHES[memo] = h.hexdigest()
    return _HASHES[memo]


def mediapipe_version() -> str:
    """The installed mediapipe version, without importing it."""
    try:
        return importlib.metadata.version("mediapipe")
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelError("mediapipe is not installed.") from exc


def shipped_model_files() -> list[Path]:
    """The BlazePose model files inside the installed mediapipe (found without importing it)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("mediapipe is not installed.")
    root = Path(next(iter(spec.submodule_search_locations))) / "modules"
    files = [
        root / "pose_detection" / "pose_detection.tflite",
        root / "pose_landmark" / "pose_landmark_full.tflite",
    ]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise ModelError(f"mediapipe ships no BlazePose model (missing {', '.join(missing)}).")
    return files


def model_sha256(model_path: str | Path | None) -> str:
    """SHA-256 identifying the model: of the user's ``.task`` file, or of the shipped
    detector and landmark files together."""
    files = [Path(model_path).expanduser()] if model_path else shipped_model_files()
    if not all(p.is_file() for p in files):
        raise ModelError(f"pose model file {files[0]} does not exist.")
    if len(files) == 1:
        return file_sha256(files[0])
    return hashlib.sha256("".join(file_sha256(p) for p in files).encode()).hexdigest()


@dataclass(frozen=True)
class PoseKey:
    """Everything that decides the model's output for one clip."""

    clip_sha256: str
    model_sha256: str
    mediapipe_version: str
    num_poses: int
    capture_fps: float | None
    rotate_deg: int | None = None
    dense: bool = False

    def fields(self) -> dict[str, Any]:
        """The key as a JSON-ready dict (recorded in the result's provenance)."""
        return {
            "format": CACHE_FORMAT,
            "clip_sha256": self.clip_sha256,
            "model_sha256": self.model_sha256,
            "mediapipe": self.mediapipe_version,
            "num_poses": self.num_poses,
            "capture_fps": self.capture_fps,
            "rotate_deg": self.rotate_deg,
            "confidence": POSE_CONFIDENCE,
            "pass": "dense" if self.dense else "follow",
        }

    def file_name(self) -> str:
        """The entry's file name: the clip's hash, then a hash of the rest of the key."""
        rest = hashlib.sha256(json.dumps(self.fields(), sort_keys=True).encode()).hexdigest()
        return f"{self.clip_sha256[:32]}-{rest[:24]}.npz"


def pose_key(
    clip: str | Path,
    *,
    model_path: str | Path | None,
    num_poses: int,
    capture_fps: float | None,
    rotate_deg: int | None = None,
    dense: bool = False,
) -> PoseKey:
    """Build the cache key of a clip under the given pose settings (hashes the clip).

    ``rotate_deg`` is the user's rotation (None = the clip's own tag, part of the clip);
    ``dense`` the user's ``--dense`` (every person on every frame, no follow pass).
    """
    return PoseKey(
        clip_sha256=file_sha256(clip),
        model_sha256=model_sha256(model_path),
        mediapipe_version=mediapipe_version(),
        num_poses=int(num_poses),
        capture_fps=None if capture_fps is None else float(capture_fps),
        rotate_deg=None if rotate_deg is None else int(rotate_deg),
        dense=bool(dense),
    )


class PoseCache:
    """A folder of pose-pass entries (``<cache_dir>/poses``)."""

    def __init__(self, cache_dir: str | Path | None = None) -> None:
        self.root = Path(cache_dir or default_cache_dir()) / "poses"

    def path(self, key: PoseKey) -> Path:
        """Where the entry of ``key`` lives."""
        return self.root / key.file_name()

    def get(self, key: PoseKey) -> PosePass | None:
        """The cached entry, or None on a miss. An unreadable entry (truncated, empty,
        another format) is a miss: one warning line, and it is rebuilt by the caller."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            return read_pass(path)
        except TrackFormatError as exc:
            log.warning("pose cache entry %s is unreadable, re-running the model (%s)", path, exc)
            return None

    def put(self, key: PoseKey, entry: PosePass) -> Path | None:
        """Store an entry atomically; a cache that cannot be written only logs a warning."""
        path = self.path(key)
        try:
            with atomic_file(path) as fh:
                write_pass(entry, fh)
        except OSError as exc:
            log.warning("could not write the pose cache %s: %s", path, exc)
            return None
        return path
