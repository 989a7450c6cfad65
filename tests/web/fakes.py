"""Stand-in analysis outputs for the web tests whose subject is not the analysis."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from analyzer.export import (
    SERIES_NAME,
    TRACK_NAME,
    result_to_dict,
    write_result_json,
    write_series,
)
from analyzer.pose.track import save_track
from analyzer.results import AnalysisResult
from tests.render.factories import make_result

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CLIP = PROJECT_ROOT / "sample_videos" / "backpedal_side_left.mp4"
PASSWORD = "long-enough-passphrase-42"


def fake_result(overall: float = 72.0) -> AnalysisResult:
    """A whole typed result (the render tests' stick figure) with the scores the pages show."""
    base = make_result()
    assert base.faults is not None
    first, *rest = base.faults.findings
    findings = [
        dataclasses.replace(first, id="high_hips", title="Hips too high", severity="major",
                            cue="Sit into it."),
        *rest,
    ]
    scores = dataclasses.replace(
        base.faults.scores, overall=overall, categories={"posture": 65.0, "footwork": None}
    )
    faults = dataclasses.replace(base.faults, findings=findings, scores=scores)
    return dataclasses.replace(base, faults=faults)


def fake_result_doc(overall: float = 72.0) -> dict:
    """The result.json (schema 2.0, as the analyzer writes it) of :func:`fake_result`."""
    return result_to_dict(fake_result(overall), files={"track": TRACK_NAME, "series": SERIES_NAME})


def write_fake_outputs(out_dir: Path, overall: float = 72.0) -> None:
    """The files write_outputs makes, enough for the pages: a real result.json with its track
    and series (readable by ``load_result``), a stand-in report, and the sample clip as the
    annotated video."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = fake_result(overall)
    save_track(result.motion.track, out_dir / TRACK_NAME)
    write_series(result.motion.series, out_dir / SERIES_NAME)
    files = {"track": TRACK_NAME, "series": SERIES_NAME}
    write_result_json(result, out_dir / "result.json", files=files)
    (out_dir / "report.html").write_text("<!DOCTYPE html><title>report</title><p>Report</p>")
    shutil.copyfile(SAMPLE_CLIP, out_dir / "annotated.mp4")
    (out_dir / "metrics.csv").write_text("metric,value\nhip_height_ratio,0.9\n")
    (out_dir / "steps.csv").write_text("step,foot\n0,left\n")
    (out_dir / "clip.kva").write_text("<KinoveaVideoAnalysis/>")
