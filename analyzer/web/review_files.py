"""The coach's review carried into the files the web app serves: ``report.html`` and
``result.json``.

The analysis output on disk is never rewritten (scores stay what the analyzer measured);
when a reviewed clip's report or result is served, the review is added on the way out:

- ``report.html``: a "Coach's review" section at the top of the report, each finding marked
  confirmed or dismissed (with the note) inside its card, and the decisions as JSON
  (``#coach-review-data``) that the report's offline review part starts from;
- ``result.json``: a ``review`` block in the ``backpedal-review/1`` form
  (:func:`analyzer.review.review_to_dict`), each decision with the finding's title.

Pure string work on our own generated files (the report comes from
``analyzer/render/templates/report.html``, whose finding cards open with
``<article class="card finding …" id="finding-<id>">`` and hold ``<div class="finding-text">``);
a report of another shape gets the section only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

from analyzer.review import Review, review_to_dict
from analyzer.web.models import Clip

#: A finding card of the report, up to the start of its text column.
_CARD = re.compile(
    r'(<article class="card finding[^"]*)(" id="finding-([\w.-]+)">)'
    r'(.*?<div class="finding-text">)',
    re.DOTALL,
)
_WORDS = {"confirmed": "Confirmed by the coach", "dismissed": "Dismissed by the coach"}

_STYLE = """<style id="coach-review-style">
.coach-review { border-left: 4px solid #0b62c4; }
.coach-review li { margin: .2rem 0; }
.coach-decision { font-weight: 600; margin: 0 0 .4rem; }
.coach-decision.d-confirmed { color: #1b7a36; }
.coach-decision.d-dismissed { color: #5b6575; }
.finding.coach-dismissed { opacity: .6; }
.finding.coach-dismissed h3 { text-decoration: line-through; }
</style>
"""


def decision_text(decision: str, note: str) -> str:
    """ "Dismissed by the coach: “note”" (plain text, for pages and files)."""
    words = _WORDS.get(decision, decision)
    return f"{words}: “{note}”" if note else words


def _section(review: Review, titles: dict[str, str]) -> str:
    items = [
        format_html(
            '<li class="coach-{}"><b>{}</b>: {}</li>',
            d.decision,
            titles.get(d.finding_id, d.finding_id),
            decision_text(d.decision, d.note),
        )
        for d in review.decisions
    ]
    items += [
        format_html(
            "<li>Coach's flag at frame {}{}: “{}”</li>",
            f.frame,
            f" ({f.time_s:.2f} s)" if f.time_s is not None else "",
            f.note,
        )
        for f in review.flags
    ]
    dismissed = sum(d.decision == "dismissed" for d in review.decisions)
    scores = (
        f" The scores are as the analyzer measured them; the coach dismissed {dismissed} "
        f"finding{'s' if dismissed != 1 else ''} (marked below)."
        if dismissed
        else ""
    )
    return format_html(
        '<section class="card coach-review" id="coach-review"><h2>Coach\'s review</h2>'
        "<p>{}{}</p><ul>{}</ul></section>",
        "The coach went through this clip.",
        scores,
        format_html_join("", "{}", ((i,) for i in items)),
    )


def report_with_review(html: str, review: Review, titles: dict[str, str]) -> str:
    """``report.html`` with the coach's decisions, notes and flags shown (see module doc)."""
    if review.is_empty:
        return html
    decided = {d.finding_id: d for d in review.decisions}

    def mark(m: re.Match[str]) -> str:
        d = decided.get(m.group(3))
        if d is None:
            return m.group(0)
        line = format_html(
            '<p class="coach-decision d-{}" data-decision="{}">{}</p>',
            d.decision,
            d.decision,
            decision_text(d.decision, d.note),
        )
        return f"{m.group(1)} coach-{d.decision}{m.group(2)}{m.group(4)}{line}"

    html = _CARD.sub(mark, html)
    data = json.dumps(review_to_dict(review), separators=(",", ":")).replace("</", "<\\/")
    extra = (
        _section(review, titles)
        + f'<script type="application/json" id="coach-review-data">{data}</script>'
    )
    html = html.replace("</head>", _STYLE + "</head>", 1)
    if "<main>" in html:
        return html.replace("<main>", "<main>\n" + extra, 1)
    return html.replace("</body>", extra + "</body>", 1)


def result_with_review(raw: bytes, review: Review, titles: dict[str, str]) -> bytes:
    """``result.json`` with a ``review`` block (decisions carry the finding's title)."""
    doc: dict[str, Any] = json.loads(raw)
    block = review_to_dict(review)
    for d in block["decisions"]:
        d["title"] = titles.get(d["finding_id"], "")
    doc["review"] = block
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def reviewed_findings(clip: Clip) -> tuple[list[dict[str, Any]], int]:
    """The clip page's findings, each with the coach's decision (``review``: decision and
    note, or None), and how many the coach dismissed."""
    from analyzer.web.review_models import FindingReview

    if clip.status != Clip.Status.DONE:
        return [], 0
    decided = {r.finding_id: r for r in FindingReview.objects.filter(clip=clip)}
    findings = [dict(f, review=decided.get(str(f.get("id")))) for f in clip.findings()]
    dismissed = sum(
        1 for f in findings if f["review"] is not None and f["review"].decision == "dismissed"
    )
    return findings, dismissed


def serve_clip_file(request: HttpRequest, clip: Clip, name: str) -> HttpResponse:
    """A file of the clip's result folder (:func:`analyzer.web.media.serve_result_file`),
    with the coach's review added to ``report.html`` and ``result.json`` when there is one."""
    from analyzer.web import media
    from analyzer.web.review_models import clip_review

    path = clip.result_dir / name
    if name not in ("report.html", "result.json") or not path.is_file():
        return media.serve_result_file(request, clip.result_dir, name)
    review = clip_review(clip, clip_sha256=str(clip.summary.get("clip_sha256") or ""))
    if review.is_empty:
        return media.serve_result_file(request, clip.result_dir, name)
    titles = {str(f.get("id")): str(f.get("title") or "") for f in clip.findings()}
    raw = path.read_bytes()
    if name == "report.html":
        body = report_with_review(raw.decode("utf-8"), review, titles).encode("utf-8")
        resp = HttpResponse(body, content_type="text/html; charset=utf-8")
        resp["Content-Security-Policy"] = media.REPORT_CSP
    else:
        resp = HttpResponse(
            result_with_review(raw, review, titles), content_type="application/json"
        )
        resp["Content-Disposition"] = 'attachment; filename="result.json"'
    resp["Cache-Control"] = "private, no-cache"
    return resp
