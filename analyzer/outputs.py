"""Write one analysis's output folder atomically: a folder is complete or it is not there.

Everything is written into a temporary folder beside ``out_dir`` (``.<name>.tmp-<random>``),
``result.json`` last, then the folder is moved into place with renames (atomic on one file
system). ``result.json`` is the marker that a clip is done: a run killed at any moment leaves
``out_dir`` as it was (or, for an instant, absent) and never a mix of old and new files; two
runs into one ``out_dir`` each leave a complete folder and the last one wins.

Because an existing ``out_dir`` is replaced whole, it must be empty or hold only the files an
analysis writes (:func:`check_out_dir` refuses anything else before any work).

Batch scoring and the web app call :func:`write_outputs`; :func:`analyzer.export.load_result`
reads the folder back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from analyzer.errors import ConfigError
from analyzer.export import RESULT_NAME, SERIES_NAME, TRACK_NAME, write_result_json, write_series
from analyzer.pose.track import save_track
from analyzer.progress import ProgressFn
from analyzer.results import AnalysisResult

#: Names an analysis writes (``*.kva`` is named after the clip); an existing ``--out`` folder
#: holding anything else is not replaced.
OUTPUT_NAMES = frozenset(
    {
        RESULT_NAME,
        TRACK_NAME,
        SERIES_NAME,
        "report.html",
        "annotated.mp4",
        "metrics.csv",
        "steps.csv",
    }
)
_OUTPUT_SUFFIXES = (".kva",)
#: Temporary folders of runs that died are removed after this long.
STALE_TMP_S = 6 * 3600.0
#: How often a run retries moving its folder into place while another run does the same.
_SWAP_ATTEMPTS = 20


def check_out_dir(out_dir: str | Path) -> Path:
    """Refuse an output folder that cannot be written or replaced, before any work.

    Raises
    ------
    ConfigError
        ``out_dir`` is a file, its parent is not a writable folder, or it holds files an
        analysis does not write (they would be lost when the folder is replaced).
    """
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise ConfigError(
            f"--out {out} is a file, not a folder.", "Give a folder name for the outputs."
        )
    parent = out.absolute().parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(
            f"--out {out}: cannot create or write folders in {existing or parent}.",
            "Choose an output folder in a place you can write to.",
        )
    if out.is_dir():
        if not os.access(out, os.W_OK | os.X_OK):
            raise ConfigError(f"--out {out} is not writable.", "Choose another output folder.")
        foreign = sorted(p.name for p in out.iterdir() if not _is_output(p))
        if foreign:
            shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
            raise ConfigError(
                f"--out {out} holds files an analysis does not write ({shown}); the folder "
                "is replaced as a whole, so they would be lost.",
                "Give a new or empty folder, or a previous output folder.",
            )
    return out


def _is_output(path: Path) -> bool:
    return path.is_file() and (path.name in OUTPUT_NAMES or path.suffix in _OUTPUT_SUFFIXES)


def write_outputs(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    clip: str | Path | None = None,
    with_video: bool = True,
    capture_fps: float | None = None,
    embed_video: bool | None = None,
    rotate_deg: int | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Path]:
    """Write every output file, atomically, into ``out_dir``; return their final paths.

    Files: ``result.json``, ``track.npz``, ``series.npz``, ``metrics.csv``, ``steps.csv``,
    ``report.html`` and, when the clip is given, ``annotated.mp4`` (unless ``with_video`` is
    False) and ``<clip>.kva``. Keys: the file names, plus ``"result"``, ``"track"`` and
    ``"report"``. The result is only read. ``capture_fps`` and ``rotate_deg`` (the user's
    rotation, see ``AnalysisSettings``) are used only when the result carries no probe of
    the clip (a result built from a track, rendered against its clip).
    ``embed_video`` puts ``annotated.mp4`` inside ``report.html`` (None: when under 20 MB;
    see :func:`analyzer.render.report.embed_video`), before the folder is moved into place.
    What each output cost is recorded in ``result.json`` as ``output_timings_s`` (seconds:
    ``track_s``, the keys of :data:`analyzer.render.folder.OUTPUT_TIMINGS`, ``embed_s``,
    and ``outputs_s`` for the whole folder; see :func:`analyzer.export.read_output_timings`).

    Raises
    ------
    ConfigError
        ``out_dir`` cannot be used (see :func:`check_out_dir`).
    """
    from analyzer.render.folder import write_render_outputs

    started = time.perf_counter()
    out = check_out_dir(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    timings: dict[str, float] = {}
    try:
        os.chmod(tmp, 0o755)
        names = {
            TRACK_NAME: save_track(result.motion.track, tmp / TRACK_NAME),
            SERIES_NAME: write_series(result.motion.series, tmp / SERIES_NAME),
        }
        timings["track_s"] = time.perf_counter() - started
        names.update(
            write_render_outputs(
                result,
                tmp,
                clip=clip,
                with_video=with_video,
                capture_fps=capture_fps,
                rotate_deg=rotate_deg,
                progress=progress,
                timings=timings,
            )
        )
        if "report.html" in names and "annotated.mp4" in names:
            from analyzer.render.report import embed_video as embed

            t0 = time.perf_counter()
            embed(Path(names["report.html"]), Path(names["annotated.mp4"]), embed=embed_video)
            timings["embed_s"] = time.perf_counter() - t0
        files = {"track": TRACK_NAME, "series": SERIES_NAME}
        timings["outputs_s"] = time.perf_counter() - started
        names[RESULT_NAME] = write_result_json(
            result, tmp / RESULT_NAME, files=files, output_timings=timings
        )
        _fsync_dir(tmp)
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    written = {name: out / Path(p).name for name, p in names.items()}
    written["result"] = out / RESULT_NAME
    written["track"] = out / TRACK_NAME
    if "report.html" in written:
        written["report"] = written["report.html"]
    return written


def _move_into_place(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``, first moving an existing ``out`` aside (then deleting it).

    Another run may be doing the same at the same moment: each rename either succeeds whole
    or fails, so the loop retries until this run's folder is in place.
    """
    for _ in range(_SWAP_ATTEMPTS):
        try:
            os.rename(tmp, out)
            return
        except OSError:
            if not out.exists():
                raise
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        try:
            os.rename(out, old / "previous")
        except FileNotFoundError:  # another run moved it first
            pass
        finally:
            shutil.rmtree(old, ignore_errors=True)
    raise OSError(f"could not move the outputs into {out}: other runs keep replacing it.")


def _fsync_dir(folder: Path) -> None:
    """Flush the folder's files and entries to disk, so a crash after the rename leaves
    complete files (best effort: not every platform can open a folder)."""
    for p in folder.iterdir():
        with contextlib.suppress(OSError), p.open("rb") as fh:
            os.fsync(fh.fileno())
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale(out: Path) -> None:
    """Remove temporary folders beside ``out`` left by runs that died long ago."""
    now = time.time()
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for p in out.parent.glob(pattern):
            with contextlib.suppress(OSError):
                if p.is_dir() and now - p.stat().st_mtime > STALE_TMP_S:
                    shutil.rmtree(p, ignore_errors=True)
