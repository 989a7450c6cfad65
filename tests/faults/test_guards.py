"""Guards: thresholds live only in profiles; coaching text is our own; the CLI lists profiles."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.faults.coaching import DRILLS, FAULT_TEXT

REPO = Path(__file__).resolve().parents[2]
FAULTS_DIR = REPO / "analyzer" / "faults"
COACHING = REPO.parent / "shared" / "coaching"
#: Structural numbers (counts, halves, the 0-100 scale), not thresholds.
ALLOWED_NUMBERS = {0, 1, 2, -1, 100}


def _number_literals(path: Path) -> list[tuple[int, float]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        is_number = isinstance(node, ast.Constant) and type(node.value) in (int, float)
        if is_number and node.value not in ALLOWED_NUMBERS:
            found.append((node.lineno, node.value))
    return found


@pytest.mark.parametrize("path", sorted(FAULTS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_no_threshold_literals_in_fault_code(path: Path) -> None:
    assert _number_literals(path) == [], "move these numbers into models/profiles/*.toml"


def test_the_literal_guard_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("LIMIT = 0.95\nif x > 3.0:\n    pass\n")
    assert _number_literals(bad) == [(1, 0.95), (2, 3.0)]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    w = _words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def test_coaching_text_is_written_in_our_own_words() -> None:
    if not COACHING.is_dir():
        pytest.skip("coaching articles not present")
    articles: set[tuple[str, ...]] = set()
    for path in COACHING.glob("*.txt"):
        articles |= _shingles(path.read_text(encoding="utf-8"), 6)
    ours = [t.cue for t in FAULT_TEXT.values()] + [t.why for t in FAULT_TEXT.values()]
    ours += [d.how for d in DRILLS.values()]
    copied = [s for text in ours for s in _shingles(text, 6) & articles]
    assert copied == [], f"six-word runs taken from the articles: {copied}"


def test_cli_lists_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    for name in ("db-backpedal", "youth", "sled-resisted", "backward-run"):
        assert re.search(rf"^{name}\s+\S", out, re.M), name


def test_cli_shows_and_checks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["profiles", "show", "youth"]) == 0
    out = capsys.readouterr().out
    assert "extends db-backpedal" in out and "hip_height_ratio" in out
    assert main(["profiles", "show", "sled-resisted", "--toml"]) == 0
    assert 'extends = "db-backpedal"' in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[profile]\nextends = "db-backpedal"\n[report]\nmax_finding = 2\n')
    assert main(["profiles", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "report.max_finding" in err and str(bad) in err
    assert main(["profiles", "check", "db-backpedal"]) == 0
