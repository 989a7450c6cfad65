"""The synthetic-athlete renderer: exact ray intersections, joints inside the body, clips
with truth files that reproduce byte for byte."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pytest

from analyzer import skeleton as sk
from backpedal_dev.synth import render as rd
from backpedal_dev.synth.body import Appearance, build_body
from backpedal_dev.synth.camera import Camera, side_camera
from backpedal_dev.synth.scene import Scene


def _sd_round_cone(p: np.ndarray, a, b, r1: float, r2: float) -> np.ndarray:
    """Signed distance to a round cone (Inigo Quilez's sdRoundCone), independent reference."""
    ba = b - a
    l2 = ba @ ba
    rr = r1 - r2
    a2 = l2 - rr * rr
    il2 = 1.0 / l2
    pa = p - a
    y = pa @ ba
    z = y - l2
    x2 = np.sum((pa * l2 - np.outer(y, ba)) ** 2, axis=1)
    y2, z2 = y * y * l2, z * z * l2
    k = np.sign(rr) * rr * rr * x2
    out = (np.sqrt(x2 * a2 * il2) + y * rr) * il2 - r1
    out = np.where(np.sign(y) * a2 * y2 < k, np.sqrt(x2 + y2) * il2 - r1, out)
    return np.where(np.sign(z) * a2 * z2 > k, np.sqrt(x2 + z2) * il2 - r2, out)


def _rays(n: int, rng: np.random.Generator) -> np.ndarray:
    d = rng.normal(size=(n, 3)) * [0.08, 0.08, 1.0] + [0, 0, 1.0]
    return d / np.linalg.norm(d, axis=1, keepdims=True)


@pytest.mark.parametrize("radii", [(0.08, 0.05), (0.04, 0.07), (0.06, 0.06)])
def test_round_cone_hits_lie_on_the_surface_and_are_first(radii):
    rng = np.random.default_rng(1)
    o = np.zeros(3)
    a, b = np.array([0.05, -0.1, 3.0]), np.array([-0.1, 0.25, 3.3])
    d = _rays(4000, rng)
    t = rd._cone_t(o, d, a, b, *radii)
    hit = np.isfinite(t)
    assert 0.1 < hit.mean() < 0.9  # the test rays do both
    sd_hit = _sd_round_cone(o + t[hit, None] * d[hit], a, b, *radii)
    np.testing.assert_allclose(sd_hit, 0.0, atol=1e-9)
    # Nothing inside the shape before the hit, and misses never enter it.
    for frac in np.linspace(0.0, 0.999, 40):
        tt = np.where(hit, np.where(hit, t, 0.0) * frac, 2.5 + 1.5 * frac)
        assert np.all(_sd_round_cone(o + tt[:, None] * d, a, b, *radii) > -1e-9)


def test_round_cone_normals_match_the_distance_gradient():
    rng = np.random.default_rng(2)
    a, b, ra, rb = np.array([0.0, 0.0, 3.0]), np.array([0.1, 0.3, 3.1]), 0.09, 0.05
    d = _rays(3000, rng)
    t = rd._cone_t(np.zeros(3), d, a, b, ra, rb)
    p = t[np.isfinite(t), None] * d[np.isfinite(t)]
    n, axial = rd._cone_normals(p, a, b, ra, rb)
    eps = 1e-6
    grad = np.stack([(_sd_round_cone(p + eps * e, a, b, ra, rb)
                      - _sd_round_cone(p - eps * e, a, b, ra, rb)) / (2 * eps)
                     for e in np.eye(3)], axis=1)  # fmt: skip
    np.testing.assert_allclose(n, grad / np.linalg.norm(grad, axis=1, keepdims=True), atol=1e-4)
    assert np.all((axial >= 0) & (axial <= 1))


def test_ellipsoid_intersection_is_exact():
    rng = np.random.default_rng(3)
    c = np.array([0.02, 0.01, 2.0])
    rot = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    axes = np.array([0.2, 0.1, 0.15])
    d = _rays(3000, rng)
    t = rd._ellipsoid_t(np.zeros(3), d, c, rot, axes)
    hit = np.isfinite(t)
    assert 0.1 < hit.mean() < 0.95
    local = ((t[hit, None] * d[hit]) - c) @ rot.T / axes
    np.testing.assert_allclose(np.linalg.norm(local, axis=1), 1.0, atol=1e-9)


def _standing_landmarks() -> np.ndarray:
    from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal

    return generate_backpedal(BackpedalParams.clean(fps=30.0, backpedal_steps=4)).landmarks_world


def _distance(body, p: np.ndarray) -> float:
    """Distance from ``p`` to the figure (< 0 inside; ellipsoids approximately)."""
    cones = [
        _sd_round_cone(p[None], a, b, ra, rb)[0]
        for a, b, ra, rb in zip(body.cone_a, body.cone_b, body.cone_ra, body.cone_rb, strict=True)
    ]
    ells = [
        (np.linalg.norm((p - c) @ rot.T / ax) - 1) * ax.min()
        for c, rot, ax in zip(body.ell_c, body.ell_rot, body.ell_axes, strict=True)
    ]
    return float(min(cones + ells))


JOINTS = (sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER, sk.LEFT_ELBOW, sk.RIGHT_ELBOW, sk.LEFT_WRIST,
          sk.RIGHT_WRIST, sk.LEFT_HIP, sk.RIGHT_HIP, sk.LEFT_KNEE, sk.RIGHT_KNEE, sk.LEFT_ANKLE,
          sk.RIGHT_ANKLE)  # fmt: skip
SURFACE = (sk.NOSE, sk.LEFT_EAR, sk.RIGHT_EAR, sk.LEFT_HEEL, sk.RIGHT_HEEL, sk.LEFT_TOE,
           sk.RIGHT_TOE)  # fmt: skip


def test_joint_centres_are_inside_the_figure_and_surface_points_on_it():
    lm_all = _standing_landmarks()
    for lm in lm_all[::10]:
        body = build_body(lm, Appearance())
        for i in JOINTS:
            assert _distance(body, lm[i]) < -0.01, sk.LANDMARK_NAMES[i]  # well inside
        for i in SURFACE:
            assert -0.025 < _distance(body, lm[i]) < 0.015, sk.LANDMARK_NAMES[i]


def test_render_frame_is_deterministic_and_draws_the_athlete():
    lm = _standing_landmarks()[20]
    cam = side_camera(side="left", center_x_m=float(lm[23, 0]), distance_m=4.0,
                      width=320, height=240, focal_px=300.0)  # fmt: skip
    ap, sc = Appearance.from_seed(5), Scene.from_seed(5)
    img1 = rd.render_frame(lm, cam, appearance=ap, scene=sc)
    img2 = rd.render_frame(lm, cam, appearance=ap, scene=sc)
    assert img1.shape == (240, 320, 3) and img1.dtype == np.uint8
    assert np.array_equal(img1, img2)
    away = lm + np.array([100.0, 0.0, 0.0])  # the athlete far out of view
    empty = rd.render_frame(away, cam, appearance=ap, scene=sc)
    changed = np.any(img1 != empty, axis=2)
    uv = cam.project(lm)
    for i in (sk.LEFT_HIP, sk.LEFT_KNEE, sk.LEFT_SHOULDER, sk.NOSE):
        x, y = np.round(uv[i]).astype(int)
        assert changed[y, x], sk.LANDMARK_NAMES[i]
    # The figure is about as tall in the image as the landmarks say.
    rows = np.flatnonzero(changed.any(axis=1))
    span = uv[:, 1].max() - uv[:, 1].min()
    assert 0.9 * span < np.ptp(rows) < 1.35 * span


def test_clip_and_truth_are_reproducible(tmp_path: Path):
    from backpedal_dev.synth.clips import camera_for_view, load_truth, render_clip
    from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal

    params = BackpedalParams.clean(
        fps=30.0, backpedal_steps=2, sprint_steps=1, ready_duration_s=0.2
    )
    motion = generate_backpedal(params)
    cam = camera_for_view("side_right", motion.landmarks_world, width=320, height=180)
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run / "clip.mp4"
        render_clip(motion, cam, out, fps=15.0, seed=3, view="side_right")
        outs.append(out)
    for name in ("clip.mp4", "clip.truth.npz", "clip.truth.json"):
        assert filecmp.cmp(outs[0].parent / name, outs[1].parent / name, shallow=False), name
    truth = load_truth(outs[0])
    n = truth["times_s"].shape[0]
    assert n == int(np.floor(motion.times_s[-1] * 15.0 + 1e-6)) + 1
    assert truth["image_xy"].shape == (n, 33, 2) and truth["landmarks_world"].shape == (n, 33, 3)
    np.testing.assert_allclose(truth["image_xy"], cam.project(truth["landmarks_world"]))
    uv = truth["image_xy"].reshape(-1, 2)
    assert np.all((uv >= 0) & (uv <= [320, 180]))  # the whole motion stays in frame
    meta = truth["truth"]
    assert meta["fps"] == 15.0 and meta["render"]["seed"] == 3 and meta["faults"] == []
    assert {p["kind"] for p in meta["phases"]} >= {"ready", "backpedal"}
    assert all(0 <= c["frame"] < n for c in meta["contacts"])


@pytest.mark.parametrize("view", ["side_left", "side_right", "front", "diagonal"])
def test_camera_for_view_frames_the_whole_motion(view):
    from backpedal_dev.synth.clips import camera_for_view

    lm = _standing_landmarks()
    cam = camera_for_view(view, lm, width=640, height=360)
    uv = cam.project(lm).reshape(-1, 2)
    assert np.all((uv > 0) & (uv < [640, 360]))
    z = cam.to_camera(lm)[..., 2]
    assert np.all(z > 1.0)
    side = cam.to_camera(lm[:, sk.LEFT_HIP])[:, 2] < cam.to_camera(lm[:, sk.RIGHT_HIP])[:, 2]
    if view == "side_left":
        assert side[:5].all()  # the athlete's left side faces the camera at the start
    if view == "side_right":
        assert not side[:5].any()


def test_camera_rejects_unknown_view():
    from backpedal_dev.synth.clips import camera_for_view

    with pytest.raises(ValueError, match="unknown view"):
        camera_for_view("overhead", _standing_landmarks())


def test_background_is_cached_per_camera():
    from backpedal_dev.synth.scene import render_background

    cam = Camera(160, 90, 150.0, (0.0, 1.0, -5.0), (0.0, 1.0, 0.0))
    assert render_background(cam, Scene()) is render_background(cam, Scene())
