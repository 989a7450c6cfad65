"""Outputs that cost little: one decode of the clip for the video and the key frames, the
video at most 720p (drawn where the athlete is), each output's cost in result.json, the video
written beside the report and stopped when the rest fails."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import numpy as np
import pytest

import analyzer.video.reader as reader_module
from analyzer import skeleton as sk
from analyzer.export import load_result, read_output_timings
from analyzer.outputs import write_outputs
from analyzer.render.annotate_video import annotate_clip, video_size
from analyzer.render.folder import OUTPUT_TIMINGS, write_render_outputs
from analyzer.render.overlay import LEFT_COLOUR
from analyzer.render.report import collect_frames, embed_video, key_frame_indices
from analyzer.results import AnalysisResult
from tests.render.factories import make_result, write_clip

SCALE = 3  # the stick figure's 640x360 clip drawn at 1920x1080


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, AnalysisResult]:
    r = make_result()
    return write_clip(r.motion.track, tmp_path_factory.mktemp("clip") / "stick.mp4"), r


@pytest.fixture(scope="module")
def full_hd(tmp_path_factory) -> tuple[Path, AnalysisResult]:
    """A 1920x1080 clip of the stick figure and the result whose track matches it."""
    r = make_result(12, with_faults=False)
    track = r.motion.track.with_arrays(
        image_xy=r.motion.track.image_xy * SCALE, image_size=(640 * SCALE, 360 * SCALE)
    )
    r = dataclasses.replace(r, motion=dataclasses.replace(r.motion, track=track))
    return write_clip(track, tmp_path_factory.mktemp("hd") / "hd.mp4"), r


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    opened: list[Path] = []
    real = reader_module.open_container

    def counting(path, *args, **kwargs):
        opened.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(reader_module, "open_container", counting)
    return opened


@pytest.mark.parametrize("with_video", [True, False])
def test_the_clip_is_decoded_once_for_video_and_key_frames(
    tmp_path, small, monkeypatch, with_video
) -> None:
    clip, r = small
    opened = _count_decodes(monkeypatch)
    written = write_outputs(r, tmp_path / "out", clip=clip, with_video=with_video)
    assert opened == [clip]  # one pass: video and key frames together, plots need none
    assert ("annotated.mp4" in written) is with_video
    html = written["report"].read_text()
    assert html.count("data:image/jpeg") == len(key_frame_indices(r)) == 3


def test_video_size_is_at_most_720p_and_even() -> None:
    assert video_size(1920, 1080) == (1280, 720)
    assert video_size(1080, 1920) == (720, 1280)
    assert video_size(3840, 2160) == (1280, 720)
    assert video_size(720, 1280) == (720, 1280)  # never scaled up
    assert video_size(639, 359) == (638, 358)
    assert video_size(1000, 1333) == (960, 1280)


def test_a_full_hd_clip_gives_a_720p_video_drawn_on_the_athlete(tmp_path, full_hd) -> None:
    from analyzer.video import iter_frames, probe_video

    clip, r = full_hd
    path, kept = annotate_clip(clip, r, tmp_path / "a.mp4", keep_frames=[5])
    info = probe_video(path)
    assert (info.width, info.height) == (1280, 720)
    assert kept[5].shape == (1080, 1920, 3)  # key frames stay full size, as a re-read gives
    np.testing.assert_array_equal(kept[5], collect_frames(clip, [5])[5])
    frames = {f.index: f.image for f in iter_frames(path)}
    assert len(frames) == r.motion.track.n_frames
    # the left thigh is drawn in the left-side colour where it is in the scaled picture
    k = 1280 / 1920
    for i in (2, 8):
        xy = r.motion.track.image_xy[i]
        x, y = ((xy[sk.LEFT_HIP] + xy[sk.LEFT_KNEE]) / 2 * k).round().astype(int)
        assert np.abs(frames[i][y, x].astype(int) - LEFT_COLOUR).max() < 60, (i, frames[i][y, x])


def test_the_report_says_the_video_was_scaled_down(tmp_path, full_hd, small) -> None:
    clip, r = full_hd
    html = write_render_outputs(r, tmp_path / "hd", clip=clip)["report.html"].read_text()
    assert "scaled down to 1280x720 (the clip is 1920x1080)" in html
    clip, r = small
    html = write_render_outputs(r, tmp_path / "sd", clip=clip)["report.html"].read_text()
    assert "scaled down" not in html


def test_each_output_cost_is_in_result_json(tmp_path, small) -> None:
    clip, r = small
    written = write_outputs(r, tmp_path / "out", clip=clip)
    timings = read_output_timings(written["result"])
    assert set(OUTPUT_TIMINGS) | {"track_s", "embed_s", "outputs_s"} <= set(timings)
    assert all(v >= 0 for v in timings.values())
    assert timings["video_s"] > 0 and timings["plots_s"] > 0
    assert timings["outputs_s"] >= max(timings["video_s"], timings["plots_s"])
    doc = json.loads(written["result"].read_text())
    assert doc["output_timings_s"] == pytest.approx(timings)
    assert "output_timings_s" not in doc["timings_s"]  # the analysis's own timings unchanged
    assert load_result(written["result"]).timings_s == r.timings_s
    # a track-only folder records what it wrote
    timings = read_output_timings(write_outputs(r, tmp_path / "track_only")["result"])
    assert "video_s" not in timings and "report_s" in timings


def test_the_video_runs_beside_the_report(tmp_path, small, monkeypatch) -> None:
    """The report's charts are drawn while the video thread is still encoding."""
    import analyzer.render.report as report_module

    clip, r = small
    seen: list[list[str]] = []
    real = report_module.report_charts

    def charts(result):
        seen.append([t.name for t in threading.enumerate()])
        return real(result)

    monkeypatch.setattr(report_module, "report_charts", charts)
    write_render_outputs(r, tmp_path, clip=clip)
    assert seen and "annotated-video" in seen[0]


def test_a_failing_report_stops_the_video(tmp_path, small, monkeypatch) -> None:
    import analyzer.render.report as report_module

    clip, r = small

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(report_module, "write_report", broken)
    with pytest.raises(OSError, match="disk full"):
        write_render_outputs(r, tmp_path, clip=clip)
    assert "annotated-video" not in [t.name for t in threading.enumerate()]


def test_a_failing_video_is_raised(tmp_path, small, monkeypatch) -> None:
    import analyzer.render.annotate_video as video_module

    clip, r = small

    def broken(*_args, **_kwargs):
        raise RuntimeError("encoder gone")

    monkeypatch.setattr(video_module, "annotate_clip", broken)
    with pytest.raises(RuntimeError, match="encoder gone"):
        write_render_outputs(r, tmp_path, clip=clip)


def test_embedding_streams_the_video_into_the_report(tmp_path) -> None:
    import base64

    video = tmp_path / "annotated.mp4"
    data = bytes(range(256)) * 4099  # not a multiple of the chunk: padding only at the end
    video.write_bytes(data)
    report = tmp_path / "report.html"
    report.write_text('<p>é</p><video src="annotated.mp4" data-embeddable></video>\n')
    assert embed_video(report, video)
    html = report.read_text(encoding="utf-8")
    head, _, rest = html.partition('src="data:video/mp4;base64,')
    assert head == "<p>é</p><video "
    uri, _, tail = rest.partition('"')
    assert base64.b64decode(uri) == data and tail == "></video>\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4", "report.html"]
