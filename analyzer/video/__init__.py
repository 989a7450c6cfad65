"""Video input and output: probe a clip, stream frames upright with true timestamps, write clips."""

from analyzer.video.probe import VideoInfo, probe_video
from analyzer.video.reader import CorruptVideoWarning, Frame, VideoReader, iter_frames
from analyzer.video.writer import VideoWriter

__all__ = [
    "CorruptVideoWarning",
    "Frame",
    "VideoInfo",
    "VideoReader",
    "VideoWriter",
    "iter_frames",
    "probe_video",
]
