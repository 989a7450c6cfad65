"""Project 3D landmarks through a virtual camera into a noise-free ``PoseTrack``.

API
---
``project_to_track(landmarks_world, times_s, camera, *, model=..., meta=None) -> PoseTrack``
    ``image_xy`` in pixels (``Camera.project``), ``world_xyz`` in MediaPipe's convention
    (metres, origin at the hip centre, axes aligned with the camera: x right, y down, z away
    from the camera; METRICS §3.2), and a ``visibility`` that mimics BlazePose's.
``visibility_model(landmarks_world, camera) -> (T, 33)``
    The visibility rule on its own.
``project_motion(motion, camera, **kw)``
    Same for a ``truth.SyntheticMotion``; puts the motion's name and the camera in ``meta``.

Visibility: 0.99 for points on the camera side of the body, falling linearly to 0.55 for
points ≥ 0.15 m further from the camera than the body's centre plane (the far-side limbs in a
side view), lower still (0.3) when the point projects outside the image. Face points keep a
high value even when the head is turned away, like MediaPipe's (issue #5197, METRICS [S:29]).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from analyzer.pose.track import PoseTrack
from backpedal_dev.synth.camera import Camera

_FACE = tuple(range(11))


def camera_meta(camera: Camera) -> dict[str, Any]:
    """JSON-serialisable description of a camera (for ``PoseTrack.meta``)."""
    d = asdict(camera)
    d["position"] = list(d["position"])
    d["look_at"] = list(d["look_at"])
    return d


def mediapipe_world(landmarks_world: np.ndarray, camera: Camera) -> np.ndarray:
    """(T, 33, 3) world landmarks as MediaPipe reports them: hip-centred, camera axes."""
    rot = camera.rotation
    hip = 0.5 * (landmarks_world[:, 23] + landmarks_world[:, 24])
    return (landmarks_world - hip[:, None, :]) @ rot.T


def visibility_model(landmarks_world: np.ndarray, camera: Camera) -> np.ndarray:
    """(T, 33) visibility in [0, 1] (see the module docstring)."""
    cam = camera.to_camera(landmarks_world)
    torso = landmarks_world[:, [11, 12, 23, 24]].mean(axis=1)
    depth0 = camera.to_camera(torso)[:, 2]
    behind = cam[..., 2] - depth0[:, None]
    vis = 0.99 - (0.99 - 0.55) * np.clip(behind / 0.15, 0.0, 1.0)
    vis[:, list(_FACE)] = np.maximum(vis[:, list(_FACE)], 0.95)
    px = camera.project(landmarks_world)
    outside = (
        ~np.isfinite(px[..., 0])
        | (px[..., 0] < 0)
        | (px[..., 0] > camera.width - 1)
        | (px[..., 1] < 0)
        | (px[..., 1] > camera.height - 1)
    )
    vis[outside] = np.minimum(vis[outside], 0.3)
    return vis


def project_to_track(
    landmarks_world: np.ndarray,
    times_s: np.ndarray,
    camera: Camera,
    *,
    model: str = "synthetic/truth",
    meta: dict[str, Any] | None = None,
) -> PoseTrack:
    """Noise-free ``PoseTrack`` of world landmarks (T, 33, 3) filmed by ``camera``.

    Parameters
    ----------
    landmarks_world
        (T, 33, 3) metres in the ``backpedal_dev.synth`` world frame (y up).
    times_s
        (T,) frame times.
    camera
        The virtual camera.
    model, meta
        Stored on the track; ``meta`` gets a ``camera`` entry added.
    """
    lm = np.asarray(landmarks_world, dtype=np.float64)
    info = dict(meta or {})
    info.setdefault("camera", camera_meta(camera))
    return PoseTrack(
        times_s=np.asarray(times_s, dtype=np.float64),
        image_xy=camera.project(lm).astype(np.float32),
        visibility=visibility_model(lm, camera).astype(np.float32),
        image_size=(camera.width, camera.height),
        world_xyz=mediapipe_world(lm, camera).astype(np.float32),
        model=model,
        meta=info,
    )


def project_motion(motion: Any, camera: Camera, **kwargs: Any) -> PoseTrack:
    """``project_to_track`` for a ``truth.SyntheticMotion`` (name recorded in ``meta``)."""
    meta = dict(kwargs.pop("meta", None) or {})
    meta.setdefault("source", motion.name)
    return project_to_track(motion.landmarks_world, motion.times_s, camera, meta=meta, **kwargs)
