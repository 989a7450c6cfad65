"""The static world around the synthetic athlete: a grass field with yard lines, a far
stand and a sky, rendered once per static camera, plus the athlete's soft shadow.

A textured background matters: on a plain background MediaPipe's per-frame detector found
plain capsule figures in only 3-20 % of frames (``../shared/design/SYNTHETIC.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from backpedal_dev.synth.camera import Camera

#: Five yards in metres: spacing of the yard lines painted on the field.
FIVE_YARDS_M = 5 * 0.9144


@dataclass(frozen=True)
class Scene:
    """Look of the field, sky and light; every texture is drawn from ``seed``.

    Colours are BGR 0-255. ``sun_dir`` points from the scene towards the sun (world, y up).
    """

    seed: int = 0
    grass: tuple[int, int, int] = (48, 118, 62)
    grass_alt: tuple[int, int, int] = (40, 102, 52)
    line: tuple[int, int, int] = (235, 240, 240)
    sky_low: tuple[int, int, int] = (235, 215, 190)
    sky_high: tuple[int, int, int] = (205, 150, 95)
    stand: tuple[int, int, int] = (70, 80, 85)
    yard_line_spacing_m: float = FIVE_YARDS_M
    yard_line_width_m: float = 0.1016
    line_offset_m: float = 0.0
    field_far_m: float = 45.0
    sun_dir: tuple[float, float, float] = (0.35, 0.85, -0.4)
    ambient: float = 0.5
    shadow_strength: float = 0.45
    noise_sigma: float = 0.0
    supersample: int = 2

    @classmethod
    def from_seed(cls, seed: int) -> Scene:
        """A random, reproducible scene (grass tone, line offset, sun direction)."""
        rng = np.random.default_rng([seed, 0x5CE])
        base = np.array([48, 118, 62]) * rng.uniform(0.85, 1.12, 3)
        alt = base * rng.uniform(0.8, 0.9)
        sun = np.array([rng.uniform(-0.6, 0.6), rng.uniform(0.7, 1.0), rng.uniform(-0.6, 0.2)])
        sun /= np.linalg.norm(sun)
        return cls(
            seed=seed,
            grass=_bgr(base),
            grass_alt=_bgr(alt),
            line_offset_m=float(rng.uniform(0, FIVE_YARDS_M)),
            sun_dir=(float(sun[0]), float(sun[1]), float(sun[2])),
            ambient=float(rng.uniform(0.42, 0.58)),
        )


def _bgr(v: np.ndarray) -> tuple[int, int, int]:
    c = np.clip(v, 0, 255).astype(int)
    return (int(c[0]), int(c[1]), int(c[2]))


@dataclass(frozen=True)
class Background:
    """A pre-rendered static background for one camera.

    ``image`` (H, W, 3) uint8 BGR; ``ground_t`` (H, W) float32 ray length to the ground
    (inf where the ray misses it); ``ground_xz`` (H, W, 2) float32 world x, z of that point.
    """

    image: np.ndarray
    ground_t: np.ndarray
    ground_xz: np.ndarray


def _noise_texture(rng: np.random.Generator, size: int, blur_px: float) -> np.ndarray:
    """Tileable smooth noise in [-1, 1] (size x size)."""
    raw = rng.standard_normal((size, size)).astype(np.float32)
    k = int(blur_px * 3) | 1
    big = np.tile(raw, (3, 3))
    sm = cv2.GaussianBlur(big, (k, k), blur_px)[size : 2 * size, size : 2 * size]
    return sm / (np.abs(sm).max() + 1e-6)


def _sample(tex: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    n = tex.shape[0]
    return tex[np.floor(v).astype(np.int64) % n, np.floor(u).astype(np.int64) % n]


def _ground_colors(scene: Scene, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng([scene.seed, 0x62A55])
    fine = _noise_texture(rng, 256, 1.0)
    mid = _noise_texture(rng, 256, 4.0)
    coarse = _noise_texture(rng, 128, 6.0)
    texel = 0.006  # metres per texel of the fine grass texture
    g = np.asarray(scene.grass, np.float32)
    alt = np.asarray(scene.grass_alt, np.float32)
    stripe = (np.floor((x - scene.line_offset_m) / scene.yard_line_spacing_m) % 2)[..., None]
    col = g * (1 - stripe) + alt * stripe
    shade = (
        0.22 * _sample(fine, x / texel, z / texel)
        + 0.12 * _sample(mid, x / (4 * texel) + 17, z / (4 * texel) + 5)
        + 0.10 * _sample(coarse, x / 0.25, z / 0.25)
    )
    col = col * (1 + shade[..., None])
    xl = (x - scene.line_offset_m) / scene.yard_line_spacing_m
    dist_line = np.abs(xl - np.round(xl)) * scene.yard_line_spacing_m
    on_line = dist_line < scene.yard_line_width_m / 2
    grain = 0.93 + 0.07 * _sample(fine, x / texel, z / texel)
    line = np.asarray(scene.line, np.float32) * grain[..., None]
    return np.where(on_line[..., None], line, col)


def _sky_colors(scene: Scene, d: np.ndarray) -> np.ndarray:
    elev = np.arcsin(np.clip(d[..., 1], -1, 1))
    az = np.arctan2(d[..., 2], d[..., 0])
    w = np.clip(elev / 0.5, 0, 1)[..., None]
    col = np.asarray(scene.sky_low, np.float32) * (1 - w) + np.asarray(scene.sky_high) * w
    # A far stand / tree line along the horizon: irregular height, blotchy texture.
    rng = np.random.default_rng([scene.seed, 0x57A4D])
    prof = _noise_texture(rng, 512, 6.0)[0]
    tex = _noise_texture(rng, 256, 2.0)
    idx = ((az + np.pi) / (2 * np.pi) * 512).astype(np.int64) % 512
    top = 0.035 + 0.02 * prof[idx]
    stand = elev < top
    st = (
        np.asarray(scene.stand, np.float32)
        * (1 + 0.35 * _sample(tex, (az + np.pi) * 900, elev * 900))[..., None]
    )
    return np.where(stand[..., None], st, col)


@lru_cache(maxsize=4)
def render_background(camera: Camera, scene: Scene) -> Background:
    """The static background seen by ``camera``: grass field, yard lines, stand, sky.

    Supersampled ``scene.supersample`` times per axis and averaged, so fine grass texture
    does not alias. Cached for the last few (camera, scene) pairs.
    """
    ss = max(1, int(scene.supersample))
    big = Camera(
        camera.width * ss,
        camera.height * ss,
        camera.focal_px * ss,
        camera.position,
        camera.look_at,
    )
    d = big.ray_directions().astype(np.float32)
    o = np.asarray(camera.position, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d[..., 1] < -1e-6, -o[1] / d[..., 1], np.inf).astype(np.float32)
    gx = o[0] + t * d[..., 0]
    gz = o[2] + t * d[..., 2]
    far = np.hypot(gx - o[0], gz - o[2]) > scene.field_far_m
    ground = np.isfinite(t) & ~far
    img = _sky_colors(scene, d)
    gcol = _ground_colors(scene, np.where(ground, gx, 0), np.where(ground, gz, 0))
    # Distance haze towards the horizon.
    haze = np.clip((np.where(ground, t, 0) - 15) / 60, 0, 0.5)[..., None]
    gcol = gcol * (1 - haze) + np.asarray(scene.sky_low, np.float32) * haze
    img = np.where(ground[..., None], gcol, img)
    h, w = camera.height, camera.width
    img = img.reshape(h, ss, w, ss, 3).mean(axis=(1, 3))
    centre = ss // 2
    t1 = np.where(ground, t, np.inf)[centre::ss, centre::ss]
    xz = np.stack([gx, gz], axis=-1)[centre::ss, centre::ss]
    return Background(
        image=np.clip(img + 0.5, 0, 255).astype(np.uint8),
        ground_t=np.ascontiguousarray(t1, np.float32),
        ground_xz=np.ascontiguousarray(np.nan_to_num(xz), np.float32),
    )


def apply_shadow(
    image: np.ndarray,
    background: Background,
    points_world: np.ndarray,
    radii_m: np.ndarray,
    camera: Camera,
    scene: Scene,
) -> None:
    """Darken the ground under the body in place: a soft shadow cast by blobs.

    Each (point, radius) blob is projected onto the ground along the sun direction; ground
    pixels near a projected blob are darkened (strength falls off with the blob's height).
    """
    sun = np.asarray(scene.sun_dir, float)
    sun = sun / np.linalg.norm(sun)
    p = np.asarray(points_world, float)
    foot = p - sun[None, :] * (p[:, 1:2] / max(sun[1], 0.2))  # onto y = 0 along the sun
    reach = radii_m + 0.1
    lo = foot[:, [0, 2]] - reach[:, None]
    hi = foot[:, [0, 2]] + reach[:, None]
    corners = np.array(
        [[x, 0.0, z] for x in (lo[:, 0].min(), hi[:, 0].max()) for z in (lo[:, 1].min(),
                                                                        hi[:, 1].max())]
    )  # fmt: skip
    uv = camera.project(corners)
    if not np.all(np.isfinite(uv)):
        return
    x0, y0 = np.clip(np.floor(uv.min(axis=0)).astype(int) - 2, 0, [camera.width, camera.height])
    x1, y1 = np.clip(np.ceil(uv.max(axis=0)).astype(int) + 3, 0, [camera.width, camera.height])
    if x1 <= x0 or y1 <= y0:
        return
    xz = background.ground_xz[y0:y1, x0:x1]
    valid = np.isfinite(background.ground_t[y0:y1, x0:x1])
    dark = np.zeros(xz.shape[:2], np.float32)
    for (fx, _, fz), r, h in zip(foot, radii_m, p[:, 1], strict=True):
        d2 = (xz[..., 0] - fx) ** 2 + (xz[..., 1] - fz) ** 2
        soft = r * (1.0 + 0.25 * h)
        dark = np.maximum(dark, np.exp(-d2 / (2 * soft**2)) * (1 / (1 + 0.4 * h)))
    dark *= valid
    patch = image[y0:y1, x0:x1].astype(np.float32)
    patch *= 1 - scene.shadow_strength * dark[..., None]
    image[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)
