"""Compare two reps, an athlete over time, the team's dismissed counts and review CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from analyzer.web.review_progress import change_words

pytestmark = pytest.mark.django_db


def test_compare_two_reps_aligned_on_each_event(coach_client, add_clip):
    a, b = add_clip(), add_clip(recorded_on=dt.date(2026, 11, 9))
    for align in ("pedal_start", "first_contact", "hip_turn"):
        r = coach_client.get(reverse("compare"), {"a": a.pk, "b": b.pk, "align": align})
        assert r.status_code == 200
        ctx_a, ctx_b = r.context["a"], r.context["b"]
        assert not ctx_a["align_missing"]
        assert ctx_a["align_frame"] == ctx_b["align_frame"]  # the same rep twice
    # the hip turn of the sample clip: its truth file says onset 2.78 s, frame 167 of 60 fps
    assert abs(r.context["a"]["align_frame"] - 167) <= 10
    rows = r.context["rows"]
    assert len(rows) > 20
    knee = next(row for row in rows if row["key"] == "knee_flexion_deg")
    assert knee["a"] == knee["b"] and knee["diff"] in ("0°", "+0°", "-0°")
    html = r.content.decode()
    assert 'id="side-a"' in html and 'id="side-b"' in html and "compare.js" in html


def test_compare_page_without_a_choice_shows_the_form(coach_client, add_clip):
    add_clip()
    r = coach_client.get(reverse("compare"))
    assert r.status_code == 200 and 'id="compare-form"' in r.content.decode()
    assert r.context["rows"] == []


def _drop(fid):
    def edit(summary):
        summary["findings"] = [f for f in summary["findings"] if f["id"] != fid]
        summary["overall"] = (summary["overall"] or 0) + 12

    return edit


def test_athlete_over_three_sessions(coach_client, add_clip):
    first = add_clip(recorded_on=dt.date(2026, 10, 1))
    fids = [f["id"] for f in first.summary["findings"]]
    add_clip(recorded_on=dt.date(2026, 10, 15))
    last = add_clip(recorded_on=dt.date(2026, 11, 1), summary_edit=_drop(fids[0]))
    coach_client.post(reverse("review_decide", args=[last.pk, fids[1]]), {"decision": "dismissed"})
    r = coach_client.get(reverse("athlete_progress", args=[first.athlete_id]))
    assert r.status_code == 200
    assert [s.label for s in r.context["sessions"]] == ["2026-10-01", "2026-10-15", "2026-11-01"]
    words = " ".join(r.context["changes"])
    assert "Overall score improved" in words and "(+12)" in words
    title0 = first.summary["findings"][0]["title"]
    title1 = first.summary["findings"][1]["title"]
    assert f"{title0} improved: major → not flagged" in words
    assert f"{title1} improved" in words  # dismissed by the coach: not counted
    html = r.content.decode()
    assert 'id="progress-plot"' in html and "dismissed" in html
    png = coach_client.get(reverse("athlete_plot", args=[first.athlete_id]))
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    page = coach_client.get(reverse("athlete", args=[first.athlete_id])).content.decode()
    assert 'id="athlete-progress"' in page


def test_change_words_never_compares_a_score_that_was_not_assessed():
    from types import SimpleNamespace

    from analyzer.web.review_progress import Session

    def s(overall, arms, faults):
        return Session(
            clip=SimpleNamespace(),
            label="d",
            scores={"overall": overall, "arms": arms},
            faults=faults,
        )

    words = change_words([s(60, None, {"x": 3}), s(61, 80, {"x": 3})], {"x": "Leaning back"})
    assert "Overall score about the same (60 → 61)." in words
    assert any("Arms score: not assessed in the earlier session" in w for w in words)
    assert "Leaning back still major." in words
    assert change_words([s(60, None, {})], {}) == []


def test_team_page_counts_dismissed_faults_and_csv(coach_client, add_clip):
    c1, c2 = add_clip(), add_clip(athlete="Lee")
    fid = c1.summary["findings"][0]["id"]
    other = c1.summary["findings"][1]["id"]
    for c in (c1, c2):
        coach_client.post(
            reverse("review_decide", args=[c.pk, fid]),
            {"decision": "dismissed", "note": "threshold too tight"},
        )
    coach_client.post(reverse("review_decide", args=[c1.pk, other]), {"decision": "confirmed"})
    coach_client.post(reverse("review_flag", args=[c2.pk]), {"frame": "3", "note": "stance"})
    home = coach_client.get(reverse("home"))
    rows = {r["id"]: r for r in home.context["rows"]} if "rows" in home.context else None
    html = home.content.decode()
    assert 'id="dismissed-counts"' in html
    assert rows is not None
    assert rows[fid]["dismissed"] == 2 and rows[fid]["flagged"] == 2
    assert rows[other]["confirmed"] == 1 and rows[other]["dismissed"] == 0
    body = coach_client.get(reverse("team_reviews_csv")).content.decode()
    table = list(csv.DictReader(io.StringIO(body)))
    assert len(table) == 4
    assert {r["kind"] for r in table} == {"decision", "flag"}
    assert sum(r["decision"] == "dismissed" for r in table) == 2
    assert sum(r["note"] == "threshold too tight" for r in table) == 2
    assert any(r["note"] == "stance" and r["frame"] == "3" for r in table)


def test_mark_a_model_rep_and_compare_with_it(coach_client, add_clip):
    model, athlete_clip = add_clip(athlete="Pro"), add_clip(athlete="Sam")
    r = coach_client.post(
        reverse("compare_model"),
        {"clip": model.pk, "rep": "1", "label": "Textbook pedal", "a": athlete_clip.pk},
    )
    assert r.status_code == 302 and f"a={athlete_clip.pk}" in r["Location"]
    page = coach_client.get(reverse("compare"), {"a": athlete_clip.pk})
    html = page.content.decode()
    assert "Textbook pedal" in html and f"b={model.pk}" in html
    from analyzer.web.review_models import ModelRep

    assert ModelRep.objects.get().label == "Textbook pedal"
    coach_client.post(reverse("compare_model"), {"clip": model.pk, "rep": "1", "unmark": "1"})
    assert not ModelRep.objects.exists()
    other = add_clip(team="Hawks", athlete="Kim")
    assert coach_client.post(reverse("compare_model"), {"clip": other.pk}).status_code == 404
