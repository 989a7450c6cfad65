"""Render a known motion to an H.264 clip plus a truth file.

``render_clip(motion, camera, out_path, fps=..., seed=...)`` writes ``out_path`` (mp4) and
``<stem>.truth.npz`` beside it (per-frame true 3D landmarks and their exact 2D projections,
the camera, and the motion's contacts, phases, metric values and intended faults as JSON),
plus a small human-readable ``<stem>.truth.json`` without the per-frame arrays.
``camera_for_view`` places a static camera for the views a coach would use: side (from the
athlete's left or right), front (on the backpedal line, where the receiver stands) and
diagonal. Both outputs are byte-identical for the same inputs (single-threaded x264, fixed
zip timestamps).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from analyzer import skeleton as sk
from backpedal_dev.synth.body import Appearance, estimate_body_scale
from backpedal_dev.synth.camera import Camera
from backpedal_dev.synth.render import render_frame
from backpedal_dev.synth.scene import Scene
from backpedal_dev.synth.truth import SyntheticMotion

VIEWS = ("side_left", "side_right", "front", "diagonal")
TRUTH_SUFFIX = ".truth.npz"


def truth_path_for(clip_path: str | Path) -> Path:
    """The truth file that belongs to a rendered clip (``clip.mp4`` -> ``clip.truth.npz``)."""
    p = Path(clip_path)
    return p.with_name(p.stem + TRUTH_SUFFIX)


def resample_motion(motion: SyntheticMotion, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Frame times (from 0) and landmarks of ``motion`` at ``fps`` (linear interpolation).

    Returns
    -------
    times_s, landmarks
        (T,) video times starting at 0 and (T, 33, 3) landmarks at ``motion.times_s[0] +
        times_s``.
    """
    t_in = np.asarray(motion.times_s, float)
    lm = np.asarray(motion.landmarks_world, float)
    if abs(motion.fps - fps) < 1e-6 * fps:
        return t_in - t_in[0], lm
    n = int(np.floor((t_in[-1] - t_in[0]) * fps + 1e-6)) + 1
    t_out = t_in[0] + np.arange(n) / fps
    flat = lm.reshape(len(t_in), -1)
    out = np.empty((n, flat.shape[1]))
    for j in range(flat.shape[1]):
        out[:, j] = np.interp(t_out, t_in, flat[:, j])
    return t_out - t_in[0], out.reshape(n, sk.N_LANDMARKS, 3)


def camera_for_view(
    view: str,
    landmarks_world: np.ndarray,
    *,
    width: int = 1280,
    height: int = 720,
    camera_height_m: float = 1.0,
    distance_m: float = 8.0,
    margin: float = 0.08,
) -> Camera:
    """A static camera that keeps the whole motion in frame, as a coach would set it up.

    Parameters
    ----------
    view
        ``"side_left"`` (camera on the athlete's left, z < 0), ``"side_right"``,
        ``"front"`` (on the backpedal line in front of the start, looking down the line) or
        ``"diagonal"`` (45 degrees between front and the athlete's left side).
    landmarks_world
        (T, 33, 3) the motion, to frame it.
    distance_m
        Side views: distance from the backpedal line. Front/diagonal: distance in front of
        the athlete's most forward position.
    margin
        Fraction of the image kept free on each side.
    """
    lm = np.asarray(landmarks_world, float)
    pts = lm.reshape(-1, 3)
    lo, hi = np.nanmin(pts, axis=0), np.nanmax(pts, axis=0)
    centre = (lo + hi) / 2
    if view in ("side_left", "side_right"):
        sign = -1.0 if view == "side_left" else 1.0
        pos = (float(centre[0]), camera_height_m, float(centre[2] + sign * distance_m))
        look = (float(centre[0]), camera_height_m, float(centre[2]))
    elif view in ("front", "diagonal"):
        ang = 0.0 if view == "front" else np.radians(45.0)
        d = np.array([np.cos(ang), 0.0, -np.sin(ang)])
        start = np.array([hi[0], 0.0, centre[2]])
        p = start + d * distance_m
        pos = (float(p[0]), camera_height_m, float(p[2]))
        look = (float(centre[0]), 0.85, float(centre[2]))
    else:
        raise ValueError(f"unknown view {view!r}; expected one of {VIEWS}.")
    probe = Camera(width, height, 1000.0, pos, look)
    uv = probe.project(pts)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    half = np.nanmax(np.abs(uv - [cx, cy]) / [cx, cy], axis=0)
    focal = 1000.0 * (1 - margin) / float(max(half.max(), 1e-6))
    return Camera(width, height, focal, pos, look)


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez_compressed`` with fixed zip timestamps (byte-identical reruns)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())


def load_truth(path: str | Path) -> dict[str, Any]:
    """Read a truth file: arrays plus ``truth`` (the JSON part, as a dict).

    ``path`` may be the clip itself or its ``.truth.npz``.
    """
    p = Path(path)
    if not p.name.endswith(TRUTH_SUFFIX):
        p = truth_path_for(p)
    with np.load(p, allow_pickle=False) as data:
        out: dict[str, Any] = {k: data[k] for k in data.files if k != "truth_json"}
        out["truth"] = json.loads(str(data["truth_json"]))
    return out


def _camera_dict(camera: Camera) -> dict[str, Any]:
    return {
        "width": camera.width,
        "height": camera.height,
        "focal_px": camera.focal_px,
        "position": [float(v) for v in camera.position],
        "look_at": [float(v) for v in camera.look_at],
    }


def _truth_json(
    motion: SyntheticMotion, camera: Camera, fps: float, times_s: np.ndarray, render: dict
) -> dict[str, Any]:
    base = motion.truth_dict()
    t0 = float(motion.times_s[0])
    n = len(times_s)
    for c in base["contacts"]:
        c["time_s"] = float(c["time_s"]) - t0
        c["frame"] = int(np.clip(round(c["time_s"] * fps), 0, n - 1))
    for ph in base["phases"]:
        ph["start_s"] = float(ph["start_s"]) - t0
        ph["end_s"] = float(ph["end_s"]) - t0
        ph["start_frame"] = int(np.clip(round(ph["start_s"] * fps), 0, n - 1))
        ph["end_frame"] = int(np.clip(round(ph["end_s"] * fps), 0, n - 1))
    base.update(fps=fps, n_frames=n, camera=_camera_dict(camera), render=render)
    return base


def render_clip(
    motion: SyntheticMotion,
    camera: Camera,
    out_path: str | Path,
    *,
    fps: float = 30.0,
    seed: int = 0,
    appearance: Appearance | None = None,
    scene: Scene | None = None,
    crf: int = 23,
    view: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Render ``motion`` filmed by ``camera`` to an H.264 mp4 and write its truth file.

    Parameters
    ----------
    motion
        Known motion (landmarks per frame plus contacts, phases, metrics, faults).
    camera
        Static camera (see :func:`camera_for_view`).
    out_path
        The ``.mp4`` to write; the truth goes to ``<stem>.truth.npz`` / ``.truth.json``.
    fps
        Frame rate of the clip; the motion is resampled linearly when it differs.
    seed
        Chooses the athlete's look and the field's texture when ``appearance`` /
        ``scene`` are not given; same seed, same bytes.
    crf
        x264 quality (higher = smaller file).
    progress
        Called as ``progress(done, total)`` after each frame.

    Returns
    -------
    dict
        The JSON part of the truth (contacts, phases, metrics, faults, camera, render info).
    """
    from analyzer.video.writer import VideoWriter

    out = Path(out_path)
    appearance = appearance or Appearance.from_seed(seed)
    scene = scene or Scene.from_seed(seed)
    times_s, lm = resample_motion(motion, fps)
    scale = estimate_body_scale(lm)
    rng = np.random.default_rng([seed, 0x401])
    opts = {"threads": "1", "preset": "medium"}
    with VideoWriter(out, fps, (camera.width, camera.height), crf=crf, options=opts) as w:
        for k in range(len(times_s)):
            img = render_frame(lm[k], camera, appearance=appearance, scene=scene,
                               body_scale=scale, rng=rng)  # fmt: skip
            w.write(img)
            if progress is not None:
                progress(k + 1, len(times_s))
    render = {
        "seed": seed,
        "view": view,
        "crf": crf,
        "body_scale": scale,
        "appearance": asdict(appearance),
        "scene": asdict(scene),
        "renderer": "backpedal_dev.synth.render (numpy ray casting)",
    }
    truth = _truth_json(motion, camera, fps, times_s, render)
    image_xy = camera.project(lm)
    depth = camera.to_camera(lm)[..., 2]
    _write_npz(
        truth_path_for(out),
        {
            "times_s": times_s,
            "landmarks_world": lm,
            "image_xy": image_xy,
            "depth_m": depth,
            "camera_K": camera.intrinsics,
            "camera_R": camera.rotation,
            "camera_position": np.asarray(camera.position, float),
            "truth_json": np.array(json.dumps(truth, sort_keys=True)),
        },
    )
    summary = out.with_name(out.stem + ".truth.json")
    summary.write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    return truth
