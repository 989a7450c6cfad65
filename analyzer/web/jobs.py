"""The analysis job queue: a table of jobs with leases, in the app's own database.

A worker *claims* a job by setting ``state=running``, its id and ``lease_until``; it renews
the lease while it works (:func:`heartbeat`). If it dies, the lease runs out and the job is
claimable again, so a job queued or running when the server stopped resumes after a restart.
After ``max_attempts`` lost leases the job fails (a clip that keeps killing its worker stops).

Claiming is race-free on both databases: PostgreSQL locks the candidate row with
``SELECT ... FOR UPDATE SKIP LOCKED`` (concurrent workers skip it); SQLite takes the write
lock at ``BEGIN`` (``transaction_mode=IMMEDIATE`` in the settings) and the claim itself is a
conditional ``UPDATE`` that only succeeds while the row is still free.

Pattern: the leased-job table of ``docs`` "Team batch and the coach web app" (PostgreSQL
documentation, "The Locking Clause", on SKIP LOCKED for queue-like tables).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from analyzer.web.models import Clip, Job

log = logging.getLogger(__name__)


def enqueue(clip: Clip) -> Job:
    """Queue an analysis of ``clip`` (and mark the clip queued)."""
    with transaction.atomic():
        job = Job.objects.create(clip=clip, max_attempts=settings.JOB_MAX_ATTEMPTS)
        Clip.objects.filter(pk=clip.pk).update(
            status=Clip.Status.QUEUED, error_message="", error_hint=""
        )
    return job


def _claimable(now) -> QuerySet[Job]:
    expired = Q(state=Job.State.RUNNING, lease_until__lt=now)
    return Job.objects.filter(Q(state=Job.State.QUEUED) | expired)


def fail_exhausted() -> int:
    """Fail the jobs whose lease ran out once too often; returns how many."""
    now = timezone.now()
    n = 0
    stuck = Job.objects.filter(
        state=Job.State.RUNNING, lease_until__lt=now, attempts__gte=F("max_attempts")
    )
    for job in stuck.select_related("clip"):
        message = (
            f"The analysis was interrupted {job.attempts} times (its worker stopped before "
            "finishing)."
        )
        if finish_failed(job, job.worker_id, message, "Retry; if it stops again, the clip "
                         "may be too long or damaged: trim it to the rep and upload again."):
            n += 1
    return n


def claim(worker_id: str) -> Job | None:
    """Claim the oldest queued job (or one whose lease expired) for ``worker_id``."""
    fail_exhausted()
    now = timezone.now()
    lease = now + timedelta(seconds=settings.JOB_LEASE_S)
    candidates = _claimable(now).filter(attempts__lt=F("max_attempts")).order_by("id")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            job = candidates.select_for_update(skip_locked=True).first()
            pk = job.pk if job else None
        else:
            pk = candidates.values_list("id", flat=True).first()
        if pk is None:
            return None
        claimed = (
            _claimable(now)
            .filter(pk=pk, attempts__lt=F("max_attempts"))
            .update(
                state=Job.State.RUNNING,
                worker_id=worker_id,
                lease_until=lease,
                attempts=F("attempts") + 1,
                started_at=now,
                stage="starting",
                done_units=0,
                total_units=None,
            )
        )
        if claimed != 1:
            return None
        job = Job.objects.select_related("clip").get(pk=pk)
        Clip.objects.filter(pk=job.clip_id).update(status=Clip.Status.RUNNING)
    log.info("worker %s claimed job %s (attempt %d)", worker_id, job.pk, job.attempts)
    return job


def heartbeat(
    job_id: int,
    worker_id: str,
    *,
    stage: str | None = None,
    done: int | None = None,
    total: int | None = None,
) -> bool:
    """Renew the lease (and record progress); False when the worker no longer owns the job."""
    fields: dict = {"lease_until": timezone.now() + timedelta(seconds=settings.JOB_LEASE_S)}
    if stage is not None:
        fields.update(stage=stage[:40], done_units=max(0, done or 0), total_units=total)
    n = Job.objects.filter(pk=job_id, worker_id=worker_id, state=Job.State.RUNNING).update(
        **fields
    )
    return n == 1


def finish_done(job: Job, worker_id: str, summary: dict) -> bool:
    """Mark the job done and store the clip's summary, if ``worker_id`` still owns it."""
    with transaction.atomic():
        n = Job.objects.filter(pk=job.pk, worker_id=worker_id, state=Job.State.RUNNING).update(
            state=Job.State.DONE, finished_at=timezone.now(), lease_until=None, stage="done"
        )
        if n != 1:
            return False
        Clip.objects.filter(pk=job.clip_id).update(
            status=Clip.Status.DONE,
            summary=summary,
            overall_score=summary.get("overall"),
            error_message="",
            error_hint="",
        )
    return True


def finish_failed(job: Job, worker_id: str, message: str, hint: str) -> bool:
    """Mark the job failed with the error to show; the clip stays for a retry."""
    with transaction.atomic():
        n = Job.objects.filter(pk=job.pk, worker_id=worker_id, state=Job.State.RUNNING).update(
            state=Job.State.FAILED,
            finished_at=timezone.now(),
            lease_until=None,
            error=message,
            stage="failed",
        )
        if n != 1:
            return False
        Clip.objects.filter(pk=job.clip_id).update(
            status=Clip.Status.FAILED, error_message=message, error_hint=hint
        )
    return True


def release(job: Job, worker_id: str) -> bool:
    """Give a job back to the queue now (a worker told to stop); the attempt is not counted."""
    with transaction.atomic():
        n = Job.objects.filter(pk=job.pk, worker_id=worker_id, state=Job.State.RUNNING).update(
            state=Job.State.QUEUED,
            worker_id="",
            lease_until=None,
            attempts=F("attempts") - 1,
            stage="",
        )
        if n == 1:
            Clip.objects.filter(pk=job.clip_id).update(status=Clip.Status.QUEUED)
    return n == 1


def latest_job(clip: Clip) -> Job | None:
    """The clip's most recent job."""
    return clip.jobs.order_by("-id").first()
