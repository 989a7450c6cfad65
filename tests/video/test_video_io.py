"""Writing, probing and reading clips the tests make: codecs, rotation, VFR, slow motion, tiny."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from analyzer.video import VideoWriter, iter_frames, probe_video
from analyzer.video.reader import VideoReader
from tests.video.clips import (
    FFPROBE,
    corner_is_white,
    ffmpeg,
    make_clip,
    marker_frame,
    needs_ffmpeg,
)


@pytest.mark.parametrize(
    ("name", "codec", "pix_fmt", "expect_codec"),
    [
        ("h264.mp4", "libx264", "yuv420p", "h264"),
        ("hevc.mov", "libx265", "yuv420p", "hevc"),
        ("hevc10.mp4", "libx265", "yuv420p10le", "hevc"),
        ("vp9.mkv", "libvpx-vp9", "yuv420p", "vp9"),
        ("vp9.mp4", "libvpx-vp9", "yuv420p", "vp9"),
        ("h264.avi", "libx264", "yuv420p", "h264"),
        ("hevc10.mov", "libx265", "yuv420p10le", "hevc"),
        ("mpeg4.avi", "mpeg4", "yuv420p", "mpeg4"),
        ("mpeg4.mp4", "mpeg4", "yuv420p", "mpeg4"),
    ],
)
def test_probe_and_read_each_codec(
    tmp_path: Path, name: str, codec: str, pix_fmt: str, expect_codec: str
) -> None:
    clip = make_clip(
        tmp_path / name, n_frames=8, size=(64, 48), fps=25.0, codec=codec, pix_fmt=pix_fmt
    )
    info = probe_video(clip)
    assert (info.width, info.height) == (64, 48)
    assert info.codec == expect_codec
    assert info.fps == pytest.approx(25.0)
    assert info.frame_count == 8
    assert info.duration_s == pytest.approx(8 / 25.0, abs=0.041)
    assert info.rotation_deg == 0
    frames = list(iter_frames(clip))
    assert [f.index for f in frames] == list(range(8))
    assert np.allclose([f.time_s for f in frames], np.arange(8) / 25.0, atol=1e-3)
    for f in frames:
        assert f.image.shape == (48, 64, 3) and f.image.dtype == np.uint8
        assert f.image.flags.c_contiguous
    # grey level encodes the index: order and content survive (lossy codecs: +-10 levels)
    greys = [float(np.median(f.image[30:, 30:])) for f in frames]
    assert np.all(np.diff(greys) > 0)
    assert np.allclose(greys, [20 + 8 * i for i in range(8)], atol=10)
    if pix_fmt.endswith("10le"):
        assert "10" in info.pix_fmt


def test_rgb_and_bgr_orders(tmp_path: Path) -> None:
    path = tmp_path / "color.mp4"
    with VideoWriter(path, 10, (64, 48), crf=0) as w:
        frame = np.zeros((48, 64, 3), np.uint8)
        frame[..., 2] = 220  # red in BGR
        for _ in range(3):
            w.write(frame)
    bgr = next(iter_frames(path, color="bgr")).image
    rgb = next(iter_frames(path, color="rgb")).image
    assert bgr[20, 20, 2] > 180 and bgr[20, 20, 0] < 40
    assert rgb[20, 20, 0] > 180 and rgb[20, 20, 2] < 40


@pytest.mark.parametrize(
    ("ccw", "cw", "corner"), [(90, 270, "bl"), (-90, 90, "tr"), (180, 180, "br")]
)
def test_writer_rotation_is_applied_upright(tmp_path: Path, ccw: int, cw: int, corner: str) -> None:
    clip = make_clip(tmp_path / "rot.mov", n_frames=3, size=(64, 48), rotation_deg=ccw)
    info = probe_video(clip)
    assert info.rotation_deg == cw
    assert (info.stored_width, info.stored_height) == (64, 48)
    expect = (48, 64) if cw in (90, 270) else (64, 48)
    assert (info.width, info.height) == expect
    for f in iter_frames(clip):
        assert f.image.shape[:2] == (expect[1], expect[0])
        assert corner_is_white(f.image, corner)
        assert not corner_is_white(f.image, "tl") or corner == "tl"


@needs_ffmpeg
def test_ffmpeg_rotate_metadata_matches_opencv(tmp_path: Path) -> None:
    """A portrait clip made by ffmpeg (stored landscape + rotate tag) comes out upright,
    identical to OpenCV's automatic orientation, with OpenCV's rotation convention."""
    cv2 = pytest.importorskip("cv2")
    src = make_clip(tmp_path / "src.mp4", n_frames=4, size=(64, 48))
    rotated = tmp_path / "portrait.mp4"
    ffmpeg("-i", str(src), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rotated))
    info = probe_video(rotated)
    cap = cv2.VideoCapture(str(rotated))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    assert info.rotation_deg == int(cap.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
    assert info.rotation_deg in (90, 270)  # ffmpeg 5+ stores rotate=90 counter-clockwise
    assert (info.width, info.height) == (48, 64)
    ours = next(iter_frames(rotated)).image
    assert corner_is_white(ours, "tr" if info.rotation_deg == 90 else "bl")
    ok, theirs = cap.read()
    cap.release()
    assert ok and theirs.shape == ours.shape
    assert np.abs(theirs.astype(int) - ours).mean() < 2.0


def test_vfr_timestamps_are_exact(tmp_path: Path) -> None:
    times = [0.0, 0.010, 0.045, 0.050, 0.120, 0.121, 0.300, 0.333, 0.500, 0.9]
    clip = make_clip(tmp_path / "vfr.mp4", times_s=times)
    got = [f.time_s for f in iter_frames(clip)]
    assert np.allclose(got, times, atol=2e-5)
    assert np.all(np.diff(got) > 0)


def test_writer_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        VideoWriter(tmp_path / "odd.mp4", 30, (63, 48))
    with VideoWriter(tmp_path / "w.mp4", 30, (64, 48)) as w:
        with pytest.raises(ValueError, match="uint8"):
            w.write(np.zeros((48, 64, 3), np.float32))
        with pytest.raises(ValueError, match=r"\(48, 64, 3\)"):
            w.write(np.zeros((64, 48, 3), np.uint8))
        w.write(marker_frame(0, 64, 48), time_s=0.5)
        with pytest.raises(ValueError, match="increase"):
            w.write(marker_frame(1, 64, 48), time_s=0.5)
    assert w.frames_written == 1


@needs_ffmpeg
def test_writer_output_is_browser_h264(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "web.mp4", n_frames=5)
    if FFPROBE is None:
        pytest.skip("ffprobe not installed")
    out = subprocess.run(
        [
            FFPROBE,
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,pix_fmt",
            "-of",
            "csv=p=0",
            str(clip),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "h264,yuv420p"


@needs_ffmpeg
def test_slow_motion_capture_fps_from_metadata(tmp_path: Path) -> None:
    """An Android-style slow-motion clip: stored for 30 fps playback, captured at 240 fps."""
    src = make_clip(tmp_path / "src.mp4", n_frames=12, fps=30.0)
    slomo = tmp_path / "slomo.mp4"
    ffmpeg(
        "-i",
        str(src),
        "-c",
        "copy",
        "-movflags",
        "use_metadata_tags",
        "-metadata",
        "com.android.capture.fps=240.000000",
        str(slomo),
    )
    info = probe_video(slomo)
    assert info.capture_fps == pytest.approx(240.0)
    assert info.playback_fps == pytest.approx(30.0)
    assert info.fps == pytest.approx(240.0)
    assert info.time_scale == pytest.approx(0.125)
    assert info.duration_s == pytest.approx(12 / 240.0, abs=1e-3)
    frames = list(iter_frames(slomo))
    assert np.allclose([f.time_s for f in frames], np.arange(12) / 240.0, atol=1e-4)
    assert np.allclose([f.pts_s for f in frames], np.arange(12) / 30.0, atol=1e-4)


def test_user_capture_fps_rescales_time(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=6, fps=30.0)
    info = probe_video(clip)
    assert info.capture_fps is None and info.time_scale == 1.0
    frames = list(iter_frames(clip, capture_fps=120.0))
    assert np.allclose([f.time_s for f in frames], np.arange(6) / 120.0, atol=1e-4)
    with pytest.raises(ValueError, match="positive"):
        probe_video(clip, capture_fps=0)


def test_tiny_clips(tmp_path: Path) -> None:
    one = make_clip(tmp_path / "one.mp4", n_frames=1, size=(16, 16))
    info = probe_video(one)
    assert (info.width, info.height, info.frame_count) == (16, 16, 1)
    frames = list(iter_frames(one))
    assert len(frames) == 1 and frames[0].image.shape == (16, 16, 3)
    two = make_clip(tmp_path / "two.mp4", n_frames=2, size=(2, 2))
    assert [f.image.shape for f in iter_frames(two)] == [(2, 2, 3)] * 2


def test_reader_streams_lazily_and_stops(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "long.mp4", n_frames=30)
    reader = VideoReader(clip, max_frames=5)
    frames = list(reader)
    assert len(frames) == 5 and reader.problems == []
    gen = iter_frames(clip)
    first = next(gen)
    assert first.index == 0
    gen.close()  # closing early releases the decoder without error
    with pytest.raises(RuntimeError, match="once"):
        list(reader)


def test_prefetch_yields_the_same_frames_and_errors(tmp_path: Path) -> None:
    import threading

    from analyzer.video.reader import prefetch_frames

    clip = make_clip(tmp_path / "p.mp4", n_frames=12)
    direct = [(f.index, f.time_s) for f in iter_frames(clip)]
    ahead = [(f.index, f.time_s) for f in prefetch_frames(iter_frames(clip), depth=2)]
    assert ahead == direct

    def broken():  # type: ignore[no-untyped-def]
        yield from iter_frames(clip, max_frames=2)
        raise ValueError("decoder fell over")

    got = []
    with pytest.raises(ValueError, match="fell over"):
        for f in prefetch_frames(broken()):
            got.append(f.index)
    assert got == [0, 1]
    before = threading.active_count()
    gen = prefetch_frames(iter_frames(clip), depth=1)
    next(gen)
    gen.close()  # stops and joins the thread
    assert threading.active_count() <= before


def test_avi_with_b_frames_gets_constant_rate_times(tmp_path: Path) -> None:
    """AVI stores no presentation times; with B-frames FFmpeg's are in decode order."""
    path = tmp_path / "b.avi"
    with VideoWriter(path, 30000 / 1001, (64, 48)) as w:  # default preset: B-frames on
        for i in range(12):
            w.write(marker_frame(i, 64, 48))
    reader = VideoReader(path)
    frames = list(reader)
    assert reader.problems == []
    assert [f.index for f in frames] == list(range(12))
    assert np.allclose([f.time_s for f in frames], np.arange(12) * 1001 / 30000)
    greys = [float(np.median(f.image[30:, 30:])) for f in frames]
    assert np.all(np.diff(greys) > 0)  # presentation order, not decode order


def test_rotation_fallback_without_pyav_frame_rotation(tmp_path: Path) -> None:
    """With a PyAV that lacks VideoFrame.rotation, OpenCV's orientation is used."""
    from analyzer.video.probe import rotation_cw

    clip = make_clip(tmp_path / "r.mp4", n_frames=2, rotation_deg=-90)

    class OldFrame:  # no .rotation attribute
        pass

    assert rotation_cw(OldFrame(), clip) == 90
    assert rotation_cw(OldFrame()) == 0


@pytest.mark.parametrize("ccw", [0, -90])
def test_a_scaling_reader_gives_small_upright_frames_and_full_ones_on_request(
    tmp_path: Path, ccw: int
) -> None:
    """``size`` scales while converting (upright size, rotation applied after), and the
    frames in ``full_size_at`` also come at full size, equal to a plain read."""
    clip = make_clip(tmp_path / "big.mp4", n_frames=4, size=(128, 96), rotation_deg=ccw)
    info = probe_video(clip)
    small = (info.width // 2, info.height // 2)
    with VideoReader(clip, size=small, full_size_at=[2]) as reader:
        frames = list(reader)
    plain = {f.index: f.image for f in iter_frames(clip)}
    assert [f.index for f in frames] == sorted(plain)
    for f in frames:
        assert f.image.shape == (small[1], small[0], 3) and f.image.flags.c_contiguous
        assert (f.full is not None) == (f.index == 2)
        corner = "tr" if ccw == -90 else "tl"  # the stored top-left marker, turned upright
        assert corner_is_white(f.image, corner)
        # area averaging of the plain frame (marker edges aside)
        assert abs(float(f.image.mean()) - float(plain[f.index].mean())) < 3
    assert frames[2].full is not None
    np.testing.assert_array_equal(frames[2].full, plain[2])
