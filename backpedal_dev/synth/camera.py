"""A pinhole camera with known intrinsics and pose, for projecting and rendering.

World frame: metres, y up (see ``backpedal_dev.synth``). Camera frame: x right, y down, z forward
(OpenCV convention), so projected pixels have y down like video frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    """Pinhole camera looking from ``position`` at ``look_at`` with a level horizon.

    Parameters
    ----------
    width, height
        Image size in pixels.
    focal_px
        Focal length in pixels (square pixels, principal point at the image centre).
    position, look_at
        World points (metres, y up).
    """

    width: int
    height: int
    focal_px: float
    position: tuple[float, float, float]
    look_at: tuple[float, float, float]

    @property
    def rotation(self) -> np.ndarray:
        """(3, 3) world-to-camera rotation; rows are the camera x, y, z axes in world terms."""
        fwd = np.asarray(self.look_at, float) - np.asarray(self.position, float)
        fwd /= np.linalg.norm(fwd)
        up = np.array([0.0, 1.0, 0.0])
        right = np.cross(fwd, up)
        if np.linalg.norm(right) < 1e-9:
            raise ValueError("The camera cannot look straight up or down.")
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        return np.stack([right, down, fwd])

    @property
    def intrinsics(self) -> np.ndarray:
        """(3, 3) camera matrix K."""
        return np.array(
            [
                [self.focal_px, 0.0, (self.width - 1) / 2.0],
                [0.0, self.focal_px, (self.height - 1) / 2.0],
                [0.0, 0.0, 1.0],
            ]
        )

    def to_camera(self, points_world: np.ndarray) -> np.ndarray:
        """World points (..., 3) to camera coordinates (..., 3), z = depth in metres."""
        p = np.asarray(points_world, float) - np.asarray(self.position, float)
        return p @ self.rotation.T

    def project(self, points_world: np.ndarray) -> np.ndarray:
        """World points (..., 3) to pixels (..., 2); points behind the camera give NaN."""
        pc = self.to_camera(points_world)
        z = pc[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.focal_px * pc[..., 0] / z + (self.width - 1) / 2.0
            v = self.focal_px * pc[..., 1] / z + (self.height - 1) / 2.0
        out = np.stack([u, v], axis=-1)
        out[z <= 1e-6] = np.nan
        return out

    def ray_directions(self) -> np.ndarray:
        """(H, W, 3) unit ray directions in world coordinates through each pixel centre."""
        xs = (np.arange(self.width) - (self.width - 1) / 2.0) / self.focal_px
        ys = (np.arange(self.height) - (self.height - 1) / 2.0) / self.focal_px
        gx, gy = np.meshgrid(xs, ys)
        d_cam = np.stack([gx, gy, np.ones_like(gx)], axis=-1)
        d_world = d_cam @ self.rotation
        return d_world / np.linalg.norm(d_world, axis=-1, keepdims=True)


def side_camera(
    *,
    side: str = "left",
    center_x_m: float = 0.0,
    distance_m: float = 8.0,
    height_m: float = 1.0,
    width: int = 1280,
    height: int = 720,
    focal_px: float = 1000.0,
) -> Camera:
    """A static side-view camera perpendicular to the backpedal line (the x axis).

    Synthetic athletes face +x (towards the quarterback) and backpedal towards -x, so
    their right side points to +z. ``side="left"`` puts the camera at z < 0, seeing the
    athlete's left side; ``side="right"`` at z > 0.
    """
    z = -distance_m if side == "left" else distance_m
    return Camera(width, height, focal_px, (center_x_m, height_m, z), (center_x_m, height_m, 0.0))


def front_camera(
    *,
    center_x_m: float = 0.0,
    distance_m: float = 7.0,
    height_m: float = 1.2,
    look_height_m: float | None = None,
    width: int = 1280,
    height: int = 720,
    focal_px: float = 1000.0,
) -> Camera:
    """A static camera on the backpedal line in front of the athlete (where the QB stands).

    The athlete faces +x, so the camera sits at ``x = center_x_m + distance_m`` looking
    towards -x at the point ``(center_x_m, look_height_m, 0)`` (METRICS §3.1 setup B:
    chest height, 5-8 m in front of the start). The athlete's left side (-z) then appears on
    the image right.
    """
    look_y = height_m if look_height_m is None else look_height_m
    return Camera(
        width, height, focal_px, (center_x_m + distance_m, height_m, 0.0), (center_x_m, look_y, 0.0)
    )


def diagonal_camera(
    *,
    angle_deg: float = 45.0,
    side: str = "left",
    center_x_m: float = 0.0,
    distance_m: float = 8.0,
    height_m: float = 1.0,
    width: int = 1280,
    height: int = 720,
    focal_px: float = 1000.0,
) -> Camera:
    """A camera between the side view (``angle_deg=0``) and the front view (``angle_deg=90``).

    It looks at ``(center_x_m, height_m, 0)`` from ``distance_m`` away, rotated from the
    ``side`` ("left" = athlete's left, z < 0) towards the athlete's front (+x).
    """
    a = np.radians(angle_deg)
    zs = -1.0 if side == "left" else 1.0
    pos = (center_x_m + distance_m * np.sin(a), height_m, zs * distance_m * np.cos(a))
    return Camera(
        width,
        height,
        focal_px,
        (float(pos[0]), float(pos[1]), float(pos[2])),
        (center_x_m, height_m, 0.0),
    )
