"""Where the web app keeps files: ``DATA/uploads/<generated name>`` and ``DATA/results/<id>/``.

Uploaded clips are stored under a generated name (never the uploader's), so no file name
reaches a path. Results are written to a temporary folder and moved into place in one
``os.replace``, so a reader sees the previous result or the whole new one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings

#: FFmpeg demuxer name -> extension to store the clip under.
_EXTENSIONS = {"mov,mp4,m4a,3gp,3g2,mj2": ".mp4", "avi": ".avi", "matroska,webm": ".mkv"}


def upload_path(stored_name: str) -> Path:
    """Path of a stored clip; the name must be one this module generated."""
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name[0] == ".":
        raise ValueError(f"not a stored clip name: {stored_name!r}")
    return Path(settings.UPLOAD_DIR) / stored_name


def result_dir(clip_id: int) -> Path:
    """The analysis output folder of a clip."""
    return Path(settings.RESULTS_DIR) / str(int(clip_id))


def store_upload(temp_path: Path, container: str) -> tuple[str, Path]:
    """Move an uploaded temporary file into the uploads folder under a generated name.

    The temporary file is in ``DATA/tmp`` (same file system), so this is a rename; the data
    is flushed to disk before the name is returned.
    """
    name = uuid.uuid4().hex + _EXTENSIONS.get(container, ".video")
    target = upload_path(name)
    with temp_path.open("rb") as fh:
        os.fsync(fh.fileno())
    try:
        os.replace(temp_path, target)
    except OSError:  # another file system: copy, then remove
        shutil.copyfile(temp_path, target)
        temp_path.unlink(missing_ok=True)
    return name, target


def staging_dir(clip_id: int, tag: str) -> Path:
    """A fresh temporary folder next to the results, for one attempt's outputs."""
    path = Path(settings.RESULTS_DIR) / f".tmp-{int(clip_id)}-{tag}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def publish_result(staged: Path, clip_id: int) -> Path:
    """Move a finished output folder into place as the clip's result folder."""
    final = result_dir(clip_id)
    if final.exists():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
        os.replace(staged, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staged, final)
    return final


def result_file(clip_id: int, name: str) -> Path | None:
    """A file of the result folder by plain name (no sub-folders), if it exists."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = result_dir(clip_id) / name
    return path if path.is_file() else None
