"""Annotated video: H.264 that browsers play, every frame annotated, key frames kept raw."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from analyzer.render.annotate_video import annotate_clip, write_annotated_video
from analyzer.render.report import collect_frames, key_frame_indices
from tests.render.factories import make_result, render_frames, write_clip


@pytest.fixture(scope="module")
def clip_and_result(tmp_path_factory):
    r = make_result()
    clip = write_clip(r.motion.track, tmp_path_factory.mktemp("clip") / "stick.mp4")
    return clip, r


def _probe(path):
    if shutil.which("ffprobe"):
        out = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-count_frames",
                "-show_entries",
                "stream=codec_name,pix_fmt,width,height,nb_read_frames",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        s = json.loads(out)["streams"][0]
        return s["codec_name"], s["pix_fmt"], s["width"], s["height"], int(s["nb_read_frames"])
    import av

    with av.open(str(path)) as c:
        st = c.streams.video[0]
        n = sum(1 for _ in c.decode(st))
        return st.codec_context.name, st.codec_context.pix_fmt, st.width, st.height, n


def test_annotated_clip_is_h264_with_every_frame(tmp_path, clip_and_result):
    clip, r = clip_and_result
    keep = key_frame_indices(r)
    path, kept = annotate_clip(clip, r, tmp_path / "annotated.mp4", keep_frames=keep)
    codec, pix_fmt, w, h, n = _probe(path)
    assert codec == "h264" and pix_fmt == "yuv420p"
    assert (w, h) == r.motion.track.image_size
    assert n == r.motion.track.n_frames
    # the kept frames are the raw decoded frames (not annotated), same as a re-read
    assert sorted(kept) == keep
    again = collect_frames(clip, keep)
    for i in keep:
        np.testing.assert_array_equal(kept[i], again[i])


def test_frames_are_annotated(tmp_path, clip_and_result):
    from analyzer.video import iter_frames

    clip, r = clip_and_result
    path, _ = annotate_clip(clip, r, tmp_path / "a.mp4")
    raw = next(iter(iter_frames(clip)))
    out = next(iter(iter_frames(path)))
    diff = np.abs(out.image.astype(int) - raw.image.astype(int)).max(axis=2)
    assert (diff > 60).mean() > 0.01  # skeleton and labels drawn


def test_odd_sized_frames_are_cropped_to_even(tmp_path):
    r = make_result(8, with_faults=False)
    frames = ((i, i / 30, f[:-1, :-1]) for i, f in render_frames(r.motion.track))
    path, _ = write_annotated_video(frames, r, tmp_path / "odd.mp4", fps=30.0)
    codec, _, w, h, n = _probe(path)
    assert codec == "h264" and (w, h) == (638, 358) and n == 8


def test_no_frames_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no frames"):
        write_annotated_video(iter(()), make_result(8, with_faults=False), tmp_path / "none.mp4")
