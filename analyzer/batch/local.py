"""Local worker processes: one clip at a time per process, the model loaded once per process.

Each worker is a ``multiprocessing`` process of the ``spawn`` context (no fork of a
coordinator holding SQLite handles and threads) with its own pipe, so the coordinator knows
which clip a dead worker was on: that clip alone is charged an attempt and the worker is
replaced (Python's ``ProcessPoolExecutor`` breaks the whole pool instead and cannot say which
task killed it). MediaPipe's landmarker uses one inference thread (see
:mod:`analyzer.pose.mediapipe_backend`), and OpenCV is kept to one thread here.

Workers ignore Ctrl-C (the coordinator stops them) and exit within a second when the
coordinator dies, even when killed with SIGKILL, so an orphan never competes with the next
run.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from analyzer.batch.jobs import Job, Outcome

log = logging.getLogger(__name__)

Task = Callable[[Job], Outcome]
Initializer = Callable[[], float]


def _exit_with_parent(poll_s: float = 0.5) -> None:
    """Exit this process as soon as its parent (the coordinator) is gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


@contextlib.contextmanager
def quiet_native_stderr(*, enabled: bool = True) -> Iterator[None]:
    """:func:`analyzer.pose.native_log.silence_native_stderr` for a whole worker process.

    That context moves the root logger's handlers to the duplicate of the real stderr; a
    worker also has handlers on named loggers (Dask's ``distributed`` logger), which are
    moved here too, so their messages stay visible while fd 2 goes to /dev/null.
    """
    from analyzer.pose.native_log import silence_native_stderr

    old = sys.stderr
    with silence_native_stderr(enabled=enabled):
        new = sys.stderr
        loggers = [lg for lg in logging.Logger.manager.loggerDict.values()
                   if isinstance(lg, logging.Logger)]  # fmt: skip
        moved = {
            handler: handler.stream
            for logger in loggers
            for handler in logger.handlers
            if new is not old
            and isinstance(handler, logging.StreamHandler)
            and handler.stream in (old, sys.__stderr__)
        }
        for handler in moved:
            handler.setStream(new)
        try:
            yield
        finally:
            for handler, stream in moved.items():
                handler.setStream(stream)


def default_initializer() -> float:
    """One thread for OpenCV, then :func:`analyzer.batch.analysis.warm_up`."""
    import cv2

    from analyzer.batch.analysis import warm_up

    cv2.setNumThreads(1)
    return warm_up()


def _worker_main(
    conn: Connection, task: Task, initializer: Initializer | None, quiet: bool
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    with quiet_native_stderr(enabled=quiet):
        _serve(conn, task, initializer)


def _serve(conn: Connection, task: Task, initializer: Initializer | None) -> None:
    """Warm up, then run the jobs the coordinator sends until it closes the pipe."""
    warm_up_s = 0.0
    if initializer is not None:
        try:
            warm_up_s = initializer()
        except Exception as exc:  # the clip will fail with the same error, clearly
            log.warning("worker warm-up failed: %s", exc)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            outcome = task(job)
        except Exception as exc:
            outcome = Outcome(ok=False, error=f"{type(exc).__name__}: {exc}",
                              error_type=type(exc).__name__)  # fmt: skip
        if warm_up_s:
            outcome.timings_s["warm_up_s"] = warm_up_s
            warm_up_s = 0.0
        conn.send(outcome)


@dataclass
class _Slot:
    proc: Any  # multiprocessing.process.BaseProcess
    conn: Connection
    job: Job | None = None


def _death_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the worker process was killed by {name} (out of memory, or killed)"
    return f"the worker process exited unexpectedly (exit code {exitcode})"


class LocalRunner:
    """``workers`` local processes analysing one clip each at a time.

    Parameters
    ----------
    workers
        Number of worker processes (one per core is the sensible most).
    task
        What a worker runs per job (a module-level function, picklable by name).
    initializer
        Run once in each worker before its first job (loads the model); None for none.
    quiet
        Silence what native libraries write to the workers' stderr.
    """

    def __init__(
        self,
        workers: int,
        *,
        task: Task | None = None,
        initializer: Initializer | None = default_initializer,
        quiet: bool = True,
        context: str = "spawn",
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        if task is None:
            from analyzer.batch.analysis import run_job

            task = run_job
        self._ctx: Any = multiprocessing.get_context(context)
        self._task = task
        self._initializer = initializer
        self._quiet = quiet
        self._slots = [self._spawn() for _ in range(workers)]

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_worker_main,
            args=(child, self._task, self._initializer, self._quiet),
            name="backpedal-batch-worker",
            daemon=True,
        )
        proc.start()
        child.close()
        return _Slot(proc=proc, conn=parent)

    def capacity(self) -> int:
        """How many jobs can run now (idle workers)."""
        return sum(1 for s in self._slots if s.job is None)

    def submit(self, job: Job) -> None:
        """Give ``job`` to an idle worker (raises RuntimeError when none is idle)."""
        for i, slot in enumerate(self._slots):
            if slot.job is not None:
                continue
            if not slot.proc.is_alive():  # died while idle (killed, out of memory)
                slot = self._replace(i)
            try:
                slot.conn.send(job)
            except OSError:  # died just now
                slot = self._replace(i)
                slot.conn.send(job)
            slot.job = job
            return
        raise RuntimeError("no idle worker")

    def _replace(self, index: int) -> _Slot:
        old = self._slots[index]
        old.proc.join(5.0)
        old.conn.close()
        self._slots[index] = self._spawn()
        return self._slots[index]

    def wait(self, timeout_s: float) -> list[tuple[Job, Outcome]]:
        """Outcomes of the jobs that ended within ``timeout_s`` (a dead worker is replaced and
        its job reported ``crashed``)."""
        busy = [s for s in self._slots if s.job is not None]
        if not busy:
            return []
        handles: list[Any] = [s.conn for s in busy] + [s.proc.sentinel for s in busy]
        ready = set(multiprocessing.connection.wait(handles, timeout_s))
        done: list[tuple[Job, Outcome]] = []
        for slot in busy:
            if slot.conn not in ready and slot.proc.sentinel not in ready:
                continue
            job = slot.job
            assert job is not None
            try:
                if slot.conn.poll():
                    outcome: Outcome | None = slot.conn.recv()
                elif slot.proc.is_alive():
                    continue
                else:
                    outcome = None
            except (EOFError, OSError):
                outcome = None
            if outcome is None:  # the worker died: replace it, report the clip crashed
                slot.proc.join(5.0)
                outcome = Outcome(ok=False, crashed=True, error=_death_message(slot.proc.exitcode))
                self._replace(self._slots.index(slot))
            else:
                slot.job = None
            done.append((job, outcome))
        return done

    def close(self) -> None:
        """Stop every worker (a busy one is terminated; its clip stays to be redone)."""
        for slot in self._slots:
            if slot.job is not None and slot.proc.is_alive():
                slot.proc.terminate()
            slot.conn.close()
        for slot in self._slots:
            slot.proc.join(5.0)
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join(1.0)
