"""Pose estimation: the PoseEstimator protocol, the MediaPipe backend, PoseTrack and its file."""

from analyzer.pose.track import PoseTrack, load_track, save_track

__all__ = ["PoseTrack", "load_track", "save_track"]
