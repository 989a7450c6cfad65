"""The PoseEstimator protocol: any 2D/3D pose model the pipeline can run frame by frame.

An estimator takes an upright RGB frame and its time in seconds of real time, and returns
every person it found (up to ``max_people``) as BlazePose's 33 landmarks. Implementations:
:class:`analyzer.pose.mediapipe_backend.MediaPipePoseEstimator`. Tests may plug in fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, runtime_checkable

import numpy as np

from analyzer.skeleton import N_LANDMARKS


@dataclass(frozen=True)
class FramePoses:
    """The people found in one frame (P may be 0).

    Attributes
    ----------
    image_xy
        (P, 33, 2) float32 pixels of the frame that was passed in (x right, y down).
    visibility
        (P, 33) float32 in [0, 1].
    world_xyz
        (P, 33, 3) float32 metres, hip-centred, or None if the model gives none.
    """

    image_xy: np.ndarray
    visibility: np.ndarray
    world_xyz: np.ndarray | None = None

    @property
    def n_people(self) -> int:
        """Number of people found."""
        return int(self.image_xy.shape[0])

    @classmethod
    def empty(cls, *, with_world: bool = True) -> FramePoses:
        """No person found."""
        return cls(
            image_xy=np.zeros((0, N_LANDMARKS, 2), np.float32),
            visibility=np.zeros((0, N_LANDMARKS), np.float32),
            world_xyz=np.zeros((0, N_LANDMARKS, 3), np.float32) if with_world else None,
        )


@runtime_checkable
class PoseEstimator(Protocol):
    """A pose model run on a video's frames in order.

    Attributes
    ----------
    model
        Which estimator and model file (for the track's provenance).
    max_people
        Most people returned per frame.
    """

    model: str
    max_people: int

    def process(self, image_rgb: np.ndarray, time_s: float) -> FramePoses:
        """Find the people in one upright RGB frame.

        Parameters
        ----------
        image_rgb
            (height, width, 3) uint8 RGB, C-contiguous.
        time_s
            The frame's time in seconds of real time; strictly increasing across calls
            (tracking models smooth over time).
        """
        ...

    def close(self) -> None:
        """Release the model."""
        ...

    def __enter__(self) -> PoseEstimator: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
