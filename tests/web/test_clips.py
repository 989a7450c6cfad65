"""Uploads, clip pages, progress JSON, result files and team isolation (Django test client)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analyzer.web import jobs
from analyzer.web.models import Athlete, Clip, Job, Team
from tests.web.fakes import SAMPLE_CLIP, write_fake_outputs

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "rep.mp4", xhr: bool = True, **fields):
    payload = {"clip": SimpleUploadedFile(name, data), "recorded_on": "2026-11-30", **fields}
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if xhr else {}
    return client.post(reverse("upload"), payload, **headers)


def _done_clip(team: Team, **kw) -> Clip:
    clip = Clip.objects.create(team=team, original_name="rep.mp4", status=Clip.Status.DONE,
                               overall_score=72.0, **kw)
    write_fake_outputs(clip.result_dir)
    return clip


def test_upload_page_is_phone_friendly(coach_client):
    resp = coach_client.get(reverse("upload"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'name="viewport"' in html and 'accept="video/*' in html
    assert 'id="drop"' in html and "/static/web/upload.js" in html
    assert coach_client.get("/static/web/upload.js").status_code == 200


def test_video_upload_is_stored_recorded_and_queued(coach_client, settings):
    resp = _upload(coach_client, SAMPLE_CLIP.read_bytes(), name="../../evil name.mp4",
                   new_athlete="Sam Lee", athlete_height_m="1.8")
    assert resp.status_code == 201, resp.content
    clip = Clip.objects.get(pk=resp.json()["clip"])
    assert resp.json()["url"] == reverse("clip", args=[clip.pk])
    assert clip.status == Clip.Status.QUEUED and clip.athlete.name == "Sam Lee"
    assert clip.original_name == "evil name.mp4"
    assert clip.stored_name.endswith(".mp4") and "evil" not in clip.stored_name
    stored = Path(settings.UPLOAD_DIR) / clip.stored_name
    assert stored.read_bytes() == SAMPLE_CLIP.read_bytes()
    assert clip.settings["athlete_height_m"] == 1.8
    assert clip.duration_s == pytest.approx(3.8, abs=0.1)
    assert Job.objects.get(clip=clip).state == Job.State.QUEUED
    assert list(Path(settings.TMP_DIR).iterdir()) == []  # the temporary file was moved


def test_plain_form_upload_redirects_to_the_clip(coach_client):
    resp = _upload(coach_client, SAMPLE_CLIP.read_bytes(), xhr=False)
    clip = Clip.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("clip", args=[clip.pk])


def test_non_video_upload_is_refused_by_content(coach_client, settings):
    resp = _upload(coach_client, b"%PDF-1.4 not a video at all\n" * 100, name="clip.mp4")
    assert resp.status_code == 400
    body = resp.json()
    assert "video" in body["error"].lower() and body["hint"]
    assert not Clip.objects.exists() and not Job.objects.exists()
    assert list(Path(settings.UPLOAD_DIR).iterdir()) == []
    assert list(Path(settings.TMP_DIR).iterdir()) == []
    page = _upload(coach_client, b"hello", name="clip.mov", xhr=False)
    assert page.status_code == 400 and b"role=\"alert\"" in page.content


def test_oversized_upload_is_refused_and_nothing_kept(coach_client, settings):
    settings.MAX_UPLOAD_BYTES = 100 * 1024
    resp = _upload(coach_client, SAMPLE_CLIP.read_bytes())
    assert resp.status_code == 413
    assert "limit" in resp.json()["error"]
    assert not Clip.objects.exists()
    assert list(Path(settings.UPLOAD_DIR).iterdir()) == []
    assert list(Path(settings.TMP_DIR).iterdir()) == []


def test_upload_without_a_file_is_a_form_error(coach_client):
    resp = coach_client.post(reverse("upload"), {"recorded_on": "2026-11-30"},
                             HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert resp.status_code == 400 and "clip" in resp.json()["hint"]


def test_home_lists_only_the_teams_clips(coach_client, make_coach):
    eagles = Team.objects.get(name="Eagles")
    make_coach("bob", "Hawks")
    _done_clip(eagles, import_key="mine")
    Clip.objects.create(team=Team.objects.get(name="Hawks"), original_name="theirs.mp4")
    html = coach_client.get(reverse("home")).content.decode()
    assert "rep.mp4" in html and "theirs.mp4" not in html and "72/100" in html


@pytest.mark.django_db(transaction=True)
def test_clip_page_shows_progress_then_the_report(coach_client, fake_analysis):
    eagles = Team.objects.get(name="Eagles")
    clip = Clip.objects.create(team=eagles, original_name="rep.mp4", stored_name="x.mp4")
    Path(clip.upload_path).write_bytes(SAMPLE_CLIP.read_bytes())
    jobs.enqueue(clip)
    page = coach_client.get(reverse("clip", args=[clip.pk])).content.decode()
    assert 'id="progress-card"' in page and "/static/web/progress.js" in page
    status = coach_client.get(reverse("clip_status", args=[clip.pk])).json()
    assert status["status"] == "queued" and status["queued_ahead"] == 0
    from analyzer.web.worker import run_worker

    assert run_worker("w1", once=True) == 1
    clip.refresh_from_db()
    assert clip.status == Clip.Status.DONE and clip.overall_score == 72.0
    status = coach_client.get(reverse("clip_status", args=[clip.pk])).json()
    assert status["status"] == "done" and status["attempts"] == 1
    page = coach_client.get(reverse("clip", args=[clip.pk])).content.decode()
    assert 'id="annotated"' in page and "Hips too high" in page and "Sit into it." in page
    assert reverse("clip_file", args=[clip.pk, "annotated.mp4"]) in page
    assert fake_analysis[0]["clip"] == clip.upload_path


def test_result_files_and_video_ranges(coach_client):
    clip = _done_clip(Team.objects.get(name="Eagles"))
    size = SAMPLE_CLIP.stat().st_size
    url = reverse("clip_file", args=[clip.pk, "annotated.mp4"])
    whole = coach_client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == SAMPLE_CLIP.read_bytes()
    part = coach_client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{size}"
    assert b"".join(part.streaming_content) == SAMPLE_CLIP.read_bytes()[100:200]
    tail = coach_client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == SAMPLE_CLIP.read_bytes()[-10:]
    open_end = coach_client.get(url, HTTP_RANGE=f"bytes={size - 5}-")
    assert open_end["Content-Length"] == "5"
    bad = coach_client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{size}"
    report = coach_client.get(reverse("clip_file", args=[clip.pk, "report.html"]))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/html")
    assert "script-src 'unsafe-inline'" in report["Content-Security-Policy"]
    assert "default-src 'none'" in report["Content-Security-Policy"]
    csv = coach_client.get(reverse("clip_file", args=[clip.pk, "metrics.csv"]))
    assert "attachment" in csv["Content-Disposition"]
    assert coach_client.get(reverse("clip_file", args=[clip.pk, "clip.kva"])).status_code == 200
    for name in ("track.npz", "..", ".hidden", "secret_key"):
        assert coach_client.get(reverse("clip_file", args=[clip.pk, name])).status_code == 404


def test_another_teams_clip_and_athlete_are_404(coach_client, make_coach):
    hawks_user = make_coach("bob", "Hawks")
    hawks = Team.objects.get(name="Hawks")
    athlete = Athlete.objects.create(team=hawks, name="Hawk")
    clip = _done_clip(hawks, athlete=athlete)
    link = clip.share_links.create(created_by=hawks_user)
    gets = [
        reverse("clip", args=[clip.pk]),
        reverse("clip_status", args=[clip.pk]),
        reverse("clip_file", args=[clip.pk, "report.html"]),
        reverse("clip_file", args=[clip.pk, "annotated.mp4"]),
        reverse("athlete", args=[athlete.pk]),
    ]
    for url in gets:
        assert coach_client.get(url).status_code == 404, url
    posts = [
        reverse("clip_retry", args=[clip.pk]),
        reverse("clip_delete", args=[clip.pk]),
        reverse("share_create", args=[clip.pk]),
        reverse("share_revoke", args=[link.pk]),
    ]
    for url in posts:
        assert coach_client.post(url).status_code == 404, url
    assert Clip.objects.filter(pk=clip.pk).exists() and clip.share_links.count() == 1
    link.refresh_from_db()
    assert link.active


@pytest.mark.django_db(transaction=True)
def test_failed_clip_shows_error_and_can_be_retried(coach_client, monkeypatch):
    from analyzer.errors import NoPersonError
    from analyzer.web import analysis
    from analyzer.web.worker import run_worker

    def boom(clip, out_dir, settings, progress=None):
        raise NoPersonError("No person was found in the clip.")

    monkeypatch.setattr(analysis, "run_analysis", boom)
    eagles = Team.objects.get(name="Eagles")
    clip = Clip.objects.create(team=eagles, original_name="rep.mp4", stored_name="y.mp4")
    Path(clip.upload_path).write_bytes(b"kept for a retry")
    jobs.enqueue(clip)
    run_worker("w1", once=True)
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED
    page = coach_client.get(reverse("clip", args=[clip.pk])).content.decode()
    assert "No person was found" in page and "head to feet" in page and 'id="retry"' in page
    assert clip.upload_path.read_bytes() == b"kept for a retry"
    assert coach_client.post(reverse("clip_retry", args=[clip.pk])).status_code == 302
    clip.refresh_from_db()
    assert clip.status == Clip.Status.QUEUED and clip.jobs.count() == 2


def test_delete_removes_clip_files(coach_client):
    clip = _done_clip(Team.objects.get(name="Eagles"), stored_name="z.mp4")
    Path(clip.upload_path).write_bytes(b"x")
    result_dir = clip.result_dir
    assert coach_client.post(reverse("clip_delete", args=[clip.pk])).status_code == 302
    assert not Clip.objects.exists() and not result_dir.exists()
    assert not Path(clip.upload_path).exists()


def test_roster_add_list_and_athlete_page(coach_client):
    resp = coach_client.post(reverse("athletes"), {"name": "Sam Lee", "position": "CB",
                                                   "height_m": "1.80"})
    assert resp.status_code == 302
    dup = coach_client.post(reverse("athletes"), {"name": "sam lee"})
    assert dup.status_code == 400 and b"already on the roster" in dup.content
    bad = coach_client.post(reverse("athletes"), {"name": "Tall", "height_m": "180"})
    assert bad.status_code == 400
    athlete = Athlete.objects.get(name="Sam Lee")
    _done_clip(athlete.team, athlete=athlete)
    roster = coach_client.get(reverse("athletes")).content.decode()
    assert "Sam Lee" in roster and "1 clip" in roster
    page = coach_client.get(reverse("athlete", args=[athlete.pk])).content.decode()
    assert "rep.mp4" in page and ">72<" in page
    upload = coach_client.get(reverse("upload") + f"?athlete={athlete.pk}").content.decode()
    assert f'<option value="{athlete.pk}" selected>Sam Lee</option>' in upload


def test_upload_form_lists_only_own_roster(coach_client, make_coach):
    make_coach("bob", "Hawks")
    Athlete.objects.create(team=Team.objects.get(name="Hawks"), name="Hawk Athlete")
    Athlete.objects.create(team=Team.objects.get(name="Eagles"), name="Eagle Athlete")
    html = coach_client.get(reverse("upload")).content.decode()
    assert "Eagle Athlete" in html and "Hawk Athlete" not in html
    hawk = Athlete.objects.get(name="Hawk Athlete")
    resp = _upload(coach_client, io.BytesIO(SAMPLE_CLIP.read_bytes()).read(), athlete=hawk.pk)
    assert resp.status_code == 400  # another team's athlete is not a valid choice


def test_wrong_methods_are_refused(coach_client):
    clip = _done_clip(Team.objects.get(name="Eagles"))
    assert coach_client.post(reverse("clip", args=[clip.pk])).status_code == 405
    assert coach_client.post(reverse("clip_status", args=[clip.pk])).status_code == 405
    assert coach_client.get(reverse("clip_retry", args=[clip.pk])).status_code == 405
    assert coach_client.get(reverse("clip_delete", args=[clip.pk])).status_code == 405
    assert coach_client.put(reverse("upload")).status_code == 405
    assert coach_client.put(reverse("athletes")).status_code == 405
    assert coach_client.put(reverse("import_batch")).status_code == 405
