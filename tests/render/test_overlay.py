"""Frame overlays: skeleton, measurement geometry and text, known answers from the stick figure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer import skeleton as sk
from analyzer.render.overlay import (
    LEFT_COLOUR,
    FrameOverlay,
    Measurement,
    annotate,
    athlete_box,
    crop_overlay,
    draw_skeleton,
    format_band,
    format_value,
)
from analyzer.render.scene import (
    band_limits,
    finding_measurement,
    finding_overlay,
    frame_overlay,
    phase_label,
)
from analyzer.results import FindingBand
from tests.render.factories import make_result, render_frames


@pytest.fixture(scope="module")
def result():
    return make_result()


@pytest.fixture(scope="module")
def frames(result):
    return dict(render_frames(result.motion.track))


def test_annotate_returns_new_frame_and_leaves_input_alone(result, frames):
    frame = frames[20]
    before = frame.copy()
    out = annotate(frame, frame_overlay(result, 20))
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert out is not frame
    np.testing.assert_array_equal(frame, before)
    assert np.any(out != frame)


def test_skeleton_is_drawn_on_the_left_thigh_in_the_left_colour(result, frames):
    xy = result.motion.track.image_xy[20]
    blank = np.zeros_like(frames[20])
    vis = np.ones(33)
    vis[[i for i, n in enumerate(sk.LANDMARK_NAMES) if not n.startswith("left_")]] = 0.0
    out = draw_skeleton(blank, xy, vis)
    mid = (xy[sk.LEFT_HIP] + xy[sk.LEFT_KNEE]) / 2
    x, y = round(float(mid[0])), round(float(mid[1]))
    patch = out[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3)
    assert any(np.abs(p.astype(int) - LEFT_COLOUR).max() < 40 for p in patch)
    far = out[:20, :20]
    assert not far.any()


def test_invisible_landmarks_are_not_drawn(result, frames):
    xy = result.motion.track.image_xy[20]
    out = draw_skeleton(np.zeros_like(frames[20]), xy, np.zeros(33), min_visibility=0.5)
    assert not out.any()


def test_format_band_and_value_known_answers():
    assert format_band((45.0, 75.0), "°") == "45–75°"
    assert format_band((None, 0.25), "", digits=2) == "at most 0.25"
    assert format_band((50.0, None), "°") == "at least 50°"
    assert format_band((None, None), "°") == ""
    assert format_value(38.4, "°") == "38°"
    assert format_value(0.934, "× leg", digits=2) == "0.93 × leg"
    assert format_value(None, "°") == "—"
    assert format_value(math.nan, "°") == "—"


def test_measurement_in_band():
    m = Measurement("angle", ((0, 0), (1, 1), (2, 0)), 40.0, "°", (45.0, 75.0))
    assert m.in_band is False
    assert Measurement("angle", m.points, 50.0, "°", (45.0, 75.0)).in_band is True
    assert Measurement("angle", m.points, 50.0, "°", (None, None)).in_band is None
    assert Measurement("angle", m.points, 20.0, "°", (None, 30.0)).in_band is True


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        (FindingBand("x", "", good=(0.78, 0.91), ok=(0.7, 0.95)), (0.78, 0.91)),
        (FindingBand("x", "", good=(None, 0.25)), (None, 0.25)),
        (FindingBand("x", "", good=(1, 2)), (1.0, 2.0)),
        (FindingBand("x", "points", fault_above=3.0), (None, None)),
        (None, (None, None)),
    ],
)
def test_band_limits_shapes(band, expected):
    assert band_limits(band) == expected


def test_knee_measurement_uses_camera_side_hip_knee_ankle_and_shows_the_flexion(result):
    finding = next(f for f in result.faults.findings if f.metric == "knee_flexion_deg")
    m = finding_measurement(result.motion, finding)
    assert m is not None and m.kind == "bend"
    xy = result.motion.track.image_xy[finding.key_frame]
    for p, idx in zip(m.points, (sk.LEFT_HIP, sk.LEFT_KNEE, sk.LEFT_ANKLE), strict=True):
        np.testing.assert_allclose(p, xy[idx], atol=1e-4)
    # the drawn bend (thigh continuation vs shank) is the flexion the series reports
    a, v, c = (np.asarray(p) for p in m.points)
    u, w = v - a, c - v
    bend = math.degrees(math.acos(np.dot(u, w) / np.linalg.norm(u) / np.linalg.norm(w)))
    assert bend == pytest.approx(
        result.motion.series["knee_flexion_deg"][finding.key_frame], abs=0.1
    )
    assert m.value == pytest.approx(finding.value)
    assert m.band == (45.0, 75.0) and m.unit == "°"
    assert m.in_band is False


def test_hip_height_measurement_is_vertical_from_hips_to_ground(result):
    finding = next(f for f in result.faults.findings if f.id == "standing_tall")
    m = finding_measurement(result.motion, finding)
    assert m is not None and m.kind == "distance"
    (x0, y0), (x1, y1) = m.points
    assert x0 == pytest.approx(x1)
    xy = result.motion.track.image_xy[finding.key_frame]
    assert y0 == pytest.approx(float(xy[[23, 24], 1].mean()), abs=1e-3)
    assert y1 == pytest.approx(float(np.nanmax(xy[[27, 28, 29, 30, 31, 32], 1])), abs=1e-3)


def test_finding_overlay_draws_title_and_highlights_the_measured_joints(result, frames):
    finding = result.faults.findings[1]
    ov = finding_overlay(result, finding)
    assert ov.title == finding.title
    assert set(ov.highlight) == {sk.LEFT_HIP, sk.LEFT_KNEE, sk.LEFT_ANKLE}
    out = annotate(frames[finding.key_frame], ov)
    assert out.shape == frames[finding.key_frame].shape


def test_frame_overlay_live_metrics_phase_and_events(result):
    motion = result.motion
    ov = frame_overlay(result, 20)
    names = dict(ov.metrics)
    assert names["Trunk lean"] == "20°"
    expected_knee = f"{motion.series['knee_flexion_deg'][20]:.0f}°"
    assert names["Knee bend"] == expected_knee
    assert ov.phase == "backpedal"
    assert frame_overlay(result, 0).phase == "ready stance"
    assert frame_overlay(result, 47).phase == "transition (turn and run)"
    td = next(e for e in motion.events if e.kind == "touchdown")
    assert f"{td.foot.capitalize()} foot down" in frame_overlay(result, td.frame + 2).events
    assert f"{td.foot.capitalize()} foot down" not in frame_overlay(result, td.frame + 12).events
    n_td = sum(1 for e in motion.events if e.kind == "touchdown" and e.frame <= 40)
    assert names.get("Steps") is not None and dict(frame_overlay(result, 40).metrics)[
        "Steps"
    ] == str(n_td)


def test_phase_label_with_reps(result):
    p = result.motion.phases[1]
    assert phase_label(p, n_reps=2) == "backpedal · rep 1"
    assert phase_label(None) == ""


def test_crop_moves_landmarks_with_the_pixels(result, frames):
    ov = frame_overlay(result, 20)
    frame = frames[20].copy()
    knee = result.motion.track.image_xy[20, sk.LEFT_KNEE]
    frame[round(float(knee[1])), round(float(knee[0]))] = (1, 2, 3)
    box = athlete_box(ov.landmarks_xy, result.motion.track.image_size)
    x0, y0, x1, y1 = box
    assert 0 <= x0 < x1 <= frame.shape[1] and 0 <= y0 < y1 <= frame.shape[0]
    assert (x1 - x0) / (y1 - y0) == pytest.approx(4 / 3, abs=0.02) or (x1 - x0) == frame.shape[1]
    cropped, moved = crop_overlay(frame, ov, box, out_height=2 * (y1 - y0), max_upscale=2)
    k = cropped.shape[0] / (y1 - y0)
    assert k == pytest.approx(2.0, abs=0.01)
    np.testing.assert_allclose(moved.landmarks_xy[sk.LEFT_KNEE], (knee - [x0, y0]) * k, atol=1e-3)


def test_text_stays_inside_the_frame():
    frame = np.zeros((120, 160, 3), np.uint8)
    m = Measurement(
        "distance", ((150.0, 100.0), (158.0, 100.0)), 0.97, "", (0.78, 0.91), "hip height"
    )
    out = annotate(frame, FrameOverlay(measurements=(m,)))
    assert out[:, -1].any() or out[:, -3].any()  # the box reaches the edge but is clamped
    assert out[:, :100].any()  # the label was pushed left, inside the frame


def test_a_fraction_metric_is_labelled_by_its_own_name_not_the_geometry(result):
    from dataclasses import replace

    f = replace(
        result.faults.findings[0],
        id="on_heels",
        metric="forefoot_stance_fraction",
        value=0.29,
        unit="",
        band=FindingBand("", "", good=(0.7, None)),
    )
    m = finding_measurement(result.motion, f)
    assert m is not None and m.kind == "angle"  # the foot is shown ...
    assert m.label == "Time on the balls of the feet"  # ... but not called "foot pitch"
    assert m.band == (0.7, None) and m.in_band is False
