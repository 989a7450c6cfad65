"""Build a Tasks-API ``.task`` bundle from the BlazePose models shipped inside mediapipe.

mediapipe 0.10.21's wheel carries ``modules/pose_detection/pose_detection.tflite`` and
``modules/pose_landmark/pose_landmark_full.tflite`` (the legacy solution's models) but no
``.task`` file, and nothing may be downloaded. The Tasks API ``PoseLandmarker`` takes a
*stored* (uncompressed) zip holding ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite``, each with image-input metadata that says how to
normalise pixels (see ../shared/design/POSE_STACK.md, measured):

- detector: mean 127.5, std 127.5 (input in [-1, 1]);
- landmark model: mean 0, std 255 (input in [0, 1]).

Entries are aligned to 64 bytes (TFLite maps them without a copy). The bundle is built once
into the user cache (``$BACKPEDAL_CACHE``, else ``~/.cache/backpedal-analyzer``, as the
pipeline's track cache), keyed by the mediapipe version, and is byte-for-byte deterministic.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import ModelError

logger = logging.getLogger(__name__)

#: Bump when the way the bundle is built changes (invalidates cached bundles).
BUNDLE_FORMAT = 1
_ALIGNMENT = 64
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

DETECTOR_ENTRY = "pose_detector.tflite"
LANDMARKER_ENTRY = "pose_landmarks_detector.tflite"


@dataclass(frozen=True)
class ShippedModels:
    """The BlazePose model files inside the installed mediapipe package."""

    mediapipe_version: str
    detector: Path
    landmarker: Path
    variant: str = "full"


def find_shipped_models() -> ShippedModels:
    """Locate the pose detector and landmark models inside the installed mediapipe.

    Raises
    ------
    ModelError
        If mediapipe is missing or ships no pose model (mediapipe >= 0.10.30 ships none).
    """
    try:
        import mediapipe
    except ImportError as exc:
        raise ModelError("mediapipe is not installed.") from exc
    root = Path(mediapipe.__file__).parent / "modules"
    detector = root / "pose_detection" / "pose_detection.tflite"
    landmarker = root / "pose_landmark" / "pose_landmark_full.tflite"
    missing = [str(p) for p in (detector, landmarker) if not p.is_file()]
    if missing:
        raise ModelError(
            f"mediapipe {mediapipe.__version__} does not ship the BlazePose model "
            f"(missing {', '.join(missing)}); only 0.10.14, 0.10.18 and 0.10.21 do."
        )
    return ShippedModels(str(mediapipe.__version__), detector, landmarker)


def cache_dir() -> Path:
    """The user cache directory of the analyzer (not created here)."""
    env = os.environ.get("BACKPEDAL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "backpedal-analyzer"


def bundle_path(models: ShippedModels | None = None) -> Path:
    """Where the bundle for the installed mediapipe lives in the cache."""
    models = models or find_shipped_models()
    name = f"pose_landmarker_{models.variant}-mediapipe{models.mediapipe_version}-b{BUNDLE_FORMAT}"
    return cache_dir() / f"{name}.task"


def fallback_bundle_path(models: ShippedModels | None = None) -> Path:
    """Where the bundle goes when the user cache cannot be written (per-user temp folder)."""
    user = getattr(os, "getuid", lambda: "user")()
    return Path(tempfile.gettempdir()) / f"backpedal-analyzer-{user}" / bundle_path(models).name


def find_built_bundle(models: ShippedModels | None = None) -> Path | None:
    """The valid bundle already built for the installed mediapipe, or None."""
    models = models or find_shipped_models()
    for candidate in (bundle_path(models), fallback_bundle_path(models)):
        if candidate.is_file() and is_valid_bundle(candidate):
            return candidate
    return None


def _with_image_metadata(model: bytes, *, name: str, mean: float, std: float) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose model shipped with mediapipe; metadata added.")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    content, _ = writer.populate()
    return bytes(content)


def _aligned_stored_zip(entries: dict[str, bytes]) -> bytes:
    """A STORED zip whose entries' data start at multiples of ``_ALIGNMENT`` bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            header = 30 + len(name.encode())  # local file header + name, no extra field
            offset = buf.tell()
            pad = (-(offset + header)) % _ALIGNMENT
            if pad:
                # pad with an "extra" field so the data lands on the boundary
                pad = pad if pad >= 4 else pad + _ALIGNMENT
                info.extra = b"\xff\xff" + (pad - 4).to_bytes(2, "little") + b"\x00" * (pad - 4)
            zf.writestr(info, data)
    return buf.getvalue()


def build_bundle_bytes(models: ShippedModels | None = None) -> bytes:
    """Build the ``.task`` bundle in memory (deterministic)."""
    models = models or find_shipped_models()
    try:
        detector = _with_image_metadata(
            models.detector.read_bytes(), name="pose_detector", mean=127.5, std=127.5
        )
        landmarker = _with_image_metadata(
            models.landmarker.read_bytes(), name="pose_landmarks_detector", mean=0.0, std=255.0
        )
    except ImportError as exc:
        raise ModelError(
            f"cannot add model metadata: {exc}.",
            "Install the `flatbuffers` package (a dependency of backpedal-analyzer).",
        ) from exc
    return _aligned_stored_zip({DETECTOR_ENTRY: detector, LANDMARKER_ENTRY: landmarker})


def is_valid_bundle(path: Path) -> bool:
    """Whether ``path`` is a readable STORED zip holding both pose models."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist()}
    except (OSError, zipfile.BadZipFile):
        return False
    need = (DETECTOR_ENTRY, LANDMARKER_ENTRY)
    return all(
        n in infos and infos[n].compress_type == zipfile.ZIP_STORED and infos[n].file_size > 0
        for n in need
    )


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_bundle(*, rebuild: bool = False) -> Path:
    """Return the cached bundle for the installed mediapipe, building it the first time.

    The file is written atomically, so concurrent processes never see half a bundle. If the
    user cache is not writable, the bundle goes to a per-user folder in the temp directory.

    Raises
    ------
    ModelError
        If mediapipe ships no pose model, or no folder can be written.
    """
    models = find_shipped_models()
    path, fallback = bundle_path(models), fallback_bundle_path(models)
    if not rebuild:
        existing = find_built_bundle(models)
        if existing is not None:
            return existing
    data = build_bundle_bytes(models)
    try:
        _write_atomically(path, data)
        return path
    except OSError as exc:
        logger.warning(
            "cannot write the pose model bundle to %s (%s); using %s", path, exc, fallback
        )
    try:
        _write_atomically(fallback, data)
    except OSError as exc:
        raise ModelError(
            f"cannot write the pose model bundle to {path} or {fallback} ({exc}).",
            "Set BACKPEDAL_CACHE to a writable folder.",
        ) from exc
    return fallback
