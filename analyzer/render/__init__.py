"""Outputs a person looks at: frame overlays, plots, the HTML report, the annotated video and
the Kinovea sidecar.

Main entry points (imported lazily, so ``import analyzer.render`` stays cheap):

* :func:`analyzer.render.folder.write_render_outputs` — all of the below in one call;
* :func:`analyzer.render.report.write_report` — ``report.html`` (self-contained);
* :func:`analyzer.render.annotate_video.annotate_clip` — ``annotated.mp4`` (H.264);
* :func:`analyzer.render.kva.write_kva` — ``<clip>.kva`` for Kinovea;
* :func:`analyzer.render.overlay.annotate` and :mod:`analyzer.render.plots` — the pieces.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "annotate": "analyzer.render.overlay",
    "FrameOverlay": "analyzer.render.overlay",
    "Measurement": "analyzer.render.overlay",
    "frame_overlay": "analyzer.render.scene",
    "finding_overlay": "analyzer.render.scene",
    "report_figures": "analyzer.render.plots",
    "write_report": "analyzer.render.report",
    "collect_frames": "analyzer.render.report",
    "key_frame_indices": "analyzer.render.report",
    "annotate_clip": "analyzer.render.annotate_video",
    "write_annotated_video": "analyzer.render.annotate_video",
    "write_kva": "analyzer.render.kva",
    "write_render_outputs": "analyzer.render.folder",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'analyzer.render' has no attribute {name!r}")
