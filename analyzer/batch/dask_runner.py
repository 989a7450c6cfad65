"""Run the batch on a Dask distributed cluster (``backpedal batch --scheduler tcp://...``).

The coordinator stays where it is (it alone writes the manifest and moves finished folders
into place); each clip is one Dask task running :func:`analyzer.batch.analysis.run_job` on a
worker, which reads the clip from and writes its outputs to shared storage mounted at the
same path on every machine. A :class:`WarmUpPlugin` (``WorkerPlugin.setup``) loads the model
once per worker, also on workers that join later.

Lost workers are Dask's business: when a worker dies, the scheduler reruns its tasks
elsewhere, and a task that was on ``distributed.scheduler.allowed-failures`` (default 3)
dying workers fails with ``KilledWorker``, recorded as the clip's error. Dask does not tell
the client how often it ran a task, so each run notes its start in a small file beside the
job's folder (:func:`run_counted`); the coordinator records every run as an attempt.
Start workers with ``--nthreads 1``: one clip (one inference thread) per worker process.
See https://distributed.dask.org/en/stable/plugins.html and
https://distributed.dask.org/en/stable/killed.html.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

from distributed import Client, Future, WorkerPlugin, wait
from distributed.scheduler import KilledWorker

from analyzer.batch.analysis import worker_name
from analyzer.batch.jobs import RUNS_SUFFIX, Job, Outcome

log = logging.getLogger(__name__)

PLUGIN_NAME = "backpedal-warm-up"


def _runs_path(job: Job) -> Path:
    return Path(job.tmp_dir + RUNS_SUFFIX)


def read_runs(job: Job) -> list[tuple[float, str]]:
    """``(start time, worker)`` of each run of ``job``'s task so far, in order."""
    try:
        text = _runs_path(job).read_text(encoding="utf-8")
    except OSError:
        return []
    runs = []
    for line in text.splitlines():
        started, _, worker = line.partition(" ")
        try:
            runs.append((float(started), worker))
        except ValueError:  # a line torn by a worker that died while writing it
            continue
    return runs


def run_counted(task: Callable[[Job], Outcome], job: Job) -> Outcome:
    """Note this run's start beside ``job.tmp_dir``, then run ``task`` as the attempt it is.

    When Dask runs the task again after its worker died, the job it carries is unchanged;
    the run log on the shared storage says how many runs began before this one, so the
    task's ``attempt`` (written to ``batch.json``) and the manifest's count are the real
    ones. Hand-written because Dask keeps this count (``TaskState.suspicious``) on the
    scheduler only, where it counts tasks assigned to a dying worker, started or not.
    """
    path = _runs_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"{time.time():.3f} {worker_name()}\n")
    runs = read_runs(job)
    outcome = task(dataclasses.replace(job, attempt=job.attempt + max(len(runs), 1) - 1))
    outcome.earlier_runs = runs[:-1]
    return outcome


class WarmUpPlugin(WorkerPlugin):
    """Loads the analysis stack and the pose model once on every worker, and keeps
    MediaPipe's native log lines out of the worker's log (until the plugin is removed)."""

    def __init__(self) -> None:
        self._quiet = contextlib.ExitStack()

    def setup(self, worker: Any) -> None:
        """Called by Dask when the plugin is attached to ``worker``."""
        from analyzer.batch.local import default_initializer, quiet_native_stderr

        self._quiet.enter_context(quiet_native_stderr())
        try:
            seconds = default_initializer()
            log.info("backpedal warm-up on %s took %.1f s", worker.address, seconds)
        except Exception as exc:  # each clip then fails with the same error, clearly
            log.warning("backpedal warm-up failed on %s: %s", worker.address, exc)

    def teardown(self, worker: Any) -> None:
        """Called by Dask when the worker closes: fd 2 back as it was."""
        self._quiet.close()


class DaskRunner:
    """Jobs as Dask tasks, at most as many in flight as the cluster has threads.

    Parameters
    ----------
    address
        The scheduler's address (``tcp://host:8786``); ignored when ``client`` is given.
    client
        An existing :class:`distributed.Client` (the caller closes it).
    task
        What each task runs (default :func:`analyzer.batch.analysis.run_job`).
    warm_up
        Register :class:`WarmUpPlugin` (off only for stand-in tasks that need no model).
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        client: Client | None = None,
        task: Callable[[Job], Outcome] | None = None,
        warm_up: bool = True,
        connect_timeout_s: float = 30.0,
    ) -> None:
        from analyzer.errors import ConfigError

        if task is None:
            from analyzer.batch.analysis import run_job

            task = run_job
        self._task = task
        self._own_client = client is None
        if client is None:
            try:
                client = Client(address, timeout=connect_timeout_s, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(
                    f"cannot reach the Dask scheduler at {address}: {exc}",
                    "Start it with `dask scheduler` and check the address and the firewall "
                    "(see README, 'Team batch on several machines').",
                ) from exc
        self.client = client
        if warm_up:
            self.client.register_plugin(WarmUpPlugin(), name=PLUGIN_NAME)
        self._futures: dict[Future, Job] = {}
        self._threads = 0

    def capacity(self) -> int:
        """Free task slots: the cluster's threads minus the tasks in flight (at least 0)."""
        self._threads = sum(self.client.nthreads().values())
        return max(0, self._threads - len(self._futures))

    def submit(self, job: Job) -> None:
        """Send ``job`` to the cluster as one task (its key names the clip's attempt)."""
        key = f"backpedal{PurePath(job.tmp_dir).name}"  # .tmp-<key>-a<attempt>-<nonce>
        future = self.client.submit(run_counted, self._task, job, key=key, pure=False)
        self._futures[future] = job

    def wait(self, timeout_s: float) -> list[tuple[Job, Outcome]]:
        """Outcomes of the tasks that ended within ``timeout_s``."""
        if not self._futures:
            return []
        try:
            with self.client.as_current():  # wait() uses the current client
                finished, _ = wait(
                    list(self._futures), timeout=timeout_s, return_when="FIRST_COMPLETED"
                )
        except TimeoutError:
            return []
        except OSError as exc:  # distributed's CommClosedError is an OSError
            from analyzer.errors import ConfigError

            raise ConfigError(
                f"lost the connection to the Dask scheduler: {exc}",
                "Check the scheduler, then run the same command again: finished clips are kept.",
            ) from exc
        done = []
        for future in finished:
            job = self._futures.pop(future)
            done.append((job, self._outcome(future, job)))
            # Released now, before the next submit: a result the client still wants is
            # computed again when the worker holding it dies (a whole clip run for nothing).
            future.release()
            _runs_path(job).unlink(missing_ok=True)
        return done

    @staticmethod
    def _outcome(future: Future, job: Job) -> Outcome:
        if future.status == "finished":
            result: Outcome = future.result()
            return result
        exc = future.exception()
        runs = read_runs(job)  # the task's own outcome is lost: every run is in the log
        worker = runs[-1][1] if runs else ""
        if isinstance(exc, KilledWorker):
            return Outcome(
                ok=False,
                error=f"the Dask workers running this clip died repeatedly ({exc})",
                hint="Check the workers' memory and logs; the clip may be too large.",
                error_type="KilledWorker",
                worker=worker,
                earlier_runs=runs[:-1],
            )
        return Outcome(
            ok=False,
            error=f"the Dask task failed: {type(exc).__name__}: {exc}",
            error_type=type(exc).__name__,
            worker=worker,
            earlier_runs=runs[:-1],
        )

    def close(self) -> None:
        """Cancel what is still queued and disconnect (if this runner made the client)."""
        if self._futures:
            self.client.cancel(list(self._futures))
            for job in self._futures.values():
                _runs_path(job).unlink(missing_ok=True)
            self._futures.clear()
        if self._own_client:
            self.client.close()
