"""Video input and output: probe a clip, stream frames upright with true timestamps, write clips."""

from analyzer.video.probe import VideoInfo, probe_video
from analyzer.video.reader import Frame, LostSpan, VideoReader, iter_frames, lost_spans
from analyzer.video.writer import VideoWriter

__all__ = [
    "Frame",
    "LostSpan",
    "VideoInfo",
    "VideoReader",
    "VideoWriter",
    "iter_frames",
    "lost_spans",
    "probe_video",
]
