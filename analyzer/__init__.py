"""Backpedal Analyzer: backpedal technique analysis from video.

The public API is re-exported lazily from here so that ``import analyzer`` stays cheap
(no mediapipe, OpenCV or matplotlib import at package import time).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
