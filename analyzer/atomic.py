"""Atomic file writes: a reader sees the old file or the complete new one, never a part.

The data goes to a temporary file in the destination's folder (same file system), is flushed
to disk, and only then renamed over the destination with :func:`os.replace` (atomic on POSIX
and Windows). A run killed half-way leaves at most a stray ``.tmp`` file, never a truncated
destination.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[IO[bytes]]:
    """Open a temporary binary file beside ``path``; on success rename it to ``path``.

    On an exception inside the block the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_file(path) as fh:
        fh.write(data)
    return Path(path)
