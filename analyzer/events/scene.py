"""The per-clip scene geometry that events and metrics share (METRICS.md §2-§4).

Built by :func:`analyzer.events.view.build_scene`; a module of its own so that the metric
helpers can name the type without importing the view logic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.ground import GroundLine
from analyzer.numeric import midpoint
from analyzer.results import ViewInfo


@dataclass(frozen=True)
class Scene:
    """Per-frame geometry of one clip in *level* pixel coordinates (ground line horizontal).

    Attributes
    ----------
    p
        (T, 33, 2) landmarks rotated by the camera roll (x right, y down).
    ground
        Ground line in level coordinates (slope ~0 by construction).
    facing
        (T,) facing sign f: +1 image-right, -1 image-left, 0 unknown (METRICS §2).
    travel
        (T,) travel sign e_t of the mid-hip: +1 image-right, -1 image-left, 0 not moving.
    hip_vx
        (T,) filtered horizontal mid-hip velocity in px/s (4 Hz, METRICS §3.3).
    near_side
        (T,) 0 when the athlete's left side is nearer the camera, 1 when the right is.
    yaw_deg
        (T,) body yaw from world landmarks (0 = facing the camera, +90 = facing image-right,
        unwrapped), or None without world landmarks (METRICS §4 step 5).
    frontality
        (T,) Q = mean(|X11-X12|, |X23-X24|) / torso (METRICS §4 step 1).
    speed_leg_per_s
        (T,) signed hip speed in L/s along the travel axis: image x in side/diagonal views;
        in front/rear views ``d ln(size)/dt`` times an assumed camera distance of 8 L
        (a coarse proxy used only for phase thresholds; +1 = approaching).
    """

    times_s: np.ndarray
    fs: float
    p: np.ndarray
    visibility: np.ndarray
    world: np.ndarray | None
    ground: GroundLine
    roll_deg: float
    leg_length_px: float
    torso_px: float
    scale_m_per_px: float | None
    leg_length_cv: float
    facing: np.ndarray
    travel: np.ndarray
    hip_vx: np.ndarray
    near_side: np.ndarray
    yaw_deg: np.ndarray | None
    frontality: np.ndarray
    view: ViewInfo
    view_details: dict[str, float]
    speed_leg_per_s: np.ndarray
    pelvis_yaw_deg: np.ndarray | None = None

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.times_s.size)

    def hip(self) -> np.ndarray:
        """(T, 2) mid-hip in level pixels."""
        return midpoint(self.p, sk.LEFT_HIP, sk.RIGHT_HIP)

    def ground_y(self, x: np.ndarray) -> np.ndarray:
        """Ground Y (level pixels) below image X."""
        return self.ground.y_at(x)
