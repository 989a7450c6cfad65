"""Stand-ins for the analysis, run in real worker processes to test the batch machinery fast.

Chosen by the clip's file name: ``poison*`` kills its worker every time, ``crash_once*``
kills it on the first attempt only, ``bad*`` fails cleanly, ``dup*`` takes 0.5 s; anything
else succeeds with a small result.json (an overall score from the clip's size).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from analyzer.batch.analysis import MARKER_NAME, RESULT_NAME, worker_name
from analyzer.batch.jobs import Job, Outcome


def fake_result(score: float, *, fault: str | None = None) -> dict:
    """A minimal result.json with the fields the summary and team page read."""
    findings = []
    if fault:
        findings = [{"id": fault, "title": fault.replace("_", " "), "severity": "moderate",
                     "reps": []}]  # fmt: skip
    return {
        "schema_version": "1.0",
        "view": {"view": "side"},
        "metrics": {"trunk_lean_deg": {"value": 20.0 + score / 10, "unit": "deg"}},
        "rep_metrics": [{"trunk_lean_deg": {"value": 20.0 + score / 10, "unit": "deg"}}],
        "scores": {"overall": score, "categories": {"posture": score}, "per_rep": []},
        "findings": findings,
        "not_assessable": [{"key": "eyes_off_target", "kind": "fault", "reason": "front view"}],
    }


def fake_task(job: Job) -> Outcome:
    """Behave as the clip's name says (see the module docstring)."""
    name = Path(job.clip_path).name
    if name.startswith("poison") or (name.startswith("crash_once") and job.attempt == 1):
        os._exit(7)
    if name.startswith("bad"):
        return Outcome(ok=False, error="not a video", hint="fix it", error_type="NotAVideoError")
    start = time.time()
    if name.startswith("dup"):
        time.sleep(0.5)
    out = Path(job.tmp_dir)
    out.mkdir(parents=True, exist_ok=True)  # Dask may rerun a task whose worker died
    score = 50.0 + Path(job.clip_path).stat().st_size % 50
    fault = "leaning_back" if "lean" in name else None
    (out / RESULT_NAME).write_text(json.dumps(fake_result(score, fault=fault)))
    marker = {**job.marker, "key": job.key, "attempt": job.attempt}
    (out / MARKER_NAME).write_text(json.dumps(marker))
    return Outcome(ok=True, worker=worker_name(), timings_s={"start": start, "end": time.time()})
