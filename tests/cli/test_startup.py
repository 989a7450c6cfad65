"""Start-up cost of ``backpedal``: what the command line loads before any work (issue 10).

Each check runs in a fresh interpreter (``sys.modules`` of this test process already holds
everything), so an import added at the top of a command module or of the pose path fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

#: Packages that the parser, the help and the pose path must not load: the plots and the
#: PDF/HTML outputs (matplotlib), the filters and the assignment solver (scipy), the web app
#: (django) and the cluster (dask).
HEAVY = ("matplotlib", "scipy", "django", "dask")


def _loaded_after(code: str) -> list[str]:
    """Top-level packages in ``sys.modules`` after running ``code`` in a new interpreter."""
    names = "sorted({m.split('.')[0] for m in sys.modules})"
    probe = f"{code}\nimport sys, json\nprint(json.dumps({names}))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    [
        "import analyzer.cli",
        "import analyzer.cli; analyzer.cli.build_parser()",
        "import analyzer.cli; analyzer.cli.main(['--help'])",
        "import analyzer.cli; analyzer.cli.main(['pose', '--help'])",
        "import analyzer.cli; analyzer.cli.main(['analyze', '--help'])",
    ],
)
def test_the_parser_and_help_load_no_library(code: str) -> None:
    """Registering every command (and printing any help) loads no numerical, plotting, web
    or cluster library: each command imports its work when it runs."""
    loaded = set(_loaded_after(code))
    assert not loaded & {*HEAVY, "numpy", "mediapipe", "cv2", "av"}, sorted(loaded)


def test_help_still_lists_every_command() -> None:
    """Cheap registration keeps ``backpedal --help`` whole: every command with its help line."""
    from analyzer.cli import COMMAND_MODULES

    out = subprocess.run(
        [sys.executable, "-m", "analyzer.cli", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    for name in COMMAND_MODULES:
        assert f"    {name} " in out
    assert "estimate the athlete's pose" in out


def test_choosing_one_person_loads_no_scipy() -> None:
    """The pose path from a follow pass to the athlete's track (the pipeline's
    :func:`resolve_athlete`: selection on the scan and the follow check) does not load scipy
    on a one-person clip (its optimize package alone is ~0.3 s): one pair needs no solver."""
    code = """
from analyzer.pipeline import AnalysisSettings, resolve_athlete
from tests.pose.test_follow import _backpedaller, _pass
athlete = _backpedaller()
track, _, how = resolve_athlete("unused.mp4", _pass(athlete, [athlete]), AnalysisSettings())
assert how["method"] == "follow" and track.detected().all(), how
"""
    loaded = set(_loaded_after(code))
    assert "numpy" in loaded  # the code ran
    assert not loaded & set(HEAVY), sorted(loaded)


@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (3, 1), (2, 3), (4, 4)])
def test_the_assignment_shortcut_matches_scipy(shape: tuple[int, int]) -> None:
    """One tracklet or one detection: the single best pair is what scipy's solver picks."""
    from scipy.optimize import linear_sum_assignment

    from analyzer.processing.tracklets import UNMATCHED_COST, _assign

    rng = np.random.default_rng(sum(shape))
    for _ in range(50):
        cost = rng.uniform(0.0, 3.0 * UNMATCHED_COST, shape)
        gain = np.minimum(cost - 2.0 * UNMATCHED_COST, 0.0)
        rows, cols = linear_sum_assignment(gain)
        want = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if gain[r, c] < 0]
        assert _assign(cost) == want
