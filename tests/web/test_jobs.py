"""The job queue: claims, leases, heartbeats, restarts and workers that die."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from analyzer.web import jobs
from analyzer.web.models import Clip, Job, Team
from analyzer.web.worker import run_worker
from tests.web.fakes import PROJECT_ROOT, SAMPLE_CLIP

pytestmark = pytest.mark.django_db(transaction=True)


def _queued_clip(name: str = "rep.mp4") -> Clip:
    team, _ = Team.objects.get_or_create(name="Eagles")
    clip = Clip.objects.create(team=team, original_name=name, stored_name=f"{name}.mp4")
    Path(clip.upload_path).write_bytes(SAMPLE_CLIP.read_bytes())
    jobs.enqueue(clip)
    return clip


def test_claim_heartbeat_and_finish():
    clip = _queued_clip()
    job = jobs.claim("w1")
    assert job is not None and job.clip_id == clip.pk and job.attempts == 1
    assert jobs.claim("w2") is None  # leased to w1
    assert Clip.objects.get(pk=clip.pk).status == Clip.Status.RUNNING
    before = Job.objects.get(pk=job.pk).lease_until
    time.sleep(0.01)
    assert jobs.heartbeat(job.pk, "w1", stage="pose", done=5, total=10)
    after = Job.objects.get(pk=job.pk)
    assert after.lease_until > before and after.stage == "pose" and after.done_units == 5
    assert not jobs.heartbeat(job.pk, "w2")  # not the owner
    assert not jobs.finish_done(job, "w2", {"overall": 1.0})
    assert jobs.finish_done(job, "w1", {"overall": 80.0})
    clip.refresh_from_db()
    assert clip.status == Clip.Status.DONE and clip.overall_score == 80.0


def test_concurrent_claims_never_share_a_job():
    clips = [_queued_clip(f"c{i}") for i in range(6)]
    got: list[int] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        try:
            while (job := jobs.claim(name)) is not None:
                with lock:
                    got.append(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(Job.objects.filter(clip__in=clips).values_list("id", flat=True))


def test_restart_with_a_queued_job_resumes_it(fake_analysis):
    clip = _queued_clip()  # queued while "the server was down"
    # a fresh worker (as started by the next `backpedal serve`) finds it in the table
    assert run_worker("after-restart", once=True) == 1
    clip.refresh_from_db()
    assert clip.status == Clip.Status.DONE and (clip.result_dir / "result.json").is_file()
    assert len(fake_analysis) == 1


def test_expired_lease_goes_back_to_the_queue(fake_analysis):
    clip = _queued_clip()
    job = jobs.claim("dead-worker")
    assert job is not None
    assert run_worker("w2", once=True) == 0  # the lease still holds
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert run_worker("w2", once=True) == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2 and job.worker_id == "w2"
    clip.refresh_from_db()
    assert clip.status == Clip.Status.DONE


def test_a_job_that_keeps_killing_workers_fails_after_the_cap(fake_analysis):
    clip = _queued_clip()
    past = timezone.now() - timedelta(seconds=1)
    Job.objects.filter(clip=clip).update(
        state=Job.State.RUNNING, attempts=3, max_attempts=3, worker_id="gone", lease_until=past
    )
    assert run_worker("w2", once=True) == 0
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED
    assert "interrupted 3 times" in clip.error_message and clip.error_hint
    assert fake_analysis == [] and clip.upload_path.is_file()  # kept for a retry


def _worker_env(lease_s: float) -> dict[str, str]:
    env = dict(os.environ)
    env["BACKPEDAL_WEB_DATABASE"] = "sqlite:///" + connection.settings_dict["NAME"]
    env["BACKPEDAL_WEB_JOB_LEASE_S"] = str(lease_s)
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


def _start_slow_worker(worker_id: str, lease_s: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.web.slow_worker", worker_id],
        env=_worker_env(lease_s), cwd=PROJECT_ROOT,
    )


def _wait_for(predicate, timeout_s: float = 30.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_killed_worker_job_resumes_after_lease_expiry(fake_analysis, settings):
    settings.JOB_LEASE_S = 2.0
    clip = _queued_clip()
    proc = _start_slow_worker("doomed", lease_s=2.0)
    try:
        _wait_for(lambda: Job.objects.filter(clip=clip, state="running", done_units__gt=0)
                  .exists())
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # a crash: no chance to release the job
        proc.wait()
    job = Job.objects.get(clip=clip)
    assert job.state == Job.State.RUNNING and job.worker_id == "doomed"
    _wait_for(lambda: timezone.now() > Job.objects.get(pk=job.pk).lease_until, 10)
    assert run_worker("survivor", once=True) == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2 and job.worker_id == "survivor"


def test_stopped_worker_gives_its_job_back_at_once(settings):
    clip = _queued_clip()
    proc = _start_slow_worker("stopping", lease_s=60.0)
    try:
        _wait_for(lambda: Job.objects.filter(clip=clip, state="running", done_units__gt=0)
                  .exists())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    job = Job.objects.get(clip=clip)
    assert job.state == Job.State.QUEUED and job.attempts == 0 and job.lease_until is None
    assert Clip.objects.get(pk=clip.pk).status == Clip.Status.QUEUED
