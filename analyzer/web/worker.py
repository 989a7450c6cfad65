"""A job worker process: claim a job, run the analysis, publish the result, repeat.

Run by ``backpedal serve`` (``--workers N`` of them) as ``python -m analyzer.web.worker``.
While an analysis runs, a heartbeat thread renews the job's lease and stores the latest
progress; a worker that is killed simply stops renewing, and its job goes back to the queue
when the lease runs out. SIGTERM/SIGINT give the running job back at once.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import threading
import uuid
from pathlib import Path
from types import FrameType

log = logging.getLogger("analyzer.web.worker")


class _Progress:
    """Latest progress, written by the analysis thread, read by the heartbeat thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stage = "starting"
        self.done = 0
        self.total: int | None = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        with self.lock:
            self.stage, self.done, self.total = stage, int(done), total

    def snapshot(self) -> tuple[str, int, int | None]:
        with self.lock:
            return self.stage, self.done, self.total


class _Heartbeat(threading.Thread):
    """Renews the lease every ``interval_s`` and saves progress, until stopped."""

    def __init__(self, job_id: int, worker_id: str, progress: _Progress, interval_s: float):
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.job_id, self.worker_id, self.progress = job_id, worker_id, progress
        self.interval_s = interval_s
        self.stop_event = threading.Event()
        self.lost = False

    def run(self) -> None:
        from django.db import connection

        from analyzer.web import jobs

        try:
            while not self.stop_event.wait(self.interval_s):
                stage, done, total = self.progress.snapshot()
                try:
                    if not jobs.heartbeat(
                        self.job_id, self.worker_id, stage=stage, done=done, total=total
                    ):
                        self.lost = True
                        log.warning("job %s: lease lost", self.job_id)
                        return
                except Exception as exc:  # a busy database must not kill the heartbeat
                    log.warning("job %s: heartbeat failed: %s", self.job_id, exc)
        finally:
            connection.close()


def process_job(job, worker_id: str) -> str:
    """Run one claimed job to the end; returns its final state."""
    from django.conf import settings

    from analyzer.web import analysis, jobs, storage

    clip = job.clip
    progress = _Progress()
    beat = _Heartbeat(job.pk, worker_id, progress, interval_s=min(1.0, settings.JOB_LEASE_S / 4))
    beat.start()
    staged: Path | None = None
    try:
        path = clip.upload_path
        if path is None or not path.is_file():
            raise FileNotFoundError(f"the uploaded clip {clip.stored_name} is missing")
        staged = storage.staging_dir(clip.pk, f"{job.pk}-{job.attempts}")
        summary = analysis.run_analysis(path, staged, dict(clip.settings), progress=progress)
        beat.stop_event.set()
        beat.join()
        if beat.lost:
            return "lost"
        storage.publish_result(staged, clip.pk)
        staged = None
        return "done" if jobs.finish_done(job, worker_id, summary) else "lost"
    except Exception as exc:
        beat.stop_event.set()
        beat.join()
        message, hint = analysis.describe_error(exc)
        if clip.stored_name:  # speak of the file the coach uploaded, not its stored name
            message = message.replace(clip.stored_name, clip.original_name)
        log.warning("job %s failed: %s", job.pk, message)
        return "failed" if jobs.finish_failed(job, worker_id, message, hint) else "lost"
    finally:
        beat.stop_event.set()
        if staged is not None:
            import shutil

            shutil.rmtree(staged, ignore_errors=True)


def run_worker(
    worker_id: str | None = None,
    *,
    once: bool = False,
    max_jobs: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Claim and process jobs until stopped; returns the number of jobs processed.

    ``once``: return when the queue is empty (tests, one-shot runs).
    """
    from django.conf import settings
    from django.db import close_old_connections

    from analyzer.web import jobs

    worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    stop = stop or threading.Event()
    n = 0
    while not stop.is_set():
        close_old_connections()
        job = jobs.claim(worker_id)
        if job is None:
            if once:
                break
            stop.wait(settings.JOB_POLL_S)
            continue
        try:
            state = process_job(job, worker_id)
        except BaseException:
            jobs.release(job, worker_id)  # told to stop mid-analysis: back to the queue
            raise
        log.info("job %s: %s", job.pk, state)
        n += 1
        if max_jobs is not None and n >= max_jobs:
            break
    return n


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Entry point of a worker process (configured through the environment)."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.web.worker")
    parser.add_argument("--once", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--id", help="worker id (default: host-pid-random)")
    parser.add_argument("--verbose", action="store_true", help="keep MediaPipe's native log")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "analyzer.web.settings")
    import django

    django.setup()
    logging.basicConfig(level=logging.WARNING, format="worker %(process)d: %(message)s")
    logging.getLogger("analyzer.web").setLevel(logging.INFO)
    signal.signal(signal.SIGTERM, _raise_exit)
    from analyzer.pose.native_log import silence_native_stderr

    with (
        contextlib.suppress(SystemExit, KeyboardInterrupt),
        silence_native_stderr(enabled=not args.verbose),
    ):
        run_worker(args.id, once=args.once)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
