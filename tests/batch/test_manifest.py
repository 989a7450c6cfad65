"""The manifest: states, attempts, the crash cap, recovery, key changes, the lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from analyzer.batch.manifest import MAX_ATTEMPTS, ClipRow, Manifest, batch_lock
from analyzer.errors import ConfigError


def _row(rel: str, key: str = "k1") -> ClipRow:
    return ClipRow(
        rel=rel,
        key=key,
        clip_sha256="s",
        analyzer_version="v",
        settings_hash="h",
        size_bytes=1,
        mtime_ns=1,
        athlete="a",
        date=None,
        out_rel=f"a/{rel}",
    )


def test_life_of_a_clip(tmp_path: Path) -> None:
    m = Manifest.open(tmp_path)
    m.sync([_row("x.mp4"), _row("y.mp4")])
    assert {r["state"] for r in m.rows()} == {"pending"}
    assert m.start("x.mp4") == 1
    assert m.finish("x.mp4", "done", worker="w", timings_s={"total_s": 1.0}) == "done"
    assert m.start("y.mp4") == 1
    assert m.finish("y.mp4", "failed", error="bad", hint="fix") == "failed"
    rows = {r["rel"]: r for r in m.rows()}
    assert (rows["x.mp4"]["state"], rows["x.mp4"]["attempts"]) == ("done", 1)
    assert (rows["y.mp4"]["error"], rows["y.mp4"]["hint"]) == ("bad", "fix")
    assert [a["outcome"] for a in m.attempts()] == ["done", "failed"]
    m.close()
    with sqlite3.connect(tmp_path / "manifest.sqlite") as conn:  # WAL, readable by others
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_crashes_are_retried_until_the_cap(tmp_path: Path) -> None:
    m = Manifest.open(tmp_path)
    m.sync([_row("x.mp4")])
    states = []
    for _ in range(MAX_ATTEMPTS):
        m.start("x.mp4")
        states.append(m.finish("x.mp4", "crashed", error="killed by SIGKILL"))
    assert states == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
    row = m.get("x.mp4")
    assert row is not None and row["attempts"] == MAX_ATTEMPTS
    assert f"died on each of {MAX_ATTEMPTS} attempts" in row["error"]


def test_runs_dask_made_again_are_attempts_of_their_own(tmp_path: Path) -> None:
    """A task Dask started twice more after its workers died: three attempts, in order."""
    m = Manifest.open(tmp_path)
    m.sync([_row("x.mp4")])
    assert m.start("x.mp4") == 1
    runs = [(100.0, "host:1"), (105.0, "host:2")]
    assert m.finish("x.mp4", "done", worker="host:3", earlier_runs=runs) == "done"
    row = m.get("x.mp4")
    assert row is not None and (row["state"], row["attempts"]) == ("done", 3)
    history = sorted((a["attempt"], a["outcome"], a["worker"], a["started_at"])
                     for a in m.attempts("x.mp4"))  # fmt: skip
    assert [h[:3] for h in history] == [
        (1, "crashed", "host:1"), (2, "crashed", "host:2"), (3, "done", "host:3")
    ]  # fmt: skip
    assert [h[3] for h in history[:2]] == [100.0, 105.0]
    # the next attempt (e.g. --force without a reset) is numbered after them
    assert m.start("x.mp4") == 4
    m.close()


def test_recover_interrupted_and_key_change_resets(tmp_path: Path) -> None:
    m = Manifest.open(tmp_path)
    m.sync([_row("x.mp4"), _row("y.mp4")])
    m.start("x.mp4")
    m.start("y.mp4")
    m.finish("y.mp4", "done")
    m.close()
    m = Manifest.open(tmp_path)  # as a new coordinator after a SIGKILL
    assert m.recover() == ["x.mp4"]
    assert m.get("x.mp4")["state"] == "pending"  # type: ignore[index]
    assert [a["outcome"] for a in m.attempts("x.mp4")] == ["interrupted"]
    m.sync([_row("x.mp4"), _row("y.mp4", key="k2")])  # y's clip or settings changed
    y = m.get("y.mp4")
    assert y is not None and (y["state"], y["attempts"], y["key"]) == ("pending", 0, "k2")
    x = m.get("x.mp4")
    assert x is not None and x["attempts"] == 1  # unchanged key keeps its history


def test_one_coordinator_per_output_folder(tmp_path: Path) -> None:
    with (
        batch_lock(tmp_path),
        pytest.raises(ConfigError, match="another batch"),
        batch_lock(tmp_path),
    ):
        pass
    with batch_lock(tmp_path):  # released
        pass
