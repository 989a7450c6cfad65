"""Review API (Django test client): decisions, notes, own flags, export, import, frames,
the Kinovea file with the review, and that another team's clip is a 404."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _findings(clip) -> list[dict]:
    return clip.summary["findings"]


def test_review_page_lists_findings_by_severity_with_timeline(coach_client, add_clip):
    clip = add_clip()
    page = coach_client.get(reverse("review", args=[clip.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    ids = [f["id"] for f in _findings(clip)]
    assert len(ids) == 3
    for fid in ids:
        assert f'id="finding-{fid}"' in html
    data = coach_client.get(reverse("review_data", args=[clip.pk])).json()
    assert data["n_frames"] == 229 and len(data["times_s"]) == 229
    assert data["times_s"][0] == 0.0 and data["times_s"][-1] == pytest.approx(228 / 60, abs=0.02)
    sev = [f["severity"] for f in data["findings"]]
    order = {"major": 0, "moderate": 1, "minor": 2}
    assert sev == sorted(sev, key=order.__getitem__)
    assert {f["id"] for f in data["findings"]} == set(ids)
    assert all(a <= b for f in data["findings"] for a, b in f["frames"])
    touch = [c for c in data["contacts"] if c["kind"] == "touchdown"]
    assert len(touch) >= 6 and {c["foot"] for c in touch} == {"left", "right"}
    # the rep starts where the sample clip's backpedal does: its first step (frame 53-55 as
    # the pose pass places the feet; the truth file's phase starts at the first push, 36)
    assert 36 <= data["reps"][0]["pedal_start"] <= 60


def test_decisions_and_notes_are_stored_and_shown(coach_client, add_clip):
    clip = add_clip()
    a, b, _c = (f["id"] for f in _findings(clip))
    url = reverse("review_decide", args=[clip.pk, a])
    r = coach_client.post(url, {"decision": "dismissed", "note": "camera angle, not real"})
    assert r.status_code == 302 and r["Location"].endswith(f"#finding-{a}")
    coach_client.post(reverse("review_decide", args=[clip.pk, b]), {"decision": "confirmed"})
    exported = coach_client.get(reverse("review_json", args=[clip.pk]))
    doc = json.loads(exported.content)
    assert doc["format"] == "backpedal-review/1" and len(doc["clip_sha256"]) == 64
    got = {d["finding_id"]: (d["decision"], d["note"]) for d in doc["decisions"]}
    assert got == {a: ("dismissed", "camera angle, not real"), b: ("confirmed", "")}
    # changing one's mind replaces the decision; clear removes it
    coach_client.post(url, {"decision": "confirmed", "note": "on second look, yes"})
    coach_client.post(reverse("review_decide", args=[clip.pk, b]), {"decision": "clear"})
    doc = coach_client.get(reverse("review_json", args=[clip.pk])).json()
    assert [(d["finding_id"], d["decision"]) for d in doc["decisions"]] == [(a, "confirmed")]
    # shown on the coach's report page and on the share link
    page = coach_client.get(reverse("clip", args=[clip.pk])).content.decode()
    assert "on second look, yes" in page and 'id="open-review"' in page
    from analyzer.web.models import ShareLink

    link = ShareLink.objects.create(clip=clip)
    coach_client.logout()
    shared = coach_client.get(reverse("shared", args=[link.token])).content.decode()
    assert "on second look, yes" in shared and 'id="open-review"' not in shared


def test_bad_decisions_are_refused(coach_client, add_clip):
    clip = add_clip()
    fid = _findings(clip)[0]["id"]
    assert (
        coach_client.post(
            reverse("review_decide", args=[clip.pk, fid]), {"decision": "maybe"}
        ).status_code
        == 400
    )
    assert (
        coach_client.post(
            reverse("review_decide", args=[clip.pk, "no_such"]), {"decision": "confirmed"}
        ).status_code
        == 404
    )
    assert coach_client.get(reverse("review_decide", args=[clip.pk, fid])).status_code == 405


def test_own_flags_at_a_frame_with_a_note(coach_client, add_clip):
    clip = add_clip()
    url = reverse("review_flag", args=[clip.pk])
    assert (
        coach_client.post(url, {"frame": "120", "note": "look at the left arm"}).status_code == 302
    )
    assert coach_client.post(url, {"frame": "229", "note": "past the end"}).status_code == 400
    assert coach_client.post(url, {"frame": "12", "note": " "}).status_code == 400
    assert coach_client.post(url, {"frame": "-1", "note": "x"}).status_code == 400
    doc = coach_client.get(reverse("review_json", args=[clip.pk])).json()
    assert doc["flags"] == [
        {"frame": 120, "time_s": pytest.approx(2.0, abs=0.02), "note": "look at the left arm"}
    ]
    from analyzer.web.review_models import CoachFlag

    flag = CoachFlag.objects.get(clip=clip)
    coach_client.post(reverse("review_flag_delete", args=[clip.pk, flag.pk]))
    assert not CoachFlag.objects.filter(clip=clip).exists()


def test_export_then_import_into_another_clip_of_the_same_video(coach_client, add_clip):
    src, dst = add_clip(), add_clip(recorded_on=None)
    a = _findings(src)[0]["id"]
    coach_client.post(
        reverse("review_decide", args=[src.pk, a]), {"decision": "dismissed", "note": "n1"}
    )
    coach_client.post(reverse("review_flag", args=[src.pk]), {"frame": "60", "note": "f1"})
    doc = coach_client.get(reverse("review_json", args=[src.pk])).content
    up = io.BytesIO(doc)
    up.name = "review.json"
    url = reverse("review_import", args=[dst.pk])
    r = coach_client.post(url, {"review": up}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert r.status_code == 200 and r.json() == {"imported": {"decisions": 1, "flags": 1}}
    again = io.BytesIO(doc)
    again.name = "review.json"
    r = coach_client.post(url, {"review": again}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert r.json()["imported"]["flags"] == 0  # importing twice adds no flag twice
    out = coach_client.get(reverse("review_json", args=[dst.pk])).json()
    assert [(d["finding_id"], d["decision"], d["note"]) for d in out["decisions"]] == [
        (a, "dismissed", "n1")
    ]
    assert [(f["frame"], f["note"]) for f in out["flags"]] == [(60, "f1")]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"format": "other"}, "not a backpedal review"),
        (
            {
                "format": "backpedal-review/1",
                "decisions": [{"finding_id": "nope", "decision": "confirmed"}],
            },
            "no finding",
        ),
        (
            {"format": "backpedal-review/1", "flags": [{"frame": 9999, "note": "x"}]},
            "past the clip",
        ),
        ({"format": "backpedal-review/1", "clip_sha256": "0" * 64}, "another clip"),
    ],
)
def test_import_refuses_bad_files_and_keeps_nothing(coach_client, add_clip, doc, message):
    clip = add_clip()
    up = io.BytesIO(json.dumps(doc).encode())
    up.name = "r.json"
    r = coach_client.post(
        reverse("review_import", args=[clip.pk]),
        {"review": up},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert r.status_code == 400 and message in r.json()["error"]
    assert coach_client.get(reverse("review_json", args=[clip.pk])).json()["decisions"] == []


def test_frame_image_draws_the_finding_at_any_frame(coach_client, add_clip):
    import cv2
    import numpy as np

    clip = add_clip()
    fid = _findings(clip)[0]["id"]
    r = coach_client.get(reverse("review_frame", args=[clip.pk, 100]) + f"?finding={fid}")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    img = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[0] == 540
    bare = coach_client.get(reverse("review_frame", args=[clip.pk, 100]))
    assert bare.status_code == 200 and bare.content != r.content
    assert coach_client.get(reverse("review_frame", args=[clip.pk, 229])).status_code == 404
    nope = reverse("review_frame", args=[clip.pk, 10]) + "?finding=nope"
    assert coach_client.get(nope).status_code == 404
    # an imported clip keeps only the annotated video: frames come from it
    imported = add_clip(keep_upload=False)
    assert coach_client.get(reverse("review_frame", args=[imported.pk, 100])).status_code == 200


def test_kva_carries_the_review_as_comments(coach_client, add_clip):
    clip = add_clip()
    a, b, _ = (f["id"] for f in _findings(clip))
    coach_client.post(
        reverse("review_decide", args=[clip.pk, a]),
        {"decision": "dismissed", "note": "filmed too low"},
    )
    coach_client.post(reverse("review_decide", args=[clip.pk, b]), {"decision": "confirmed"})
    coach_client.post(reverse("review_flag", args=[clip.pk]), {"frame": "7", "note": "ready!"})
    r = coach_client.get(reverse("review_kva", args=[clip.pk]))
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    original = ET.parse(next(clip.result_dir.glob("*.kva"))).getroot()
    assert root.findtext("AverageTimeStampsPerFrame") == original.findtext(
        "AverageTimeStampsPerFrame"
    )
    frames = root.findall("Keyframes/Keyframe")
    comments = "\n".join(k.findtext("Comment") for k in frames)
    assert "Coach: dismissed. filmed too low" in comments and "Coach: confirmed" in comments
    assert "Coach flag: ready!" in comments
    titles = [k.findtext("Title") for k in frames]
    assert any("(dismissed by the coach)" in t for t in titles) and "Coach flag" in titles
    per = int(root.findtext("AverageTimeStampsPerFrame"))
    first = int(root.findtext("FirstTimeStamp"))
    flag = next(k for k in frames if k.findtext("Title") == "Coach flag")
    assert int(flag.findtext("Position")) == first + 7 * per


def test_another_teams_clip_cannot_be_reviewed(coach_client, add_clip):
    other = add_clip(team="Hawks", athlete="Kim")
    fid = _findings(other)[0]["id"]
    up = io.BytesIO(b'{"format": "backpedal-review/1"}')
    up.name = "r.json"
    for method, url, data in [
        ("get", reverse("review", args=[other.pk]), None),
        ("get", reverse("review_data", args=[other.pk]), None),
        ("get", reverse("review_json", args=[other.pk]), None),
        ("get", reverse("review_kva", args=[other.pk]), None),
        ("get", reverse("review_frame", args=[other.pk, 10]), None),
        ("post", reverse("review_decide", args=[other.pk, fid]), {"decision": "dismissed"}),
        ("post", reverse("review_flag", args=[other.pk]), {"frame": "1", "note": "x"}),
        ("post", reverse("review_import", args=[other.pk]), {"review": up}),
        ("get", reverse("compare") + f"?a={other.pk}&b={other.pk}", None),
        ("get", reverse("athlete_progress", args=[other.athlete_id]), None),
    ]:
        r = getattr(coach_client, method)(url, data) if data else getattr(coach_client, method)(url)
        assert r.status_code == 404, url
    from analyzer.web.review_models import CoachFlag, FindingReview

    assert not FindingReview.objects.exists() and not CoachFlag.objects.exists()


def test_review_needs_a_login(client, add_clip):
    clip = add_clip()
    r = client.get(reverse("review", args=[clip.pk]))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_a_clip_without_a_finished_analysis_has_no_review(coach_client, add_clip):
    from analyzer.web.models import Clip

    clip = add_clip()
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.RUNNING)
    assert coach_client.get(reverse("review", args=[clip.pk])).status_code == 404
    assert coach_client.get(reverse("review_data", args=[clip.pk])).status_code == 404
