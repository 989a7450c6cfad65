"""Issue 11: the annotated video shows only what the report judged, red past the limits,
and a banner on each flagged moment; its text is sized from the frame."""

from __future__ import annotations

import dataclasses

import numpy as np

from analyzer.render.overlay import FrameOverlay, annotate, panel_text_px
from analyzer.render.scene import frame_overlay
from analyzer.results import MetricValue, NotAssessable
from tests.render.factories import make_result


def _bands(result, **bands):
    faults = dataclasses.replace(result.faults, metric_bands=bands)
    return dataclasses.replace(result, faults=faults)


def test_live_numbers_only_for_what_the_view_supports() -> None:
    result = make_result()
    names = [n for n, _ in frame_overlay(result, 20).metrics]
    assert {"Hip height", "Trunk lean", "Knee bend"} <= set(names)
    # a front view: hip height and trunk lean are not assessable there
    metrics = dict(result.motion.metrics)
    for key in ("hip_height_ratio", "trunk_lean_deg"):
        metrics[key] = MetricValue(key, None, "", "backpedal", False, reason="film from the side")
    motion = dataclasses.replace(result.motion, metrics=metrics)
    front = dataclasses.replace(result, motion=motion)
    names = [n for n, _ in frame_overlay(front, 20).metrics]
    assert "Hip height" not in names and "Trunk lean" not in names
    # the report's not-assessable list is obeyed too
    gone = dataclasses.replace(
        result.faults, not_assessable=[NotAssessable("knee_flexion_deg", "film from the side")]
    )
    names = [n for n, _ in frame_overlay(dataclasses.replace(result, faults=gone), 20).metrics]
    assert "Knee bend" not in names


def test_a_number_past_its_limits_turns_red_in_the_pedal() -> None:
    result = make_result()
    lean = float(np.nanmedian(result.motion.series["trunk_lean_deg"]))
    inside = _bands(result, trunk_lean_deg={"good": [0, 90], "ok": [-90, 90]})
    assert frame_overlay(inside, 20).alerts == ()
    outside = _bands(result, trunk_lean_deg={"good": [lean + 20, 90], "ok": [lean + 10, 90]})
    assert frame_overlay(outside, 20).alerts == ("Trunk lean",)  # frame 20 is in the pedal
    assert frame_overlay(outside, 2).alerts == ()  # the ready stance is not judged on it


def test_flagged_moments_get_a_banner() -> None:
    result = make_result()
    f = result.faults.findings[0]
    first = f.frames[0][0]
    assert f.title in frame_overlay(result, first).flag
    after = max(b for _, b in (r for g in result.faults.findings for r in g.frames)) + 1
    if after < result.motion.track.n_frames:
        assert frame_overlay(result, after).flag == ""


def test_overlay_text_scales_with_the_frame_height() -> None:
    small, big = np.zeros((360, 640, 3), np.uint8), np.zeros((1080, 1920, 3), np.uint8)
    assert abs(panel_text_px(big) - 3 * panel_text_px(small)) <= 1
    # about 1/22 of the height: ~10 px when a 16:9 video is shown 390 px wide on a phone
    assert panel_text_px(big) / 1080 * (390 / 1920 * 1080) >= 9.5
    out = annotate(big, FrameOverlay(flag="Leaning back", metrics=(("Trunk lean", "-4°"),),
                                     alerts=("Trunk lean",)))  # fmt: skip
    bottom = out[-80:, 700:1220]
    assert (bottom[..., 2] > 150).mean() > 0.2  # a red banner along the bottom
