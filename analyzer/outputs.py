"""Write one analysis's output folder: result.json, track.npz and the human-facing files.

The human-facing part (annotated video, report, Kinovea sidecar, CSVs) is
:func:`analyzer.render.folder.write_render_outputs`; this module adds the machine-readable
files and keeps the order right (the capture verdict computed while rendering is saved in
``result.json``).
"""

from __future__ import annotations

import time
from pathlib import Path

from analyzer.export import write_result_json
from analyzer.pipeline import ProgressFn
from analyzer.pose.track import save_track
from analyzer.results import AnalysisResult


def write_outputs(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    clip: str | Path | None = None,
    with_video: bool = True,
    capture_fps: float | None = None,
    rotate_deg: int | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Path]:
    """Write every output file into ``out_dir`` and return their paths by name.

    Files: ``result.json``, ``track.npz``, ``metrics.csv``, ``steps.csv``, ``report.html``
    and, when the clip is given, ``annotated.mp4`` and ``<clip>.kva``. ``capture_fps`` and
    ``rotate_deg`` read the clip as the analysis did (see ``AnalysisSettings``).
    """
    from analyzer.render.folder import write_render_outputs

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    written = {"track": save_track(result.motion.track, out_dir / "track.npz")}
    rendered = write_render_outputs(
        result,
        out_dir,
        clip=clip,
        with_video=with_video,
        capture_fps=capture_fps,
        rotate_deg=rotate_deg,
        progress=progress,
    )
    written.update(rendered)
    if "report.html" in rendered:
        written["report"] = rendered["report.html"]
    result.timings_s["outputs_s"] = time.perf_counter() - t0
    written["result"] = write_result_json(result, out_dir / "result.json")
    return written
