"""Issue 11, item 7: a clean first run. One meaning for ``-o``, a closed pipe ends quietly,
one filming guide everywhere, no font-cache notice, and an install without ERROR or
deprecation lines."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.errors import NoPersonError
from analyzer.filming import CAMERA_DISTANCE, FILMING_GUIDE

ROOT = Path(__file__).resolve().parents[2]


def _backpedal(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    code = "import sys; from analyzer.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        **kw,
    )


def test_pose_takes_out_not_o(tmp_path: Path) -> None:
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"")
    assert main(["pose", str(clip), "-o", str(tmp_path / "t.npz")]) == 2


def test_profiles_show_into_a_closed_pipe_ends_quietly() -> None:
    code = "import sys; from analyzer.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "profiles", "show", "db-backpedal"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # like `| head -1`: read one line, then hang up
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_one_filming_guide_in_readme_report_and_errors() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- filming-guide -->\n", 1)[1].split("<!-- /filming-guide -->", 1)[0]
    assert block.strip().splitlines() == [f"- {t}" for t in FILMING_GUIDE.values()]
    assert CAMERA_DISTANCE in NoPersonError("x").hint
    template = (ROOT / "analyzer" / "render" / "templates" / "report.html").read_text()
    assert "filming_guide" in template
    # no other camera distance anywhere in the user-facing text
    texts = [readme, template, (ROOT / "analyzer" / "errors.py").read_text()]
    texts += [p.read_text() for p in (ROOT / "analyzer" / "render").glob("*.py")]
    for text in texts:
        for found in re.findall(r"\b\d+-\d+ m\b|more than about \d+ m\b", text):
            assert found in (CAMERA_DISTANCE.split(" (")[0], "6-8 m"), found


def test_no_font_cache_notice(tmp_path: Path) -> None:
    from tests.render.factories import make_result

    result = make_result()
    from analyzer.pose.track import save_track

    track = save_track(result.motion.track, tmp_path / "t.npz")
    proc = _backpedal(
        "analyze", "--track", str(track), "--out", str(tmp_path / "o"), "-q",
        env={"MPLCONFIGDIR": str(tmp_path / "mpl"), "BACKPEDAL_CACHE": str(tmp_path / "c")},
    )  # fmt: skip
    assert "fontManager" not in proc.stderr + proc.stdout
    assert "ERROR" not in proc.stderr


@pytest.mark.slow
def test_fresh_install_prints_no_error_or_deprecation(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs a git checkout to clone")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    for rel in ("scripts/install.sh", "pyproject.toml"):  # test the working tree's versions
        shutil.copy(ROOT / rel, clone / rel)
    proc = subprocess.run(
        ["bash", "scripts/install.sh"], cwd=clone, capture_output=True, text=True, timeout=1200
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    bad = [
        line for line in out.splitlines()
        if line.startswith("ERROR") or "Deprecat" in line or "WARNING" in line
    ]  # fmt: skip
    assert bad == [], out
