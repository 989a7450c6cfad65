"""The coach's decisions shown everywhere the clip is: its page's finding list, the served
report.html, result.json (a review block) and the share link; scores stay as measured."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _decide(client, clip) -> tuple[str, str, str]:
    a, b, c = (f["id"] for f in clip.summary["findings"])
    client.post(
        reverse("review_decide", args=[clip.pk, a]),
        {"decision": "dismissed", "note": "filmed from too low"},
    )
    client.post(
        reverse("review_decide", args=[clip.pk, b]),
        {"decision": "confirmed", "note": "yes, work on it"},
    )
    client.post(reverse("review_flag", args=[clip.pk]), {"frame": "40", "note": "arms early"})
    return a, b, c


def _card(html: str, fid: str) -> str:
    start = html.index(f'data-finding="{fid}"')
    return html[start : html.index("</div>", start)]


def _assert_page_marks(html: str, a: str, b: str, c: str) -> None:
    dismissed, confirmed, untouched = _card(html, a), _card(html, b), _card(html, c)
    assert 'data-decision="dismissed"' in dismissed and "dismissed by the coach" in dismissed
    assert "filmed from too low" in dismissed
    assert 'data-decision="confirmed"' in confirmed and "yes, work on it" in confirmed
    assert "data-decision" not in untouched
    assert 'id="dismissed-note"' in html and "dismissed 1 of these finding" in html


def test_clip_page_and_share_link_mark_each_decision(coach_client, add_clip):
    clip = add_clip()
    before = coach_client.get(reverse("clip", args=[clip.pk])).content.decode()
    assert 'id="dismissed-note"' not in before and "data-decision" not in before
    a, b, c = _decide(coach_client, clip)
    page = coach_client.get(reverse("clip", args=[clip.pk]))
    html = page.content.decode()
    _assert_page_marks(html, a, b, c)
    # scores stay what the analyzer measured
    score = f'id="overall-score">{clip.overall_score:.0f}<'
    assert score in before.replace("\n", "") and score in html.replace("\n", "")
    from analyzer.web.models import ShareLink

    link = ShareLink.objects.create(clip=clip)
    coach_client.logout()
    shared = coach_client.get(reverse("shared", args=[link.token])).content.decode()
    _assert_page_marks(shared, a, b, c)


def test_served_report_carries_the_review(coach_client, add_clip):
    clip = add_clip()
    url = reverse("clip_file", args=[clip.pk, "report.html"])
    on_disk = (clip.result_dir / "report.html").read_bytes()
    plain = coach_client.get(url)
    assert b"".join(plain.streaming_content) == on_disk  # nothing added without a review
    a, b, c = _decide(coach_client, clip)
    r = coach_client.get(url)
    assert r.status_code == 200 and "script-src 'unsafe-inline'" in r["Content-Security-Policy"]
    html = r.content.decode()
    assert html.count('id="coach-review"') == 1 and "arms early" in html
    assert f'coach-dismissed" id="finding-{a}"' in html
    assert f'coach-confirmed" id="finding-{b}"' in html
    assert f'id="finding-{c}"' in html and f'coach-dismissed" id="finding-{c}"' not in html
    card_a = html[html.index(f'id="finding-{a}"') :]
    card_a = card_a[: card_a.index("</article>")]
    assert "Dismissed by the coach: “filmed from too low”" in card_a
    data = html.split('<script type="application/json" id="coach-review-data">')[1]
    doc = json.loads(data.split("</script>")[0])
    assert {d["finding_id"]: d["decision"] for d in doc["decisions"]} == {
        a: "dismissed",
        b: "confirmed",
    }
    assert [f["frame"] for f in doc["flags"]] == [40]
    # the rest of the report is untouched (the file on disk too)
    assert len(html.encode()) > len(on_disk)
    assert (clip.result_dir / "report.html").read_bytes() == on_disk
    from analyzer.web.models import ShareLink

    link = ShareLink.objects.create(clip=clip)
    coach_client.logout()
    shared = coach_client.get(reverse("shared_file", args=[link.token, "report.html"]))
    assert f'coach-dismissed" id="finding-{a}"' in shared.content.decode()


def test_result_json_download_has_a_review_block(coach_client, add_clip, tmp_path):
    from analyzer.export import load_result

    clip = add_clip()
    a, b, _ = _decide(coach_client, clip)
    r = coach_client.get(reverse("clip_file", args=[clip.pk, "result.json"]))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    doc = json.loads(r.content)
    review = doc["review"]
    assert review["format"] == "backpedal-review/1" and len(review["clip_sha256"]) == 64
    titles = {f["id"]: f["title"] for f in clip.summary["findings"]}
    got = {(d["finding_id"], d["decision"], d["note"], d["title"]) for d in review["decisions"]}
    assert got == {
        (a, "dismissed", "filmed from too low", titles[a]),
        (b, "confirmed", "yes, work on it", titles[b]),
    }
    assert review["flags"][0]["frame"] == 40 and review["flags"][0]["note"] == "arms early"
    original = json.loads((clip.result_dir / "result.json").read_bytes())
    assert {k: v for k, v in doc.items() if k != "review"} == original
    # the downloaded result still reads back (beside its track and series files)
    folder = tmp_path / "dl"
    folder.mkdir()
    for f in clip.result_dir.glob("*.npz"):
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "result.json").write_bytes(r.content)
    loaded = load_result(folder / "result.json")
    assert loaded.faults is not None and len(loaded.faults.findings) == 3
