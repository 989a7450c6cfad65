"""MediaPipe-like errors added to a noise-free ``PoseTrack`` (deterministic for a given ``rng``).

API
---
``NoiseSpec``                                     the error model's figures (dataclass).
``NoiseSpec.realistic()``, ``NoiseSpec.none()``   presets; ``NoiseSpec.with_foot_offsets()``
                                                  adds MediaPipe's systematic ankle/heel offsets.
``add_mediapipe_noise(track, *, rng, spec=None) -> PoseTrack``
    A copy with per-landmark constant offsets, frame-to-frame scatter, far-side occlusion
    dropouts, left/right leg swaps, whole-skeleton flips and missed frames. What was done is
    recorded in ``meta["noise"]`` (swapped / flipped / missed frame indices, the spec).

Figures (../shared/design/SYNTHETIC.md, MediaPipe on rendered figures, side view, in torso
lengths T = |mid-shoulder − mid-hip|): near-side hip/knee/elbow/shoulder error 0.04–0.06,
far-side limbs 0.05–0.15, a constant per-landmark offset of ~0.05 and frame-to-frame scatter
of ~0.06; legs swapped in 4–7 % of frames in some side-view clips. Defaults: offset SD 0.04
(near) / 0.06 (far) per axis, scatter SD 0.025 (near) / 0.06 (far) with frame-to-frame
correlation 0.5, leg swaps in ~5 % of frames (runs of 1–4 frames), a whole-skeleton flip in
0.5 % of frames (isolated), far-side dropouts (visibility < 0.5, scatter doubled) in 3 % of
far-side landmark-frames, 0.5 % missed frames. World landmarks get the same errors in
metres (torso ≈ its 3D length) with depth (z) errors doubled, since MediaPipe's z is the
weakest axis [S:23].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from analyzer import skeleton as sk
from analyzer.pose.track import PoseTrack


@dataclass(frozen=True)
class NoiseSpec:
    """Error model figures (fractions of torso length unless stated)."""

    offset_near: float = 0.04
    offset_far: float = 0.06
    scatter_near: float = 0.025
    scatter_far: float = 0.06
    scatter_corr: float = 0.5
    leg_swap_frac: float = 0.05
    leg_swap_max_run: int = 4
    flip_frac: float = 0.005
    far_dropout_frac: float = 0.03
    missed_frame_frac: float = 0.005
    visibility_sd: float = 0.02
    world_depth_factor: float = 2.0
    ankle_up_m: float = 0.0
    heel_down_m: float = 0.0
    heel_forward_m: float = 0.0

    @classmethod
    def realistic(cls) -> NoiseSpec:
        """The defaults (SYNTHETIC.md figures)."""
        return cls()

    @classmethod
    def with_foot_offsets(cls) -> NoiseSpec:
        """Defaults plus MediaPipe's systematic foot offsets seen on rendered figures
        (SYNTHETIC.md): ankle ~3 cm above the joint centre, heel ~3 cm lower and forward."""
        return cls(ankle_up_m=0.03, heel_down_m=0.03, heel_forward_m=0.03)

    @classmethod
    def none(cls) -> NoiseSpec:
        """No errors at all (useful to check a pipeline path)."""
        return cls(0, 0, 0, 0, 0.0, 0.0, 1, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], rho: float) -> np.ndarray:
    """Unit-variance AR(1) noise along axis 0."""
    w = rng.standard_normal(shape)
    out = np.empty(shape)
    out[0] = w[0]
    k = np.sqrt(1.0 - rho * rho)
    for t in range(1, shape[0]):
        out[t] = rho * out[t - 1] + k * w[t]
    return out


def _swap_runs(
    rng: np.random.Generator, n: int, frac: float, max_run: int, *, isolated: bool = False
) -> np.ndarray:
    """Boolean mask of frames covered by random runs, about ``frac`` of ``n``."""
    mask = np.zeros(n, bool)
    target = round(frac * n)
    tries = 0
    while mask.sum() < target and tries < 10 * n:
        tries += 1
        length = 1 if isolated else int(rng.integers(1, max_run + 1))
        start = int(rng.integers(1, max(2, n - length)))
        lo, hi = max(0, start - 2), min(n, start + length + 2)
        if mask[lo:hi].any():
            continue
        mask[start : start + length] = True
    return mask


def _swap(arr: np.ndarray, frames: np.ndarray, left: tuple, right: tuple) -> None:
    li, ri = list(left), list(right)
    tmp = arr[frames][:, li].copy()
    sub = arr[frames]
    sub[:, li] = sub[:, ri]
    sub[:, ri] = tmp
    arr[frames] = sub


def _far_side(track: PoseTrack) -> np.ndarray:
    """(T, 33) bool: landmark further from the camera than the hip centre by > 5 cm."""
    if track.world_xyz is not None:
        return np.asarray(track.world_xyz[..., 2] > 0.05)
    return np.asarray(track.visibility < 0.9)


def _torso_lengths(xy: np.ndarray, world: np.ndarray | None) -> tuple[float, float]:
    """Median torso length in pixels and in metres (0.5 m without world landmarks)."""
    torso_px = float(
        np.nanmedian(np.linalg.norm(0.5 * (xy[:, 11] + xy[:, 12] - xy[:, 23] - xy[:, 24]), axis=-1))
    )
    if world is None:
        return torso_px, 0.5
    d = 0.5 * (world[:, 11] + world[:, 12] - world[:, 23] - world[:, 24])
    return torso_px, float(np.nanmedian(np.linalg.norm(d, axis=-1)))


def _foot_offsets(xy: np.ndarray, px_per_m: float, spec: NoiseSpec) -> None:
    """Systematic ankle/heel offsets in place (image up = -y; forward = heel→toe)."""
    if not (spec.ankle_up_m or spec.heel_down_m or spec.heel_forward_m):
        return
    for ankle, heel, toe in ((27, 29, 31), (28, 30, 32)):
        fwd = xy[:, toe] - xy[:, heel]
        fwd /= np.maximum(np.linalg.norm(fwd, axis=1, keepdims=True), 1e-9)
        xy[:, ankle, 1] -= spec.ankle_up_m * px_per_m
        xy[:, heel, 1] += spec.heel_down_m * px_per_m
        xy[:, heel] += spec.heel_forward_m * px_per_m * fwd


def _position_errors(
    track: PoseTrack, xy, vis, world, rng: np.random.Generator, spec: NoiseSpec
) -> tuple[np.ndarray, float]:
    """Add offsets, scatter and far-side dropouts in place; return (visibility, torso_px)."""
    far = _far_side(track)
    torso_px, torso_m = _torso_lengths(xy, world)
    _foot_offsets(xy, torso_px / torso_m, spec)
    offset_sd = np.where(far, spec.offset_far, spec.offset_near)  # (T, 33)
    scatter_sd = np.where(far, spec.scatter_far, spec.scatter_near)
    dropout = far & (rng.random(far.shape) < spec.far_dropout_frac)
    scatter_sd = np.where(dropout, 2.0 * scatter_sd, scatter_sd)
    const = rng.standard_normal((1, 33, 3))
    jitter = _ar1(rng, (track.n_frames, 33, 3), spec.scatter_corr)
    err = offset_sd[..., None] * const + scatter_sd[..., None] * jitter  # torso lengths
    xy += torso_px * err[..., :2]
    if world is not None:
        werr = torso_m * err
        werr[..., 2] *= spec.world_depth_factor
        world += werr
    vis = np.where(dropout, rng.uniform(0.15, 0.45, vis.shape), vis)
    vis = np.clip(vis + spec.visibility_sd * rng.standard_normal(vis.shape), 0.0, 1.0)
    return vis, torso_px


def add_mediapipe_noise(
    track: PoseTrack, *, rng: np.random.Generator, spec: NoiseSpec | None = None
) -> PoseTrack:
    """Return ``track`` with MediaPipe-like errors (see the module docstring).

    Parameters
    ----------
    track
        A noise-free track (``projection.project_to_track``).
    rng
        Source of randomness (same seed → same output).
    spec
        Error figures; ``NoiseSpec.realistic()`` by default.
    """
    spec = spec or NoiseSpec.realistic()
    n = track.n_frames
    xy = track.image_xy.astype(np.float64).copy()
    world = None if track.world_xyz is None else track.world_xyz.astype(np.float64).copy()
    vis, torso_px = _position_errors(
        track, xy, track.visibility.astype(np.float64), world, rng, spec
    )
    swapped = _swap_runs(rng, n, spec.leg_swap_frac, spec.leg_swap_max_run)
    flipped = _swap_runs(rng, n, spec.flip_frac, 1, isolated=True) & ~swapped
    left_all = tuple(i for i, j in sk.LEFT_RIGHT_PAIRS)
    right_all = tuple(j for i, j in sk.LEFT_RIGHT_PAIRS)
    for arr in (xy, vis, world):
        if arr is not None:
            _swap(arr, swapped, sk.LEFT_LEG, sk.RIGHT_LEG)
            _swap(arr, flipped, left_all, right_all)
    missed = _swap_runs(rng, n, spec.missed_frame_frac, 1, isolated=True)
    xy[missed], vis[missed] = np.nan, 0.0
    if world is not None:
        world[missed] = np.nan
    meta = dict(track.meta)
    meta["noise"] = {
        "spec": asdict(spec),
        "leg_swapped_frames": np.flatnonzero(swapped).tolist(),
        "flipped_frames": np.flatnonzero(flipped).tolist(),
        "missed_frames": np.flatnonzero(missed).tolist(),
        "torso_px": torso_px,
    }
    return track.with_arrays(
        image_xy=xy.astype(np.float32),
        visibility=vis.astype(np.float32),
        world_xyz=None if world is None else world.astype(np.float32),
        model=f"{track.model}+mediapipe-like-noise",
        meta=meta,
    )


def noise_summary(clean: PoseTrack, noisy: PoseTrack) -> dict[str, Any]:
    """Median per-landmark image error of ``noisy`` vs ``clean`` in torso lengths."""
    sh = 0.5 * (clean.image_xy[:, 11] + clean.image_xy[:, 12])
    hp = 0.5 * (clean.image_xy[:, 23] + clean.image_xy[:, 24])
    torso = float(np.nanmedian(np.linalg.norm(sh - hp, axis=-1)))
    err = np.linalg.norm(noisy.image_xy - clean.image_xy, axis=-1) / torso
    return {
        "median_error_torso": float(np.nanmedian(err[:, list(sk.BODY_LANDMARKS)])),
        "per_landmark": np.nanmedian(err, axis=0).tolist(),
    }
