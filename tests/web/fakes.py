"""Stand-in analysis outputs for the web tests whose subject is not the analysis."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CLIP = PROJECT_ROOT / "sample_videos" / "backpedal_side_left.mp4"
PASSWORD = "long-enough-passphrase-42"


def fake_result_doc(overall: float = 72.0) -> dict:
    """A small result.json as the analyzer writes it (only what the app reads)."""
    return {
        "schema_version": "1.0",
        "profile": "db-backpedal",
        "view": {"view": "side", "confidence": 0.9},
        "fps": 60.0,
        "n_frames": 229,
        "scores": {"overall": overall, "categories": {"posture": 65.0, "footwork": None}},
        "findings": [
            {"id": "high_hips", "title": "Hips too high", "severity": "major",
             "cue": "Sit into it.", "key_frame": 40, "metric": "hip_height_ratio"},
            {"id": "long_steps", "title": "Over-striding", "severity": "minor",
             "cue": "Short, quick steps.", "key_frame": 90, "metric": "step_length"},
        ],
        "not_assessable": [{"key": "head_yaw", "reason": "film from the front"}],
        "warnings": [],
    }


def write_fake_outputs(out_dir: Path, overall: float = 72.0) -> None:
    """The files write_outputs makes, enough for the pages (the video is the sample clip)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "result.json").write_text(json.dumps(fake_result_doc(overall)))
    (out_dir / "report.html").write_text("<!DOCTYPE html><title>report</title><p>Report</p>")
    shutil.copyfile(SAMPLE_CLIP, out_dir / "annotated.mp4")
    (out_dir / "metrics.csv").write_text("metric,value\nhip_height_ratio,0.9\n")
    (out_dir / "steps.csv").write_text("step,foot\n0,left\n")
    (out_dir / "clip.kva").write_text("<KinoveaVideoAnalysis/>")
