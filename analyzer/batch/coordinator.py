"""The batch coordinator: find, identify, plan, dispatch, settle, summarise.

One process coordinates a batch and is the only writer of its manifest. Per clip:

1. identify: SHA-256 of the clip (reused from the manifest while size and mtime are
   unchanged), the settings hash, the key (:func:`analyzer.batch.analysis.job_key`);
2. plan: a clip whose folder is complete for its key is skipped (``--force`` redoes it); a
   clip left pending or running by an interrupted run is redone, unless its folder was
   finished before the interruption (then it is adopted, not re-analysed); a failed clip
   stays failed (``--retry-failed`` or ``--force`` tries again);
3. dispatch: a worker (local process or Dask task) writes every output into
   ``<athlete>/.tmp-<key>-a<attempt>-<nonce>/``; the coordinator checks the folder is
   complete, moves it into place with :func:`os.replace` and only then records ``done``;
4. summarise: ``summary.csv`` and ``team.html`` from the manifest and each ``result.json``,
   rewritten atomically at the end of every run (also an interrupted one).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from analyzer import __version__
from analyzer.batch import analysis
from analyzer.batch.discover import ClipEntry, discover, read_roster
from analyzer.batch.jobs import RUNS_SUFFIX, Job, Outcome
from analyzer.batch.manifest import ClipRow, Manifest, batch_lock
from analyzer.batch.summary import ClipRecord, summary_columns, write_summary_csv
from analyzer.batch.team import write_team_html
from analyzer.errors import ConfigError

log = logging.getLogger(__name__)

SUMMARY_NAME = "summary.csv"
TEAM_NAME = "team.html"


class Runner(Protocol):
    """Where jobs run: :class:`~analyzer.batch.local.LocalRunner` or the Dask runner."""

    def capacity(self) -> int: ...
    def submit(self, job: Job) -> None: ...
    def wait(self, timeout_s: float) -> list[tuple[Job, Outcome]]: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class BatchConfig:
    """What ``backpedal batch`` was asked to do."""

    folder: Path
    out_dir: Path
    workers: int = 1
    profile: str = "db-backpedal"
    roster: Path | None = None
    scheduler: str | None = None
    with_video: bool = True
    force: bool = False
    retry_failed: bool = False


@dataclass
class BatchProgress:
    """Counts for a progress bar: this run's clips to analyse and how they went."""

    to_run: int = 0
    done: int = 0
    failed: int = 0
    retried: int = 0
    message: str = ""


@dataclass
class BatchReport:
    """How a batch ended."""

    clips: int
    analysed: int
    reused: int
    records: list[ClipRecord]
    other_files: list[str]
    unmatched_roster: list[str]
    summary_csv: Path
    team_html: Path
    elapsed_s: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every clip was scored (exit code 0)."""
        return all(r.status == "ok" for r in self.records if r.status != "skipped")


ProgressFn = Callable[[BatchProgress], None]
RunnerFactory = Callable[[BatchConfig], Runner]


def default_runner(config: BatchConfig) -> Runner:
    """Local worker processes, or the Dask cluster when ``config.scheduler`` is set."""
    if config.scheduler:
        from analyzer.batch.dask_runner import DaskRunner

        return DaskRunner(config.scheduler)
    from analyzer.batch.local import LocalRunner

    return LocalRunner(config.workers)


def run_batch(
    config: BatchConfig,
    *,
    progress: ProgressFn | None = None,
    make_runner: RunnerFactory = default_runner,
) -> BatchReport:
    """Run (or resume) a batch; see the module docstring. Raises ConfigError/ProfileError
    for bad arguments before anything runs."""
    t0 = time.perf_counter()
    folder, out = config.folder.resolve(), config.out_dir.resolve()
    if out == folder:
        raise ConfigError(
            f"--out {config.out_dir} is the clip folder itself.",
            "Give another output folder, e.g. a sub-folder or a sibling of the clip folder.",
        )
    roster = read_roster(config.roster) if config.roster else {}
    entries, others, unmatched = discover(folder, roster=roster, out_dir=out)
    if not entries:
        raise ConfigError(
            f"no video clip found under {folder} ({len(others)} other file(s)).",
            "Clips must end in .mp4, .mov, .m4v, .avi or .mkv.",
        )
    if config.roster is not None:
        others = [p for p in others if p.resolve() != config.roster.resolve()]
    profiles = {
        p: analysis.profile_facts(p)
        for p in sorted({e.profile or config.profile for e in entries} | {config.profile})
    }
    fingerprints = {name: facts.sha256 for name, facts in profiles.items()}
    with batch_lock(out):
        manifest = Manifest.open(out)
        try:
            settings, unreadable = _identify(entries, manifest, config, fingerprints)
            lost = [e for e in entries if e.rel in unreadable]
            entries = [e for e in entries if e.rel not in unreadable]
            manifest.recover()
            _remove_stale(out)
            plan, reused = _plan(entries, manifest, config, out)
            state = BatchProgress(to_run=len(plan))
            if progress:
                progress(state)
            interrupted: KeyboardInterrupt | None = None
            try:
                if plan:
                    workers = min(config.workers, len(plan))  # no idle worker warming up
                    run_config = dataclasses.replace(config, workers=workers)
                    _dispatch(
                        plan, settings, manifest, run_config, out, make_runner, state, progress
                    )
            except KeyboardInterrupt as exc:  # Ctrl-C: the summary still says where things are
                interrupted = exc
            records = _records(entries, manifest, out, others, folder)
            records += [
                ClipRecord(e.rel, e.athlete, e.date, "failed", unreadable[e.rel]) for e in lost
            ]
        finally:
            manifest.close()
        columns = summary_columns(list(profiles.values()))
        summary_csv = write_summary_csv(records, out / SUMMARY_NAME, columns)
        team_html = write_team_html(records, out / TEAM_NAME, title=folder.name)
    if interrupted is not None:
        raise interrupted
    counts: dict[str, int] = {}
    for r in records:
        counts[r.status] = counts.get(r.status, 0) + 1
    return BatchReport(
        clips=len(entries) + len(unreadable),
        analysed=len(plan),
        reused=reused,
        records=records,
        other_files=[p.relative_to(folder).as_posix() for p in others],
        unmatched_roster=unmatched,
        summary_csv=summary_csv,
        team_html=team_html,
        elapsed_s=time.perf_counter() - t0,
        counts=counts,
    )


def _identify(
    entries: list[ClipEntry],
    manifest: Manifest,
    config: BatchConfig,
    fingerprints: dict[str, str],
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Hash each clip, compute its key, and record it in the manifest.

    Returns the analysis settings by clip and the clips that could not be read (with why).
    """
    rows: list[ClipRow] = []
    settings: dict[str, dict[str, Any]] = {}
    unreadable: dict[str, str] = {}
    for e in entries:
        try:
            stat = e.path.stat()
            known = manifest.get(e.rel)
            if (
                known is not None
                and known["size_bytes"] == stat.st_size
                and known["mtime_ns"] == stat.st_mtime_ns
            ):
                sha = str(known["clip_sha256"])
            else:
                sha = analysis.file_sha256(e.path)
        except OSError as exc:
            unreadable[e.rel] = f"cannot read the file: {exc.strerror or exc}"
            continue
        profile = e.profile or config.profile
        s = analysis.make_settings(profile=profile, athlete_height_m=e.height_m)
        sh = analysis.settings_hash(
            s, with_video=config.with_video, profile_sha256=fingerprints[profile]
        )
        settings[e.rel] = s
        rows.append(
            ClipRow(
                rel=e.rel,
                key=analysis.job_key(sha, sh),
                clip_sha256=sha,
                analyzer_version=__version__,
                settings_hash=sh,
                size_bytes=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                athlete=e.athlete,
                date=e.date,
                out_rel=e.out_rel,
            )
        )
    manifest.sync(rows)
    return settings, unreadable


def _remove_stale(out: Path) -> None:
    """Delete temporary folders left by an interrupted run: the workers' ``.tmp-*`` (and a
    Dask task's ``.tmp-*.runs`` log), the coordinator's ``.old-*``, and the output writer's
    own temporaries of a worker's folder (``..tmp-*``)."""
    for pattern in (".tmp-*", "..tmp-*", ".old-*"):
        for path in out.rglob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.name.endswith(RUNS_SUFFIX):  # a Dask task's run log
                path.unlink(missing_ok=True)


def _plan(
    entries: list[ClipEntry], manifest: Manifest, config: BatchConfig, out: Path
) -> tuple[list[ClipEntry], int]:
    """The clips to analyse now, and how many finished ones are reused."""
    plan: list[ClipEntry] = []
    reused = 0
    for e in entries:
        row = manifest.get(e.rel)
        assert row is not None
        complete = analysis.is_complete(out / e.out_rel, row["key"])
        if config.force:
            manifest.reset(e.rel)
            plan.append(e)
        elif row["state"] == "done" and complete:
            reused += 1
        elif row["state"] == "done":  # the folder was deleted or changed: redo
            manifest.reset(e.rel)
            plan.append(e)
        elif row["state"] == "failed":
            if config.retry_failed:
                manifest.reset(e.rel)
                plan.append(e)
        elif complete:  # finished just before an interruption: adopt, do not redo
            manifest.finish(e.rel, "adopted")
            reused += 1
        else:
            plan.append(e)
    return plan, reused


def _dispatch(
    plan: list[ClipEntry],
    settings: dict[str, dict[str, Any]],
    manifest: Manifest,
    config: BatchConfig,
    out: Path,
    make_runner: RunnerFactory,
    state: BatchProgress,
    progress: ProgressFn | None,
) -> None:
    """Run the planned clips, at most ``runner.capacity()`` at a time, until all settled."""
    queue = deque(plan)
    by_rel = {e.rel: e for e in plan}
    sha = {r["rel"]: str(r["clip_sha256"]) for r in manifest.rows([e.rel for e in plan])}
    in_flight: dict[str, str] = {}  # rel -> clip SHA-256
    runner = make_runner(config)
    waiting_since: float | None = None
    warned = False
    try:
        while queue or in_flight:
            free = runner.capacity()
            while free > 0 and (entry := _next(queue, set(in_flight.values()), sha)):
                job = _job(entry, manifest, settings[entry.rel], config, out)
                runner.submit(job)
                in_flight[entry.rel] = sha[entry.rel]
                free -= 1
            if not in_flight:  # no worker yet (a Dask cluster still starting)
                if waiting_since is None:
                    waiting_since = time.monotonic()
                elif time.monotonic() - waiting_since > 30 and not warned:
                    log.warning("no worker has joined yet: the batch waits for one")
                    warned = True
                time.sleep(0.5)
                continue
            waiting_since = None
            for job, outcome in runner.wait(1.0):
                in_flight.pop(job.rel, None)
                new_state = _settle(job, outcome, manifest, out)
                if new_state == "pending":
                    queue.appendleft(by_rel[job.rel])
                    state.retried += 1
                elif new_state == "done":
                    state.done += 1
                else:
                    state.failed += 1
                state.message = f"{job.rel}: {new_state}" + (
                    f" ({outcome.error})" if new_state != "done" else ""
                )
                if progress:
                    progress(state)
    finally:
        runner.close()
        manifest.recover()  # clips still running (Ctrl-C, an error) will be redone


def _next(queue: deque[ClipEntry], busy: set[str], sha: dict[str, str]) -> ClipEntry | None:
    """Take the first queued clip whose content is not being analysed right now.

    A copy of a clip in flight waits for it: it then finds the pose track in the cache (a
    few seconds instead of a model run), and two workers never write the same cache file.
    """
    for i, entry in enumerate(queue):
        if sha[entry.rel] not in busy:
            del queue[i]
            return entry
    return None


def _job(
    entry: ClipEntry, manifest: Manifest, settings: dict[str, Any], config: BatchConfig, out: Path
) -> Job:
    row = manifest.get(entry.rel)
    assert row is not None
    attempt = manifest.start(entry.rel)
    final = out / entry.out_rel
    tmp = final.parent / f".tmp-{row['key'][:16]}-a{attempt}-{uuid.uuid4().hex[:8]}"
    return Job(
        rel=entry.rel,
        clip_path=str(entry.path),
        key=str(row["key"]),
        tmp_dir=str(tmp),
        settings=settings,
        with_video=config.with_video,
        attempt=attempt,
        marker={"clip": entry.rel, "athlete": entry.athlete, "date": entry.date},
    )


def _settle(job: Job, outcome: Outcome, manifest: Manifest, out: Path) -> str:
    """Move a finished folder into place and record the outcome; returns the clip's state."""
    tmp = Path(job.tmp_dir)
    row = manifest.get(job.rel)
    assert row is not None
    earlier_runs = outcome.earlier_runs  # kept when the outcome is replaced below
    if outcome.ok:
        if not analysis.is_complete(tmp, job.key):
            outcome = Outcome(
                ok=False,
                error="the worker reported success but the output folder is incomplete",
                hint="Check free space on the output disk.",
                error_type="IncompleteOutput",
                worker=outcome.worker,
            )
        else:
            try:
                _install(tmp, out / row["out_rel"])
            except OSError as exc:
                outcome = Outcome(
                    ok=False,
                    error=f"cannot move the outputs into place: {exc}",
                    hint="Check the output folder's permissions and free space.",
                    error_type="OSError",
                    worker=outcome.worker,
                )
    if not outcome.ok:
        shutil.rmtree(tmp, ignore_errors=True)
    kind = "done" if outcome.ok else "crashed" if outcome.crashed else "failed"
    return manifest.finish(
        job.rel,
        kind,
        error=outcome.error,
        hint=outcome.hint,
        error_type=outcome.error_type,
        worker=outcome.worker,
        timings_s=outcome.timings_s,
        earlier_runs=earlier_runs,
    )


def _install(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` (two renames; a crash between leaves no half folder)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _records(
    entries: list[ClipEntry],
    manifest: Manifest,
    out: Path,
    others: list[Path],
    folder: Path,
) -> list[ClipRecord]:
    """One record per clip (and per skipped file) for the summary and the team page."""
    records: list[ClipRecord] = []
    rows = {r["rel"]: r for r in manifest.rows([e.rel for e in entries])}
    for e in entries:
        row = rows[e.rel]
        status = {"done": "ok", "failed": "failed"}.get(row["state"], "pending")
        result = None
        error, hint = str(row["error"]), str(row["hint"])
        if status == "ok":
            try:
                result = analysis.read_result(out / e.out_rel)
            except (OSError, ValueError) as exc:
                status, error = "failed", f"cannot read its result.json: {exc}"
        elif status == "pending":
            error = "not analysed yet (the batch was interrupted): run the same command again"
        records.append(
            ClipRecord(
                clip=e.rel,
                athlete=e.athlete,
                date=e.date,
                status=status,
                error=error,
                hint=hint,
                out_rel=e.out_rel,
                attempts=int(row["attempts"]),
                result=result,
            )
        )
    for path in others:
        rel = path.relative_to(folder).as_posix()
        records.append(
            ClipRecord(
                clip=rel,
                athlete="",
                date=None,
                status="skipped",
                error=f"not a video clip (suffix {path.suffix or 'none'}); not analysed",
                hint="Clips must end in .mp4, .mov, .m4v, .avi or .mkv.",
            )
        )
    return records
