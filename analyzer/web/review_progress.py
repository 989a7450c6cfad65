"""An athlete over time, and what the team's coaches dismissed.

- ``athletes/<id>/progress/``: each score and each fault's severity across the athlete's
  sessions (one analysed clip per session, dated by ``Clip.recorded_on``: the upload form's
  date or the roster import's), a plot (``progress.png``), and what improved or slipped
  since the session before, in words. A finding the coach dismissed counts as not seen.
- ``team/reviews.csv``: every decision, note and coach flag of the team, one row each.
- :func:`dismissed_counts` (the team page): how often each fault was dismissed, out of how
  many times it was flagged, so a coach sees where the profile's thresholds disagree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from analyzer.web.models import Athlete, Clip, Team
from analyzer.web.review_models import CoachFlag, FindingReview
from analyzer.web.views import coach_required

#: Severity as a level for the plot and the comparisons (0: not flagged).
SEVERITY_LEVEL = {"minor": 1, "moderate": 2, "major": 3}
LEVEL_NAME = {0: "not flagged", 1: "minor", 2: "moderate", 3: "major"}
#: Vertical spacing between fault lines at the same severity in the plot (levels).
FAULT_LINE_OFFSET = 0.06
#: A score change smaller than this (points of 100) is "about the same".
SCORE_CHANGE_MIN_POINTS = 3.0


@dataclass
class Session:
    """One analysed clip of the athlete: its scores and fault levels (dismissed = 0)."""

    clip: Clip
    label: str
    scores: dict[str, float | None]
    faults: dict[str, int]
    dismissed: set[str] = field(default_factory=set)
    not_judged: set[str] = field(default_factory=set)


def athlete_sessions(athlete: Athlete) -> tuple[list[Session], dict[str, str]]:
    """The athlete's analysed clips by date, and fault id -> title over all of them."""
    clips = list(
        athlete.clips.filter(status=Clip.Status.DONE).order_by("recorded_on", "created_at", "id")
    )
    dismissed: dict[int, set[str]] = {}
    for r in FindingReview.objects.filter(
        clip__in=clips, decision=FindingReview.Decision.DISMISSED
    ):
        dismissed.setdefault(r.clip_id, set()).add(r.finding_id)
    titles: dict[str, str] = {}
    sessions = []
    for c in clips:
        summary = c.summary or {}
        scores: dict[str, float | None] = {"overall": c.overall_score}
        scores.update(summary.get("categories") or {})
        gone = dismissed.get(c.pk, set())
        faults: dict[str, int] = {}
        for f in summary.get("findings") or []:
            fid = str(f.get("id", ""))
            titles.setdefault(fid, str(f.get("title") or fid))
            level = 0 if fid in gone else SEVERITY_LEVEL.get(str(f.get("severity")), 0)
            faults[fid] = max(level, faults.get(fid, 0))
        sessions.append(
            Session(
                clip=c,
                label=c.recorded_on.strftime("%Y-%m-%d"),
                scores=scores,
                faults=faults,
                dismissed=gone,
                not_judged=set(summary.get("not_assessable") or []),
            )
        )
    return sessions, titles


def change_words(sessions: list[Session], titles: dict[str, str]) -> list[str]:
    """What improved or slipped from the session before the last to the last, in words.

    Scores are compared only where both sessions have one (a score that was not assessed is
    said to be so, never counted as a change); faults by severity level.
    """
    if len(sessions) < 2:
        return []
    before, now = sessions[-2], sessions[-1]
    out: list[str] = []
    same: list[str] = []
    for key in now.scores:
        a, b = before.scores.get(key), now.scores.get(key)
        name = "Overall score" if key == "overall" else f"{key.capitalize()} score"
        if a is None or b is None:
            if (a is None) != (b is None):
                out.append(
                    f"{name}: not assessed in {'the earlier' if a is None else 'this'} "
                    "session, so no comparison."
                )
            continue
        d = b - a
        if abs(d) < SCORE_CHANGE_MIN_POINTS:
            same.append(f"{name} about the same ({a:.0f} → {b:.0f}).")
        else:
            verb = "improved" if d > 0 else "slipped"
            out.append(f"{name} {verb} from {a:.0f} to {b:.0f} ({d:+.0f}).")
    for fid in sorted(set(before.faults) | set(now.faults), key=lambda k: titles.get(k, k)):
        a_l, b_l = before.faults.get(fid, 0), now.faults.get(fid, 0)
        title = titles.get(fid, fid)
        if fid in now.not_judged and b_l == 0:
            out.append(f"{title}: not judged this time (the camera view could not show it).")
        elif b_l < a_l:
            out.append(f"{title} improved: {LEVEL_NAME[a_l]} → {LEVEL_NAME[b_l]}.")
        elif b_l > a_l:
            out.append(f"{title} slipped: {LEVEL_NAME[a_l]} → {LEVEL_NAME[b_l]}.")
        elif a_l:
            same.append(f"{title} still {LEVEL_NAME[b_l]}.")
    return out + same


def progress_png(sessions: list[Session], titles: dict[str, str]) -> bytes:
    """Scores (top) and fault severities (bottom) per session, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5.2), dpi=100)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = list(range(len(sessions)))
    keys = list(dict.fromkeys(k for s in sessions for k in s.scores))
    for key in keys:
        ys = [s.scores.get(key) for s in sessions]
        pts = [(i, y) for i, y in zip(x, ys, strict=True) if y is not None]
        if not pts:
            continue
        top.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            marker="o",
            linewidth=3 if key == "overall" else 1.4,
            label="overall" if key == "overall" else key,
            zorder=3 if key == "overall" else 2,
        )
    top.set_ylim(0, 100)
    top.set_ylabel("score / 100")
    top.grid(alpha=0.3)
    top.legend(loc="lower left", fontsize=8, ncol=3)
    faults = sorted({f for s in sessions for f in s.faults}, key=lambda k: titles.get(k, k))
    for k, fid in enumerate(faults):
        # a small offset per fault keeps lines at the same level apart
        nudge = (k - (len(faults) - 1) / 2) * FAULT_LINE_OFFSET
        bottom.plot(x, [s.faults.get(fid, 0) + nudge for s in sessions], marker="s",
                    label=titles.get(fid, fid))
    bottom.set_yticks([0, 1, 2, 3], ["none", "minor", "moderate", "major"])
    bottom.set_ylim(-0.3, 3.3)
    bottom.grid(alpha=0.3)
    if faults:
        bottom.legend(loc="upper left", fontsize=8, ncol=2)
    bottom.set_xticks(x, [s.label for s in sessions])
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@require_GET
@coach_required
def athlete_progress(request: HttpRequest, athlete_id: int) -> HttpResponse:
    """The athlete over time: table of scores and faults per session, plot, changes."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, team=request.coach.team)
    sessions, titles = athlete_sessions(athlete)
    keys = list(dict.fromkeys(k for s in sessions for k in s.scores))
    score_rows = [
        {
            "name": "Overall" if k == "overall" else k.capitalize(),
            "values": [s.scores.get(k) for s in sessions],
        }
        for k in keys
    ]
    fault_ids = sorted({f for s in sessions for f in s.faults}, key=lambda k: titles.get(k, k))
    fault_rows = [
        {
            "title": titles.get(fid, fid),
            "cells": [
                {"level": LEVEL_NAME[s.faults.get(fid, 0)], "dismissed": fid in s.dismissed}
                for s in sessions
            ],
        }
        for fid in fault_ids
    ]
    ctx: dict[str, Any] = {
        "athlete": athlete,
        "sessions": sessions,
        "score_rows": score_rows,
        "fault_rows": fault_rows,
        "changes": change_words(sessions, titles),
    }
    return render(request, "review/progress.html", ctx)


@require_GET
@coach_required
def athlete_plot(request: HttpRequest, athlete_id: int) -> HttpResponse:
    """The athlete's progress plot (PNG)."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, team=request.coach.team)
    sessions, titles = athlete_sessions(athlete)
    resp = HttpResponse(progress_png(sessions, titles), content_type="image/png")
    resp["Cache-Control"] = "private, no-cache"
    return resp


def dismissed_counts(team: Team) -> list[dict[str, Any]]:
    """Per fault: how often it was flagged on the team's clips, reviewed, and dismissed."""
    flagged: dict[str, int] = {}
    titles: dict[str, str] = {}
    for summary in Clip.objects.filter(team=team, status=Clip.Status.DONE).values_list(
        "summary", flat=True
    ):
        for f in (summary or {}).get("findings") or []:
            fid = str(f.get("id", ""))
            flagged[fid] = flagged.get(fid, 0) + 1
            titles.setdefault(fid, str(f.get("title") or fid))
    rows: dict[str, dict[str, Any]] = {}
    for r in FindingReview.objects.filter(clip__team=team):
        row = rows.setdefault(r.finding_id, {"confirmed": 0, "dismissed": 0})
        row[r.decision] += 1
    out = []
    for fid, row in rows.items():
        out.append(
            {"id": fid, "title": titles.get(fid, fid), "flagged": flagged.get(fid, 0), **row}
        )
    out.sort(key=lambda r: (-r["dismissed"], r["title"]))
    return out


@require_GET
@coach_required
def team_reviews_csv(request: HttpRequest) -> HttpResponse:
    """Every decision, note and coach flag of the team's clips, as CSV."""
    team = request.coach.team
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "athlete",
            "recorded_on",
            "clip_id",
            "clip",
            "kind",
            "finding_id",
            "title",
            "severity",
            "decision",
            "frame",
            "note",
            "by",
            "when",
        ]
    )
    for r in FindingReview.objects.filter(clip__team=team).select_related(
        "clip", "clip__athlete", "decided_by"
    ):
        f: dict[str, Any] = next((x for x in r.clip.findings() if x.get("id") == r.finding_id), {})
        w.writerow(
            _row(
                r.clip,
                "decision",
                r.finding_id,
                f.get("title", ""),
                f.get("severity", ""),
                r.decision,
                f.get("key_frame", ""),
                r.note,
                r.decided_by,
                r.updated_at,
            )
        )
    for fl in CoachFlag.objects.filter(clip__team=team).select_related(
        "clip", "clip__athlete", "created_by"
    ):
        w.writerow(
            _row(fl.clip, "flag", "", "", "", "", fl.frame, fl.note, fl.created_by, fl.created_at)
        )
    resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="team-reviews.csv"'
    return resp


def _row(clip, kind, fid, title, severity, decision, frame, note, user, when) -> list[Any]:
    return [
        clip.athlete.name if clip.athlete else "",
        clip.recorded_on.isoformat(),
        clip.pk,
        clip.original_name,
        kind,
        fid,
        title,
        severity,
        decision,
        frame,
        note,
        user.get_username() if user else "",
        when.isoformat(timespec="seconds"),
    ]
