"""The coordinator with stand-in analyses in real worker processes (fast, no pose model):
retries of a dying worker, the attempts cap, resuming, --force, summary and team page."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analyzer.batch.coordinator import BatchConfig, run_batch
from analyzer.batch.local import LocalRunner
from analyzer.batch.manifest import MAX_ATTEMPTS, Manifest
from tests.batch.fake_tasks import fake_task


def _fake_runner(config: BatchConfig) -> LocalRunner:
    return LocalRunner(config.workers, task=fake_task, initializer=None, quiet=False)


def _folder(root: Path, names: list[str]) -> Path:
    folder = root / "film"
    for i, rel in enumerate(names):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"v" * (100 + i))  # distinct contents, distinct keys
    return folder


def _summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_crash_retry_cap_bad_clip_and_resume(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["alice/ok1.mp4", "alice/lean.mp4", "bob/crash_once.mp4",
                                "bob/poison.mov", "bob/bad.mp4", "notes.txt"])  # fmt: skip
    out = tmp_path / "out"
    config = BatchConfig(folder=folder, out_dir=out, workers=2)
    seen = []
    report = run_batch(config, make_runner=_fake_runner, progress=lambda s: seen.append(s.done))
    assert not report.ok
    by_clip = {r.clip: r for r in report.records}
    assert {c: r.status for c, r in by_clip.items()} == {
        "alice/ok1.mp4": "ok", "alice/lean.mp4": "ok", "bob/crash_once.mp4": "ok",
        "bob/poison.mov": "failed", "bob/bad.mp4": "failed", "notes.txt": "skipped",
    }  # fmt: skip
    assert by_clip["bob/crash_once.mp4"].attempts == 2
    assert by_clip["bob/poison.mov"].attempts == MAX_ATTEMPTS
    assert "died on each of 3 attempts" in by_clip["bob/poison.mov"].error
    assert "exit code 7" in by_clip["bob/poison.mov"].error
    assert seen[-1] == 3
    rows = _summary(out)
    assert len(rows) == 6
    assert {r["clip"]: r["status"] for r in rows}["bob/bad.mp4"] == "failed"
    assert (out / "alice/lean/result.json").is_file()
    assert not list(out.rglob(".tmp-*"))  # nothing half-written left behind

    m = Manifest.open(out)
    before = len(m.attempts())
    m.close()
    again = run_batch(config, make_runner=_fake_runner)  # nothing to do: all settled
    assert again.analysed == 0 and again.reused == 3
    m = Manifest.open(out)
    assert len(m.attempts()) == before
    m.close()
    assert _summary(out) == rows

    retry = run_batch(
        BatchConfig(folder=folder, out_dir=out, workers=2, retry_failed=True),
        make_runner=_fake_runner,
    )
    assert retry.analysed == 2  # the two failed clips, nothing else


def test_force_and_deleted_outputs_are_redone(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["alice/a.mp4", "alice/b.mp4"])
    out = tmp_path / "out"
    config = BatchConfig(folder=folder, out_dir=out, workers=1)
    assert run_batch(config, make_runner=_fake_runner).ok
    (out / "alice/b/result.json").unlink()
    redo = run_batch(config, make_runner=_fake_runner)
    assert (redo.analysed, redo.reused) == (1, 1)
    forced = run_batch(
        BatchConfig(folder=folder, out_dir=out, workers=1, force=True), make_runner=_fake_runner
    )
    assert forced.analysed == 2 and forced.ok


def test_changed_clip_or_profile_is_redone(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["alice/a.mp4", "alice/b.mp4"])
    out = tmp_path / "out"
    assert run_batch(BatchConfig(folder=folder, out_dir=out), make_runner=_fake_runner).ok
    (folder / "alice/a.mp4").write_bytes(b"new contents")
    report = run_batch(BatchConfig(folder=folder, out_dir=out), make_runner=_fake_runner)
    assert (report.analysed, report.reused) == (1, 1)
    report = run_batch(
        BatchConfig(folder=folder, out_dir=out, profile="youth"), make_runner=_fake_runner
    )
    assert report.analysed == 2


def test_team_page_ranks_links_and_charts(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["alice/2026-09-01/a.mp4", "alice/2026-09-08/b_lean.mp4",
                                "bob/c.mp4", "bob/bad.mp4"])  # fmt: skip
    out = tmp_path / "out"
    run_batch(BatchConfig(folder=folder, out_dir=out), make_runner=_fake_runner)
    html = (out / "team.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert 'href="alice/2026-09-08/b_lean/report.html"' in html
    assert "<polyline" in html  # alice has two dated scored clips
    assert "leaning back" in html and "not a video" in html
    assert html.index(">alice</a>") < html.index("Faults across the team")


def test_unknown_profile_fails_before_anything_runs(tmp_path: Path) -> None:
    from analyzer.errors import ProfileError

    folder = _folder(tmp_path, ["alice/a.mp4"])
    with pytest.raises(ProfileError):
        run_batch(
            BatchConfig(folder=folder, out_dir=tmp_path / "out", profile="no-such-profile"),
            make_runner=_fake_runner,
        )
    assert not (tmp_path / "out" / "manifest.sqlite").exists()


def test_no_clip_or_out_is_the_clip_folder(tmp_path: Path) -> None:
    from analyzer.errors import ConfigError

    folder = _folder(tmp_path, ["notes.txt"])
    with pytest.raises(ConfigError, match="no video clip found"):
        run_batch(BatchConfig(folder=folder, out_dir=tmp_path / "out"), make_runner=_fake_runner)
    with pytest.raises(ConfigError, match="the clip folder itself"):
        run_batch(BatchConfig(folder=folder, out_dir=folder), make_runner=_fake_runner)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--workers", "0"], 2),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], 2),
        (["--roster", "missing.csv"], 2),
    ],
)
def test_command_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int
) -> None:
    from analyzer.cli import main

    folder = _folder(tmp_path, ["alice/a.mp4"])
    assert main(["batch", str(folder), "--out", str(tmp_path / "out"), *args]) == code
    assert "error:" in capsys.readouterr().err


def test_folder_finished_before_the_crash_is_adopted_not_redone(tmp_path: Path) -> None:
    """The coordinator died between moving a folder into place and recording it done."""
    import sqlite3

    folder = _folder(tmp_path, ["alice/a.mp4"])
    out = tmp_path / "out"
    assert run_batch(BatchConfig(folder=folder, out_dir=out), make_runner=_fake_runner).ok
    with sqlite3.connect(out / "manifest.sqlite") as conn:  # as it was just before the commit
        conn.execute("UPDATE clips SET state = 'running'")
        conn.execute("UPDATE attempts SET outcome = NULL")
    report = run_batch(BatchConfig(folder=folder, out_dir=out), make_runner=_fake_runner)
    assert (report.analysed, report.reused, report.ok) == (0, 1, True)
    m = Manifest.open(out)
    assert [a["outcome"] for a in m.attempts("alice/a.mp4")] == ["interrupted", "adopted"]
    m.close()


def test_copies_of_a_clip_never_run_at_the_same_time(tmp_path: Path) -> None:
    """Identical clips wait for each other (the copy then hits the pose cache), while a
    different clip runs on the second worker meanwhile."""
    import json

    folder = tmp_path / "film"
    for rel, data in [("alice/dup1.mp4", b"same"), ("bob/dup2.mp4", b"same"),
                      ("carol/dup3.mp4", b"other")]:  # fmt: skip
        (folder / rel).parent.mkdir(parents=True)
        (folder / rel).write_bytes(data)
    out = tmp_path / "out"
    assert run_batch(
        BatchConfig(folder=folder, out_dir=out, workers=2), make_runner=_fake_runner
    ).ok
    m = Manifest.open(out)
    spans = {r["rel"]: json.loads(r["timings_json"]) for r in m.rows()}
    m.close()
    a, b = spans["alice/dup1.mp4"], spans["bob/dup2.mp4"]
    assert a["end"] <= b["start"] or b["end"] <= a["start"]


def test_a_worker_that_died_while_idle_is_replaced(tmp_path: Path) -> None:
    import os
    import signal

    from tests.batch.fake_tasks import fake_task as task

    runner = LocalRunner(1, task=task, initializer=None, quiet=False)
    try:
        pid = runner._slots[0].proc.pid
        os.kill(pid, signal.SIGKILL)
        runner._slots[0].proc.join(5.0)
        folder = _folder(tmp_path, ["alice/a.mp4"])
        from analyzer.batch.jobs import Job

        job = Job(rel="alice/a.mp4", clip_path=str(folder / "alice/a.mp4"), key="k",
                  tmp_dir=str(tmp_path / "tmp"), settings={}, with_video=False)  # fmt: skip
        runner.submit(job)
        done = []
        while not done:
            done = runner.wait(5.0)
        assert done[0][1].ok
        assert runner._slots[0].proc.pid != pid
    finally:
        runner.close()
