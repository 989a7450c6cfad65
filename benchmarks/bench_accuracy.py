"""End-to-end accuracy on synthetic athletes (same as ``python -m backpedal_dev.bench accuracy``).

    .venv/bin/python benchmarks/bench_accuracy.py            # all cases (~15-25 min on 2 cores)
    .venv/bin/python benchmarks/bench_accuracy.py --quick    # 3 clean clips (~1-2 min)
    .venv/bin/python benchmarks/bench_accuracy.py --only overstriding side_right

Renders parametric backpedals (clean from every view, and each fault in a view that shows it)
with the project's renderer, runs the whole pipeline (MediaPipe pose -> select -> clean ->
analyze_motion -> faults) and prints errors per clip, per metric and per fault. Clips and
pose tracks are cached (``--cache``), keyed by the rendering code and the clip's bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backpedal_dev.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["accuracy", *sys.argv[1:]]))
