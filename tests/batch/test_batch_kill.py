"""Nothing lost, nothing done twice: SIGKILL the coordinator or a worker midway, then resume."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.batch.manifest import Manifest
from analyzer.cli import main

psutil = pytest.importorskip("psutil")
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
States = dict[str, tuple[str, int]]


def _film(clip_dir: Path, root: Path, clips: dict[str, str]) -> Path:
    film = root / "film"
    for rel, src in clips.items():
        (film / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(clip_dir / src, film / rel)
    return film


def _start(film: Path, out: Path, cache: Path, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BACKPEDAL_CACHE": str(cache)}
    cmd = [sys.executable, "-m", "analyzer.cli", "batch", str(film), "--out", str(out),
           "--workers", str(workers), "--no-video", "-q"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _states(out: Path) -> States:
    """The manifest's clip states, read-only (the coordinator alone writes)."""
    db = out / "manifest.sqlite"
    if not db.exists():
        return {}
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            rows = conn.execute("SELECT rel, state, attempts FROM clips").fetchall()
    except sqlite3.OperationalError:  # created but no table yet
        return {}
    return {rel: (state, attempts) for rel, state, attempts in rows}


def _wait_for(
    out: Path, proc: subprocess.Popen[bytes], ready: Callable[[States], bool], timeout_s: float
) -> States:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        states = _states(out)
        if ready(states):
            return states
        if proc.poll() is not None:
            pytest.fail(f"the batch ended first: {proc.communicate()[1].decode()[-2000:]}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"timed out waiting; manifest: {_states(out)}")


def _workers(proc: subprocess.Popen[bytes]) -> list:
    """The coordinator's worker processes (spawned by multiprocessing)."""
    return [
        p
        for p in psutil.Process(proc.pid).children(recursive=True)
        if any("spawn_main" in part for part in p.cmdline())
    ]


def test_sigkill_coordinator_then_resume(
    clip_dir: Path, pose_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    film = _film(clip_dir, tmp_path, {"alice/left.mp4": "left.mp4", "bob/right.mp4": "right.mp4",
                                      "carol/left.mp4": "left.mp4"})  # fmt: skip
    out = tmp_path / "out"
    proc = _start(film, out, pose_cache, workers=1)

    def one_done_one_not(states: States) -> bool:
        done = [rel for rel, (state, _) in states.items() if state == "done"]
        return len(states) == 3 and 1 <= len(done) < 3

    _wait_for(out, proc, one_done_one_not, timeout_s=240)
    workers = _workers(proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    at_kill = _states(out)
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "worker processes outlived their coordinator"
    done_before = {rel for rel, (state, _) in at_kill.items() if state == "done"}

    monkeypatch.setenv("BACKPEDAL_CACHE", str(pose_cache))
    assert main(["batch", str(film), "--out", str(out), "--workers", "1", "--no-video", "-q"]) == 0
    with (out / "summary.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["clip"] for r in rows) == sorted(at_kill)
    assert {r["status"] for r in rows} == {"ok"}
    m = Manifest.open(out)
    try:
        for rel in at_kill:
            outcomes = [a["outcome"] for a in m.attempts(rel)]
            assert outcomes.count("done") == 1, (rel, outcomes)  # analysed to the end once
            assert set(outcomes) <= {"done", "interrupted"}
            if rel in done_before:
                assert outcomes == ["done"]  # not touched by the second run
        interrupted = [a for a in m.attempts() if a["outcome"] == "interrupted"]
        assert len(interrupted) <= 1  # at most the one clip in flight (one worker)
    finally:
        m.close()


def test_sigkill_worker_clip_is_retried(
    clip_dir: Path, pose_cache: Path, tmp_path: Path
) -> None:
    film = _film(clip_dir, tmp_path, {"alice/left.mp4": "left.mp4"})
    out = tmp_path / "out"
    proc = _start(film, out, pose_cache, workers=1)
    _wait_for(out, proc, lambda s: s.get("alice/left.mp4", ("", 0))[0] == "running", 120)
    workers = _workers(proc)
    assert len(workers) == 1
    workers[0].send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err.decode()[-2000:]
    m = Manifest.open(out)
    try:
        attempts = m.attempts("alice/left.mp4")
        assert [a["outcome"] for a in attempts] == ["crashed", "done"]
        assert "SIGKILL" in attempts[0]["error"]
        row = m.get("alice/left.mp4")
        assert row is not None and (row["state"], row["attempts"]) == ("done", 2)
    finally:
        m.close()
    assert (out / "alice/left/result.json").is_file()


def test_ctrl_c_writes_the_summary_and_resumes(
    clip_dir: Path, pose_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    film = _film(clip_dir, tmp_path, {"alice/left.mp4": "left.mp4", "bob/right.mp4": "right.mp4"})
    out = tmp_path / "out"
    proc = _start(film, out, pose_cache, workers=1)
    _wait_for(out, proc, lambda s: any(state == "running" for state, _ in s.values()), 120)
    workers = _workers(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()[-2000:]
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
    with (out / "summary.csv").open(newline="", encoding="utf-8") as fh:
        statuses = {r["clip"]: r["status"] for r in csv.DictReader(fh)}
    assert set(statuses) == {"alice/left.mp4", "bob/right.mp4"}
    assert "pending" in statuses.values()  # says what is left to do
    assert all(state != "running" for state, _ in _states(out).values())

    monkeypatch.setenv("BACKPEDAL_CACHE", str(pose_cache))
    assert main(["batch", str(film), "--out", str(out), "--workers", "1", "--no-video", "-q"]) == 0
