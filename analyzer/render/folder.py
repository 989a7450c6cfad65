"""Everything a person looks at, in one call: annotated video, report, Kinovea sidecar, CSVs.

:func:`write_render_outputs` starts the annotated video in a background thread (one
streaming pass of the clip, scaled to at most 720p, keeping the raw key frames on the way)
and meanwhile draws the report's charts and writes ``<clip>.kva``, ``steps.csv`` and
``metrics.csv``; the report is written as soon as the video pass has decoded the last key
frame. FFmpeg's decoding and scaling, OpenCV and libx264 release the GIL, so on two cores the
video and the rest overlap instead of adding up. Each output's wall time is recorded in
``timings`` (see :data:`OUTPUT_TIMINGS`). It reads the result and never changes it: the
capture verdict is a pipeline stage (``analyzer.capture``), and the clip's probe comes from
``result.capture.video``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from analyzer.export_csv import export_csv
from analyzer.progress import ProgressFn
from analyzer.results import AnalysisResult
from analyzer.video.info import VideoInfo

VIDEO_NAME = "annotated.mp4"
REPORT_NAME = "report.html"

#: What :func:`write_render_outputs` records in ``timings`` (seconds of wall time):
#: ``video_s`` the annotated video (decode, draw, encode; in its own thread), ``plots_s`` the
#: report's charts, ``key_frames_s`` waiting for the raw key frames (decoded by the video
#: pass, or without a video by a thread of their own), ``report_s`` the rest of the report,
#: ``kva_s`` and ``csv_s`` the Kinovea file and CSVs, ``video_wait_s`` how long the rest
#: waited for the video to finish after its own work was done.
OUTPUT_TIMINGS = ("video_s", "plots_s", "key_frames_s", "report_s", "kva_s", "csv_s",
                  "video_wait_s")  # fmt: skip


def write_render_outputs(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    clip: str | Path | None = None,
    with_video: bool = True,
    capture_fps: float | None = None,
    rotate_deg: int | None = None,
    progress: ProgressFn | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, Path]:
    """Write the annotated video, report, Kinovea sidecar and CSVs; return paths by name.

    Parameters
    ----------
    result
        The analysis (read only).
    out_dir
        The output folder (created if needed).
    clip
        The analysed clip, or None for a track-only analysis (no video, key images or .kva).
    with_video
        Write ``annotated.mp4`` (else only the key frames are decoded, for the report).
    capture_fps
        Real capture rate of a slow-motion clip, used only when the result carries no probe
        of the clip (``result.capture.video``).
    rotate_deg
        Clockwise rotation of the stored frames in place of the clip's rotation tag, used
        only when the result carries no probe of the clip.
    progress
        ``progress("video", done, total)`` while the video is written (from its thread).
    timings
        Filled with each output's wall time in seconds (keys in :data:`OUTPUT_TIMINGS`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings = timings if timings is not None else {}
    info = _video_info(result, clip, capture_fps, rotate_deg)
    job, key_frames = None, None
    if clip is not None and with_video:
        job = _VideoJob(clip, result, out_dir / VIDEO_NAME, info=info, progress=progress)
        key_frames = job.key_frames
    elif clip is not None:
        key_frames = _key_frames_job(clip, result, info)
    try:
        video_name = VIDEO_NAME if job is not None else None
        written = _write_the_rest(result, out_dir, clip, info, key_frames, video_name, timings)
        if job is not None:
            t0 = time.perf_counter()
            written[VIDEO_NAME] = job.wait()
            timings["video_wait_s"] = time.perf_counter() - t0
            timings["video_s"] = job.elapsed_s
    except BaseException:
        if job is not None:
            job.cancel()
        raise
    return written


def _write_the_rest(
    result: AnalysisResult,
    out_dir: Path,
    clip: str | Path | None,
    info: VideoInfo | None,
    key_frames_job: Future[dict[int, np.ndarray]] | None,
    video_name: str | None,
    timings: dict[str, float],
) -> dict[str, Path]:
    """Charts, .kva, CSVs, then (once the key frames are there) the report."""
    from analyzer.render.kva import clip_timing, write_kva
    from analyzer.render.report import capture_of, report_charts, write_report

    written: dict[str, Path] = {}
    with _timed(timings, "plots_s"):
        charts = report_charts(result)
    if clip is not None:
        with _timed(timings, "kva_s"):
            time_base, first_pts = clip_timing(clip)
            kva = out_dir / f"{Path(clip).stem}.kva"
            written[kva.name] = write_kva(
                result,
                kva,
                video_name=Path(clip).name,
                fps=info.playback_fps if info else None,
                time_base=time_base,
                first_pts=first_pts,
            )
    with _timed(timings, "csv_s"):
        written.update(export_csv(result, out_dir))
    key_frames: dict[int, np.ndarray] = {}
    with _timed(timings, "key_frames_s"):
        if key_frames_job is not None:
            key_frames = key_frames_job.result()
    with _timed(timings, "report_s"):
        written[REPORT_NAME] = write_report(
            result,
            out_dir,
            key_frames=key_frames,
            video_name=video_name,
            capture=capture_of(result),
            charts=charts,
            video_note=_video_note(info),
        )
    return written


def _key_frames_job(
    clip: str | Path, result: AnalysisResult, info: VideoInfo | None
) -> Future[dict[int, np.ndarray]]:
    """Without a video: decode the raw key frames in a background thread (FFmpeg releases
    the GIL) while the charts are drawn."""
    from analyzer.render.report import collect_frames, key_frame_indices

    job: Future[dict[int, np.ndarray]] = Future()
    capture_fps = info.capture_fps if info is not None else None
    wanted = key_frame_indices(result)

    def run() -> None:
        try:
            job.set_result(collect_frames(clip, wanted, capture_fps=capture_fps, video=info))
        except BaseException as exc:  # handed to the caller's thread
            job.set_exception(exc)

    threading.Thread(target=run, name="key-frames", daemon=True).start()
    return job


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the block's wall time to ``timings[name]``."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0


class _CancelledError(Exception):
    """Raised inside the video thread to stop it (the rest of the outputs failed)."""


class _VideoJob:
    """The annotated video, written by a background thread.

    ``key_frames`` (a Future) gets the raw key frames as soon as the pass has decoded the
    last of them (or the pass's error); :meth:`wait` joins the thread and re-raises its
    error; :meth:`cancel` stops it at the next frame.
    """

    def __init__(
        self,
        clip: str | Path,
        result: AnalysisResult,
        path: Path,
        *,
        info: VideoInfo | None,
        progress: ProgressFn | None,
    ) -> None:
        from analyzer.render.report import key_frame_indices

        self.key_frames: Future[dict[int, np.ndarray]] = Future()
        self.elapsed_s = 0.0
        self._args = (clip, result, path, info, key_frame_indices(result))
        self._progress = progress
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._path: Path | None = None
        self._thread = threading.Thread(target=self._run, name="annotated-video", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from analyzer.render.annotate_video import annotate_clip

        clip, result, path, info, wanted = self._args
        t0 = time.perf_counter()
        try:
            self._path, _ = annotate_clip(
                clip,
                result,
                path,
                progress=self._report,
                keep_frames=wanted,
                video=info,
                on_key_frames=self.key_frames.set_result,
            )
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc
            if not self.key_frames.done():
                self.key_frames.set_exception(exc)
        finally:
            self.elapsed_s = time.perf_counter() - t0

    def _report(self, stage: str, done: int, total: int | None) -> None:
        if self._stop.is_set():
            raise _CancelledError()
        if self._progress is not None:
            self._progress(stage, done, total)

    def wait(self) -> Path:
        """Wait for the video; its path (or the error that stopped it)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._path is not None
        return self._path

    def cancel(self) -> None:
        """Stop the video at the next frame and wait for the thread to end."""
        self._stop.set()
        self._thread.join()


def _video_note(info: VideoInfo | None) -> str:
    """The sentence under the video when it was scaled down from the clip's size."""
    from analyzer.render.annotate_video import video_size

    if info is None:
        return ""
    w, h = video_size(info.width, info.height)
    if max(info.width, info.height) <= max(w, h) + 1:
        return ""
    return (
        f"The annotated video is scaled down to {w}x{h} (the clip is "
        f"{info.width}x{info.height}) to keep it quick to make and to send; the key frames "
        "in the findings are full size."
    )


def _video_info(
    result: AnalysisResult,
    clip: str | Path | None,
    capture_fps: float | None,
    rotate_deg: int | None,
) -> VideoInfo | None:
    """The clip's probe from the result's capture stage; probed here only when the result
    has none (a result built from a track, rendered against its clip)."""
    if clip is None:
        return None
    if result.capture is not None and result.capture.video is not None:
        return result.capture.video
    from analyzer.video import probe_video

    settings = result.provenance.get("settings", {})
    if capture_fps is None:
        capture_fps = settings.get("capture_fps")
    if rotate_deg is None:
        rotate_deg = settings.get("rotate_deg")
    return probe_video(clip, capture_fps=capture_fps, rotate_deg=rotate_deg)
