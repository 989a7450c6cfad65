"""benchmarks/bench_speed.py runs end to end on a tiny clip and prints the README tables.

A smoke test of the script (1 round, a 1 s clip), not a timed test: the figures themselves
are not checked against the targets.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg"),
]


def test_bench_speed_smoke(tmp_path: Path) -> None:
    out = tmp_path / "speed.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_speed.py"), "--rounds", "1",
         "--seconds", "1", "--sizes", "720p", "--memory-seconds", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    row = report["720p"]
    assert row["loop"]["ratio"] == 1.0
    for key in ("pose", "analyze", "no_video"):
        assert row[key]["median_s"] > 0 and row[key]["ratio"] > 0
        assert len(row["runs"][key]) == 1
    assert 50 < report["memory_1s"]["max_rss_mb"] < 4000
    table = done.stdout
    assert "| `backpedal analyze` (all outputs) |" in table and "| 1 s |" in table
    assert "| what | 720p: median s | 720p: vs loop | 720p: vs loop, CPU s | target |" in table
