"""Ray-cast a clothed synthetic athlete into a video frame (numpy + OpenCV, no GL).

``render_frame(landmarks_world, camera, appearance=..., scene=...)`` returns a BGR image of
the figure built by :mod:`backpedal_dev.synth.body` standing on the field of
:mod:`backpedal_dev.synth.scene`. Speed comes from three things: the background is rendered once
per static camera; each primitive is intersected only with the rays inside its own
projected bounding box; and every ray of a frame starts at the same camera centre, so the
per-ray work of a primitive is one (N, 3) @ (3, k) product plus a few element-wise ops.

Round-cone intersection: Inigo Quilez, "Rounded cone - intersection"
(https://iquilezles.org/articles/intersectors/), vectorised over rays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analyzer import skeleton as sk
from backpedal_dev.synth.body import Appearance, Body, build_body, material_colors
from backpedal_dev.synth.camera import Camera
from backpedal_dev.synth.scene import Scene, apply_shadow, render_background

_DEFAULT_APPEARANCE = Appearance()
_DEFAULT_SCENE = Scene()


@lru_cache(maxsize=2)
def _rays(camera: Camera) -> np.ndarray:
    """(H, W, 3) float64 unit ray directions, cached per camera."""
    d = camera.ray_directions().astype(np.float64)
    d.setflags(write=False)
    return d


@dataclass
class _Rect:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0


def _screen_rect(camera: Camera, centres: np.ndarray, radii: np.ndarray) -> _Rect:
    """Conservative pixel rectangle covering spheres (centres (k, 3), radii (k,))."""
    pc = camera.to_camera(centres)
    z = pc[:, 2] - radii
    if np.any(z <= 0.05):
        return _Rect(0, 0, camera.width, camera.height)
    uv = camera.project(centres)
    r_px = camera.focal_px * radii / z * 1.15 + 2.0
    x0 = int(np.floor((uv[:, 0] - r_px).min()))
    x1 = int(np.ceil((uv[:, 0] + r_px).max())) + 1
    y0 = int(np.floor((uv[:, 1] - r_px).min()))
    y1 = int(np.ceil((uv[:, 1] + r_px).max())) + 1
    return _Rect(max(x0, 0), max(y0, 0), min(x1, camera.width), min(y1, camera.height))


def _cone_t(o: np.ndarray, d: np.ndarray, a: np.ndarray, b: np.ndarray, ra: float,
            rb: float) -> np.ndarray:  # fmt: skip
    """Ray length to a round cone (inf where missed) for rays ``o + t d``, d (N, 3)."""
    ba, oa, ob = b - a, o - a, o - b
    rr = ra - rb
    m0 = float(ba @ ba)
    m1 = float(ba @ oa)
    m5 = float(oa @ oa)
    m7 = float(ob @ ob)
    proj = d @ np.stack([ba, oa, ob], axis=1)  # (N, 3): m2, m3, m6
    m2, m3, m6 = proj[:, 0], proj[:, 1], proj[:, 2]
    t = np.full(len(d), np.inf)
    d2 = m0 - rr * rr
    if d2 > 1e-10:
        k2 = d2 - m2 * m2
        k1 = d2 * m3 - m1 * m2 + m2 * rr * ra
        k0 = d2 * m5 - m1 * m1 + m1 * rr * ra * 2.0 - m0 * ra * ra
        h = k1 * k1 - k0 * k2
        ok = h >= 0
        with np.errstate(invalid="ignore", divide="ignore"):
            tb = (-np.sqrt(np.where(ok, h, 0)) - k1) / k2
        y = m1 - ra * rr + tb * m2
        body = ok & (y > 0) & (y < d2) & (tb > 0)
        t[body] = tb[body]
    else:  # one sphere inside the other: the bigger one is the shape
        if rb > ra:
            ra, m3, m5 = rb, m6, m7
        rb = 0.0
    for mm, cc, rad in ((m3, m5, ra), (m6, m7, rb)):
        if rad <= 0:
            continue
        hh = mm * mm - cc + rad * rad
        hit = hh > 0
        ts = -mm - np.sqrt(np.where(hit, hh, 0))
        better = hit & (ts > 0) & (ts < t)
        t[better] = ts[better]
    return t


def _ellipsoid_t(o: np.ndarray, d: np.ndarray, c: np.ndarray, rot: np.ndarray,
                 axes: np.ndarray) -> np.ndarray:  # fmt: skip
    """Ray length to an oriented ellipsoid (rows of ``rot`` = its axes), inf where missed."""
    m = rot.T / axes  # world -> scaled local, as a right-multiplication
    ol = (o - c) @ m
    dl = d @ m
    qa = np.einsum("ij,ij->i", dl, dl)
    qb = dl @ ol
    qc = float(ol @ ol) - 1.0
    h = qb * qb - qa * qc
    hit = h > 0
    t = (-qb - np.sqrt(np.where(hit, h, 0))) / qa
    return np.where(hit & (t > 0), t, np.inf)


def _cone_normals(p: np.ndarray, a: np.ndarray, b: np.ndarray, ra: float,
                  rb: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Outward normals and axial position (0 at a, 1 at b) of points on a round cone."""
    ba = b - a
    m0 = float(ba @ ba)
    length = np.sqrt(m0)
    axial = np.clip((p - a) @ ba / max(m0, 1e-12), 0.0, 1.0)
    if length < 1e-9:
        n = p - a
    else:
        # Tangent point of the cone's side: shift the axial foot by the taper.
        sin_a = (ra - rb) / length
        u = ba / length
        along = (p - a) @ u
        radial = (p - a) - along[:, None] * u
        rn = np.linalg.norm(radial, axis=1, keepdims=True)
        radial_u = radial / np.maximum(rn, 1e-12)
        cos_a = np.sqrt(max(1.0 - sin_a * sin_a, 0.0))
        n_side = radial_u * cos_a + u * sin_a
        foot = along - rn[:, 0] * sin_a / max(cos_a, 1e-9)
        n = np.where((foot <= 0)[:, None], p - a, np.where((foot >= length)[:, None], p - b,
                                                            n_side))  # fmt: skip
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    return n, axial


def _ellipsoid_normals(p: np.ndarray, c: np.ndarray, rot: np.ndarray,
                       axes: np.ndarray) -> np.ndarray:  # fmt: skip
    local = (p - c) @ rot.T / (axes * axes)
    n = local @ rot
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def _primitive_rects(body: Body, camera: Camera) -> list[_Rect]:
    rects = [
        _screen_rect(camera, np.stack([a, b]), np.array([ra, rb]))
        for a, b, ra, rb in zip(body.cone_a, body.cone_b, body.cone_ra, body.cone_rb,
                                strict=True)
    ]  # fmt: skip
    rects += [
        _screen_rect(camera, c[None], np.array([ax.max()]))
        for c, ax in zip(body.ell_c, body.ell_axes, strict=True)
    ]
    return rects


def _union(rects: list[_Rect]) -> _Rect:
    live = [r for r in rects if not r.empty]
    if not live:
        return _Rect(0, 0, 0, 0)
    return _Rect(min(r.x0 for r in live), min(r.y0 for r in live),
                 max(r.x1 for r in live), max(r.y1 for r in live))  # fmt: skip


def _cast(body: Body, camera: Camera, rays: np.ndarray,
          box: _Rect, rects: list[_Rect]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Depth and primitive index per pixel of ``box`` (index -1 = ground/sky)."""
    o = np.asarray(camera.position, float)
    sub = rays[box.y0 : box.y1, box.x0 : box.x1]
    with np.errstate(divide="ignore"):
        depth = np.where(sub[..., 1] < -1e-9, -o[1] / sub[..., 1], np.inf)
    prim = np.full(depth.shape, -1, np.int32)
    n_cones = len(body.cone_a)
    for k, r in enumerate(rects):
        if r.empty:
            continue
        ys, xs = slice(r.y0 - box.y0, r.y1 - box.y0), slice(r.x0 - box.x0, r.x1 - box.x0)
        d = sub[ys, xs].reshape(-1, 3)
        if k < n_cones:
            t = _cone_t(o, d, body.cone_a[k], body.cone_b[k], body.cone_ra[k], body.cone_rb[k])
        else:
            e = k - n_cones
            t = _ellipsoid_t(o, d, body.ell_c[e], body.ell_rot[e], body.ell_axes[e])
        t = t.reshape(r.y1 - r.y0, r.x1 - r.x0)
        dep = depth[ys, xs]
        closer = t < dep
        dep[closer] = t[closer]
        prim[ys, xs][closer] = k
    return depth, prim


def _shade(body: Body, camera: Camera, rays: np.ndarray, box: _Rect, depth: np.ndarray,
           prim: np.ndarray, appearance: Appearance, scene: Scene) -> np.ndarray:  # fmt: skip
    """BGR float colours of the body pixels of ``box`` (zeros elsewhere)."""
    o = np.asarray(camera.position, float)
    sub = rays[box.y0 : box.y1, box.x0 : box.x1]
    out = np.zeros((*depth.shape, 3))
    sun = np.asarray(scene.sun_dir, float)
    sun /= np.linalg.norm(sun)
    n_cones = len(body.cone_a)
    for k in np.unique(prim[prim >= 0]):
        sel = prim == k
        d = sub[sel]
        p = o + depth[sel][:, None] * d
        if k < n_cones:
            n, axial = _cone_normals(p, body.cone_a[k], body.cone_b[k], body.cone_ra[k],
                                     body.cone_rb[k])  # fmt: skip
            mat = int(body.cone_mat[k])
        else:
            e = k - n_cones
            n = _ellipsoid_normals(p, body.ell_c[e], body.ell_rot[e], body.ell_axes[e])
            axial = np.zeros(len(p))
            mat = int(body.ell_mat[e])
        base = material_colors(mat, p, axial, appearance, body)
        diffuse = np.clip(n @ sun, 0, None)
        sky = 0.5 + 0.5 * n[:, 1]
        rim = np.clip(1 + np.einsum("ij,ij->i", n, d), 0, 1) ** 3  # grazing angles
        light = scene.ambient * (0.75 + 0.25 * sky) + (1 - scene.ambient) * diffuse
        out[sel] = base * light[:, None] * (1 - 0.25 * rim[:, None])
    return out


def _shadow_blobs(lm: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    i = sk.INDEX
    sh_m = (lm[sk.LEFT_SHOULDER] + lm[sk.RIGHT_SHOULDER]) / 2
    hp_m = (lm[sk.LEFT_HIP] + lm[sk.RIGHT_HIP]) / 2
    pts = [hp_m, (hp_m + sh_m) / 2, sh_m, lm[sk.NOSE]]
    rad = [0.16, 0.16, 0.15, 0.1]
    for side in ("left", "right"):
        pts += [lm[i[f"{side}_knee"]], lm[i[f"{side}_ankle"]],
                (lm[i[f"{side}_heel"]] + lm[i[f"{side}_foot_index"]]) / 2,
                lm[i[f"{side}_elbow"]], lm[i[f"{side}_wrist"]]]  # fmt: skip
        rad += [0.07, 0.05, 0.07, 0.05, 0.05]
    return np.array(pts), np.array(rad) * scale


def render_frame(
    landmarks_world: np.ndarray,
    camera: Camera,
    *,
    appearance: Appearance = _DEFAULT_APPEARANCE,
    scene: Scene = _DEFAULT_SCENE,
    body_scale: float | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Render the athlete whose joints are at ``landmarks_world`` as seen by ``camera``.

    Parameters
    ----------
    landmarks_world
        (33, 3) landmark positions in metres (world frame of ``backpedal_dev.synth``, y up).
        The figure's joint centres are placed exactly on them.
    camera
        Pinhole camera; its background is rendered once and cached.
    appearance, scene
        Look of the athlete and of the field (see :meth:`Appearance.from_seed`,
        :meth:`Scene.from_seed`).
    body_scale
        Size of the figure's radii relative to the reference adult; default from the torso
        length of this frame (clips pass one value for all frames).
    rng
        Source of sensor noise when ``scene.noise_sigma > 0`` (deterministic per seed).

    Returns
    -------
    np.ndarray
        (H, W, 3) uint8 BGR image.
    """
    body = build_body(landmarks_world, appearance, body_scale=body_scale)
    background = render_background(camera, scene)
    image = background.image.copy()
    blobs, radii = _shadow_blobs(np.asarray(landmarks_world, float), body.head["scale"][0])
    apply_shadow(image, background, blobs, radii, camera, scene)
    rays = _rays(camera)
    rects = _primitive_rects(body, camera)
    box = _union(rects)
    if not box.empty:
        depth, prim = _cast(body, camera, rays, box, rects)
        colors = _shade(body, camera, rays, box, depth, prim, appearance, scene)
        hit = prim >= 0
        region = image[box.y0 : box.y1, box.x0 : box.x1]
        region[hit] = np.clip(colors[hit] + 0.5, 0, 255).astype(np.uint8)
    if scene.noise_sigma > 0:
        gen = rng if rng is not None else np.random.default_rng(scene.seed)
        noise = gen.normal(0.0, scene.noise_sigma, image.shape)
        image = np.clip(image + noise, 0, 255).astype(np.uint8)
    return image
