"""Keep MediaPipe's native log lines (glog/absl, TFLite) off the user's terminal."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def silence_native_stderr(*, enabled: bool = True) -> Iterator[None]:
    """Send what C++ libraries (MediaPipe's glog/absl, TFLite) write to fd 2 to /dev/null.

    MediaPipe prints several INFO/WARNING lines on every start that no environment variable
    turns off. Python's own ``sys.stderr`` (progress bar, warnings, logging) is pointed at a
    duplicate of the real stderr meanwhile, so it stays visible.
    """
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        saved_fd = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (e.g. captured by a test)
        yield
        return
    saved_stream = sys.stderr
    python_stderr = os.fdopen(os.dup(saved_fd), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.stream is saved_stream
    ]
    try:
        os.dup2(devnull, 2)
        sys.stderr = python_stderr
        for h in handlers:
            h.setStream(python_stderr)
        yield
    finally:
        python_stderr.flush()
        for h in handlers:
            h.setStream(saved_stream)
        sys.stderr = saved_stream
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        os.close(devnull)
        python_stderr.close()
