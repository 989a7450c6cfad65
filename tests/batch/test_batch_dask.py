"""The same batch on a Dask cluster: a LocalCluster of 2 worker processes on 127.0.0.1."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from analyzer.batch.coordinator import BatchConfig, run_batch
from analyzer.batch.manifest import Manifest
from analyzer.cli import main
from tests.batch.fake_tasks import fake_task

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


def _cluster() -> distributed.LocalCluster:
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,  # errors only
    )


def test_batch_on_a_local_cluster(
    clip_dir: Path, pose_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analyzer.batch.dask_runner import PLUGIN_NAME

    film = tmp_path / "film"
    for rel, src in {"alice/left.mp4": "left.mp4", "bob/right.mp4": "right.mp4",
                     "bob/text.mp4": "text.mp4"}.items():  # fmt: skip
        (film / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(clip_dir / src, film / rel)
    out = tmp_path / "out"
    monkeypatch.setenv("BACKPEDAL_CACHE", str(pose_cache))  # inherited by the workers
    with _cluster() as cluster:
        rc = main(["batch", str(film), "--out", str(out), "--scheduler",
                   cluster.scheduler_address, "--no-video", "-q"])  # fmt: skip
        assert PLUGIN_NAME in cluster.scheduler.worker_plugins
    assert rc == 1  # the text file
    with (out / "summary.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["clip"]: r for r in csv.DictReader(fh)}
    assert {c: r["status"] for c, r in rows.items()} == {
        "alice/left.mp4": "ok", "bob/right.mp4": "ok", "bob/text.mp4": "failed"
    }  # fmt: skip
    assert "not a video" in rows["bob/text.mp4"]["error"]
    assert (out / "alice/left/report.html").is_file()
    m = Manifest.open(out)
    try:
        workers = {r["worker"] for r in m.rows()}
        assert all(w and not w.endswith(f":{os.getpid()}") for w in workers)  # ran elsewhere
        assert {r["attempts"] for r in m.rows()} == {1}
    finally:
        m.close()


def test_clip_that_kills_dask_workers_fails_with_killed_worker(tmp_path: Path) -> None:
    """Dask's own retries: the poison clip's workers die, the scheduler gives up after
    ``allowed-failures`` and the clip is failed with the reason; the good clip is scored."""
    import dask

    from analyzer.batch.dask_runner import DaskRunner

    film = tmp_path / "film"
    (film / "alice").mkdir(parents=True)
    (film / "alice" / "poison.mp4").write_bytes(b"p")
    (film / "alice" / "good.mp4").write_bytes(b"g")
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        _cluster() as cluster,
        distributed.Client(cluster) as client,
    ):
        report = run_batch(
            BatchConfig(folder=film, out_dir=tmp_path / "out"),
            make_runner=lambda _: DaskRunner(client=client, task=fake_task, warm_up=False),
        )
    status = {r.clip: (r.status, r.error) for r in report.records}
    assert status["alice/good.mp4"] == ("ok", ""), status
    assert status["alice/poison.mp4"][0] == "failed", status
    assert "died repeatedly" in status["alice/poison.mp4"][1], status


def test_attempts_count_the_runs_dask_made(tmp_path: Path) -> None:
    """Issue 13: Dask reruns a task whose worker died by itself; the manifest counts every
    run that began (one worker, one clip at a time). ``crash_once`` kills its worker on
    attempt 1 and succeeds on the rerun; ``poison`` kills it every time until KilledWorker.

    With ``allowed-failures`` 2, poison runs 3 times. Finished tasks are released at once:
    before, ``crash_once``'s result, still wanted when poison killed the worker holding it,
    was computed again on the next worker (and killed it), so poison failed after fewer
    runs of its own and a stray run log was left behind."""
    import json

    import dask

    from analyzer.batch.analysis import MARKER_NAME
    from analyzer.batch.dask_runner import DaskRunner

    film = tmp_path / "film"
    (film / "alice").mkdir(parents=True)
    for name, body in (("good.mp4", b"g"), ("crash_once.mp4", b"c"), ("poison.mp4", b"p")):
        (film / "alice" / name).write_bytes(body)
    out = tmp_path / "out"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 2}),
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address=None,
                                 silence_logs=50) as cluster,  # fmt: skip
        distributed.Client(cluster) as client,
    ):
        report = run_batch(
            BatchConfig(folder=film, out_dir=out),
            make_runner=lambda _: DaskRunner(client=client, task=fake_task, warm_up=False),
        )
        client.wait_for_workers(1, timeout=120)  # closing mid-restart trips up the nanny
    status = {r.clip: r.status for r in report.records}
    assert status == {"alice/good.mp4": "ok", "alice/crash_once.mp4": "ok",
                      "alice/poison.mp4": "failed"}  # fmt: skip
    m = Manifest.open(out)
    try:
        attempts = {r["rel"]: r["attempts"] for r in m.rows()}
        rows = _attempt_rows(m)
        assert {rel: [(a, o) for a, o, _ in rows[rel]] for rel in rows} == {
            "alice/good.mp4": [(1, "done")],
            "alice/crash_once.mp4": [(1, "crashed"), (2, "done")],
            "alice/poison.mp4": [(1, "crashed"), (2, "crashed"), (3, "failed")],
        }
        assert attempts == {"alice/good.mp4": 1, "alice/crash_once.mp4": 2, "alice/poison.mp4": 3}
        for rel in ("alice/crash_once.mp4", "alice/poison.mp4"):
            workers = [w for _, _, w in rows[rel]]
            assert all(workers) and len(set(workers)) == len(workers)  # each a new worker pid
    finally:
        m.close()
    marker = json.loads((out / "alice" / "crash_once" / MARKER_NAME).read_text())
    assert marker["attempt"] == 2
    assert not list(out.rglob("*.runs"))  # the run logs are cleaned up


def _attempt_rows(m: Manifest) -> dict[str, list[tuple[int, str, str]]]:
    rows: dict[str, list[tuple[int, str, str]]] = {}
    for a in sorted(m.attempts(), key=lambda a: (a["rel"], a["attempt"])):
        rows.setdefault(a["rel"], []).append((a["attempt"], a["outcome"], a["worker"]))
    return rows
