"""The app's migrations and job queue against a real PostgreSQL (run by test_postgres.py).

Run as ``python -m tests.web.pg_queue_check`` with ``BACKPEDAL_WEB_DATABASE`` set to a
PostgreSQL URL; exits non-zero (with the assertion) on any failure.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "analyzer.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    assert connection.vendor == "postgresql", connection.vendor
    assert connection.features.has_select_for_update_skip_locked
    call_command("migrate", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)  # a second start: nothing to do
    call_command("makemigrations", "web", "--check", "--dry-run", verbosity=0)

    from analyzer.web import analysis, jobs
    from analyzer.web.models import Clip, Job, Team
    from analyzer.web.worker import run_worker
    from tests.web.fakes import SAMPLE_CLIP, write_fake_outputs

    team = Team.objects.create(name="Eagles")
    clips = []
    for i in range(8):
        clip = Clip.objects.create(team=team, original_name=f"c{i}.mp4", stored_name=f"c{i}.mp4")
        Path(clip.upload_path).write_bytes(SAMPLE_CLIP.read_bytes()[:1000])
        jobs.enqueue(clip)
        clips.append(clip)

    got: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def claimer(name: str) -> None:
        try:
            barrier.wait()
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
    all_ids = sorted(Job.objects.values_list("id", flat=True))
    assert sorted(got) == all_ids, (got, all_ids)  # each job claimed exactly once

    # every claimer "died": expire their leases, and a new worker finishes all the jobs
    Job.objects.update(lease_until=timezone.now() - timedelta(seconds=1))

    def fake(clip, out_dir, settings, progress=None):
        if progress:
            progress("pose", 1, 2)
        write_fake_outputs(Path(out_dir))
        return analysis.summarize_result(Path(out_dir) / "result.json")

    analysis.run_analysis = fake
    assert run_worker("after-restart", once=True) == len(clips)
    states = set(Job.objects.values_list("state", "attempts"))
    assert states == {("done", 2)}, states
    assert set(Clip.objects.values_list("status", flat=True)) == {"done"}
    print("postgresql queue ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
