"""Read-only share links: made by the coach, opened logged out, revocable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from analyzer.web.models import Athlete, Clip, ShareLink, Team
from tests.web.fakes import SAMPLE_CLIP, write_fake_outputs

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_clip(coach_client):
    team = Team.objects.get(name="Eagles")
    athlete = Athlete.objects.create(team=team, name="Sam Lee")
    clip = Clip.objects.create(team=team, athlete=athlete, original_name="rep.mp4",
                               status=Clip.Status.DONE, overall_score=72.0)
    write_fake_outputs(clip.result_dir)
    clip.summary = {"overall": 72.0, "findings": [{"title": "Hips too high",
                                                   "severity": "major", "cue": "Sit."}]}
    clip.save()
    return clip


def test_share_link_lifecycle(coach_client, done_clip):
    resp = coach_client.post(reverse("share_create", args=[done_clip.pk]), {"label": "Sam"})
    assert resp.status_code == 302
    link = ShareLink.objects.get(clip=done_clip)
    assert len(link.token) >= 43 and link.label == "Sam"  # 256 random bits
    page = coach_client.get(reverse("clip", args=[done_clip.pk])).content.decode()
    assert reverse("shared", args=[link.token]) in page

    anonymous = Client()
    shared = anonymous.get(reverse("shared", args=[link.token]))
    assert shared.status_code == 200
    html = shared.content.decode()
    assert "Sam Lee" in html and "Hips too high" in html and 'id="annotated"' in html
    assert shared["Referrer-Policy"] == "no-referrer"
    assert "Share with the athlete" not in html and "Delete" not in html  # read-only
    video = anonymous.get(reverse("shared_file", args=[link.token, "annotated.mp4"]),
                          HTTP_RANGE="bytes=0-9")
    assert video.status_code == 206
    assert b"".join(video.streaming_content) == SAMPLE_CLIP.read_bytes()[:10]
    report = anonymous.get(reverse("shared_file", args=[link.token, "report.html"]))
    assert report.status_code == 200
    for name in ("result.json", "metrics.csv", "clip.kva"):  # only what the page shows
        assert anonymous.get(reverse("shared_file", args=[link.token, name])).status_code == 404
    assert anonymous.get(reverse("clip", args=[done_clip.pk])).status_code == 302

    assert coach_client.post(reverse("share_revoke", args=[link.pk])).status_code == 302
    link.refresh_from_db()
    assert not link.active
    assert anonymous.get(reverse("shared", args=[link.token])).status_code == 404
    assert anonymous.get(reverse("shared_file", args=[link.token, "annotated.mp4"])
                         ).status_code == 404


def test_unknown_token_is_404(client, done_clip):
    assert client.get(reverse("shared", args=["not-a-token"])).status_code == 404


def test_share_needs_post(coach_client, done_clip):
    assert coach_client.get(reverse("share_create", args=[done_clip.pk])).status_code == 405
