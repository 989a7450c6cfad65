"""Template tags of the review features: the coach's review on the report and share pages,
the team's dismissed-fault counts on the team page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str) -> Any:
    """``{{ mapping|get_item:key }}``"""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.inclusion_tag("review/_review_summary.html")
def review_summary(clip, shared: bool = False) -> dict[str, Any]:
    """The coach's decisions, notes and flags on a clip (report page and share link)."""
    from analyzer.web.review_models import CoachFlag, FindingReview

    titles = {f.get("id"): f.get("title") for f in clip.findings()}
    decisions = [
        {
            "title": titles.get(r.finding_id, r.finding_id),
            "decision": r.decision,
            "note": r.note,
            "finding_id": r.finding_id,
        }
        for r in FindingReview.objects.filter(clip=clip)
    ]
    return {
        "clip": clip,
        "shared": shared,
        "decisions": decisions,
        "flags": list(CoachFlag.objects.filter(clip=clip)),
        "reviewable": clip.status == "done",
    }


@register.inclusion_tag("review/_dismissed.html")
def dismissed_counts(team) -> dict[str, Any]:
    """How often each fault was dismissed on the team's clips (the team page)."""
    from analyzer.web.review_progress import dismissed_counts as counts

    return {"rows": counts(team)}
