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

# ---------------------------------------------------------------------------------------
# No loose numbers in the computation (README: every threshold has a name and a source).
#
# In analyzer/faults, analyzer/events, analyzer/metrics and analyzer/motion.py a number
# literal may appear only as
#   * a structural value: 0, 1, 2, -1, 0.5 (halves, means), 100 (percent, the 0-100 score)
#     and 90, 180, 360 (quarter, half and full turns in degrees);
#   * an integer index or slice bound (``p[:, 27]``, ``frames[:3]``);
#   * the value of a named module-level constant (UPPER_CASE) documented by a comment:
#     a ``#:``/``#`` comment on the line above, a trailing comment, or a block of constants
#     that such a comment opens (e.g. ``#: de Leva (1996) ...`` over a table);
#   * the default of a field of a parameter class (a class-level annotated field whose name
#     appears in the class docstring: ``PhaseParams``, ``HeadParams``, ...), which is where
#     thresholds live when they are not in a profile (models/profiles/*.toml).
# Anything else (``if x > 3.0``, ``def f(limit=0.7)``, ``round(0.3 * fs)``) is a loose number.
STRUCTURAL_NUMBERS = {0, 1, 2, -1, 0.5, 100, 90, 180, 360}
GUARDED = sorted(
    [*FAULTS_DIR.glob("*.py"), *(REPO / "analyzer" / "events").glob("*.py"),
     *(REPO / "analyzer" / "metrics").glob("*.py"), REPO / "analyzer" / "motion.py"]
)  # fmt: skip


def _is_constant_target(node: ast.stmt) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return bool(names) and len(names) == len(targets) and all(
        n.lstrip("_").isupper() for n in names
    )


def _named_numbers(tree: ast.Module, lines: list[str]) -> set[int]:
    """ids of the literals inside documented constants and parameter-class fields."""
    ok: set[int] = set()
    prev_documented_end = -10
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_constant_target(node):
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            documented = (
                above.startswith("#")
                or "#" in lines[node.lineno - 1]
                or prev_documented_end == node.lineno - 1
            )
            if documented and node.value is not None:
                ok.update(id(sub) for sub in ast.walk(node.value))
                prev_documented_end = node.end_lineno or node.lineno
            continue
        if isinstance(node, ast.ClassDef):
            doc = ast.get_docstring(node) or ""
            for st in node.body:
                if (
                    isinstance(st, ast.AnnAssign)
                    and isinstance(st.target, ast.Name)
                    and st.value is not None
                    and re.search(rf"\b{st.target.id}\b", doc)
                ):
                    ok.update(id(sub) for sub in ast.walk(st.value))
    return ok


def _number_literals(path: Path) -> list[tuple[int, float]]:
    """(line, value) of every loose number literal in ``path`` (see the rule above)."""
    text = path.read_text()
    tree = ast.parse(text, filename=str(path))
    named = _named_numbers(tree, text.splitlines())
    parent: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[id(child)] = node
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and type(node.value) in (int, float)):
            continue
        if node.value in STRUCTURAL_NUMBERS or id(node) in named:
            continue
        up: ast.AST = node
        while isinstance(parent.get(id(up)), (ast.UnaryOp, ast.Tuple, ast.Slice)):
            up = parent[id(up)]
        if type(node.value) is int and isinstance(parent.get(id(up)), ast.Subscript):
            continue  # an index or a slice bound
        found.append((node.lineno, node.value))
    return sorted(found)


@pytest.mark.parametrize("path", GUARDED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_loose_numbers_in_computation(path: Path) -> None:
    assert _number_literals(path) == [], (
        "name these numbers (a parameter-class field or a documented constant with its "
        "source) or move them into models/profiles/*.toml"
    )


def test_the_literal_guard_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "LIMIT = 0.95\n"  # undocumented constant
        "if x > 3.0:\n"  # loose threshold
        "    pass\n"
        "def f(limit=0.7):\n"  # loose default
        "    return p[:, 27] * 0.5\n"  # index and a half: fine
        "#: documented (source)\n"
        "GOOD = 0.25\n"
        "ALSO_GOOD = (0.1, 0.2)\n"  # same documented block
        "@dataclass(frozen=True)\n"
        "class P:\n"
        "    \"\"\"gate_s: documented.\"\"\"\n"
        "    gate_s: float = 0.3\n"
        "    other_s: float = 0.4\n"  # not in the docstring
    )
    assert _number_literals(bad) == [(1, 0.95), (2, 3.0), (4, 0.7), (13, 0.4)]


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
