"""Video input and output: probe a clip, stream its frames upright with true timestamps, write clips."""

from analyzer.video.writer import VideoWriter

__all__ = ["VideoWriter"]
