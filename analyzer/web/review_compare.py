"""Compare two reps side by side, aligned on an event and stepped together.

``compare/?a=<clip>&ra=<rep>&b=<clip>&rb=<rep>&align=<event>``: any two reps of the team's
analysed clips (the same clip twice, this week against last week, or an athlete against a
model rep), aligned on the start of the pedal, the first foot contact or the hip turn
(``analyzer.render.timeline.ALIGN_EVENTS``). The page's script steps both videos together
from the aligned frames, side by side or superposed (``view=overlay``: B's skeleton moved and
scaled onto A's video, :mod:`analyzer.web.review_overlay`, from ``compare/overlay.json``);
their metrics are in one table with B minus A.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from analyzer.web import review_data
from analyzer.web.models import Clip
from analyzer.web.review_models import ModelRep
from analyzer.web.views import coach_required


def _int(value: str | None, default: int | None = None) -> int | None:
    return int(value) if value is not None and value.isdigit() else default


def _side(request: HttpRequest, clip_id: int | None, rep_1: int | None, align: str):
    """One side of the comparison: clip, rep (0-based), its events and metrics."""
    if clip_id is None:
        return None
    clip = get_object_or_404(Clip, pk=clip_id, team=request.coach.team, status=Clip.Status.DONE)
    try:
        result = review_data.load_clip_result(clip.result_dir)
    except review_data.ResultMissingError as exc:
        raise Http404(exc.message) from exc
    line = review_data.timeline(result)
    reps = line["reps"] or [
        {
            "rep": 0,
            "start_frame": 0,
            "end_frame": line["n_frames"] - 1,
            "pedal_start": None,
            "first_contact": None,
            "hip_turn": None,
        }
    ]
    rep = min(max((rep_1 or 1) - 1, 0), len(reps) - 1)
    events = reps[rep]
    frame = events.get(align)
    missing = frame is None
    if missing:
        frame = events["start_frame"]
    return {
        "clip": clip,
        "result": result,
        "events": events,
        "rep": rep,
        "n_reps": len(reps),
        "rep_choices": list(range(1, len(reps) + 1)),
        "align_frame": int(frame),
        "align_missing": missing,
        "metrics": review_data.rep_metrics(result, rep),
        "title": f"{clip.athlete.name if clip.athlete else clip.original_name}, "
        f"{clip.recorded_on:%Y-%m-%d}, rep {rep + 1}",
    }


def _align(request: HttpRequest) -> str:
    from analyzer.render.timeline import ALIGN_EVENTS

    align = request.GET.get("align", "pedal_start")
    return align if align in ALIGN_EVENTS else "pedal_start"


@require_GET
@coach_required
def compare_page(request: HttpRequest) -> HttpResponse:
    """Pick two reps and an event; see them side by side with their metrics."""
    from analyzer.render.timeline import ALIGN_EVENTS

    align = _align(request)
    a_id, b_id = _int(request.GET.get("a")), _int(request.GET.get("b"))
    a = _side(request, a_id, _int(request.GET.get("ra"), 1), align)
    b = _side(request, b_id, _int(request.GET.get("rb"), 1), align)
    clips = (
        Clip.objects.filter(team=request.coach.team, status=Clip.Status.DONE)
        .select_related("athlete")
        .order_by("-recorded_on", "-id")[:300]
    )
    ctx: dict[str, Any] = {
        "clips": clips,
        "align": align,
        "align_events": ALIGN_EVENTS,
        "view": "overlay" if request.GET.get("view") == "overlay" else "side",
        "a": a,
        "b": b,
        "a_id": a_id,
        "b_id": b_id,
        "ra": (a["rep"] + 1) if a else 1,
        "rb": (b["rep"] + 1) if b else 1,
        "rows": review_data.metric_rows(a["metrics"], b["metrics"]) if a and b else [],
        "model_reps": ModelRep.objects.filter(team=request.coach.team).select_related(
            "clip", "clip__athlete"
        ),
    }
    return render(request, "review/compare.html", ctx)


@require_GET
@coach_required
def compare_overlay(request: HttpRequest) -> JsonResponse:
    """Rep B's skeleton superposed on rep A's frames (``review_overlay``), for the same
    ``a``, ``ra``, ``b``, ``rb``, ``align`` as the compare page."""
    from analyzer.web.review_overlay import overlay_payload

    align = _align(request)
    a = _side(request, _int(request.GET.get("a")), _int(request.GET.get("ra"), 1), align)
    b = _side(request, _int(request.GET.get("b")), _int(request.GET.get("rb"), 1), align)
    if a is None or b is None:
        raise Http404("Choose two reps (a and b).")
    track = a["result"].motion.track
    payload = overlay_payload(
        review_data.rep_pose(a["result"], a["events"], a["align_frame"]),
        review_data.rep_pose(b["result"], b["events"], b["align_frame"]),
        track.image_size,
        margin=max(round(track.fps), 1) if track.n_frames > 1 else 0,
    )
    resp = JsonResponse(payload)
    resp["Cache-Control"] = "private, max-age=300"
    return resp


@require_POST
@coach_required
def mark_model_rep(request: HttpRequest) -> HttpResponse:
    """Mark (or with ``unmark``, unmark) a rep of a team clip as a model rep."""
    clip = get_object_or_404(
        Clip,
        pk=_int(request.POST.get("clip"), -1),
        team=request.coach.team,
        status=Clip.Status.DONE,
    )
    rep = max((_int(request.POST.get("rep"), 1) or 1) - 1, 0)
    if request.POST.get("unmark"):
        ModelRep.objects.filter(clip=clip, rep=rep).delete()
    else:
        label = (request.POST.get("label") or "").strip()[:80]
        if not label:
            who = clip.athlete.name if clip.athlete else clip.original_name
            label = f"{who}, {clip.recorded_on:%Y-%m-%d}, rep {rep + 1}"
        ModelRep.objects.update_or_create(
            clip=clip,
            rep=rep,
            defaults={"team": request.coach.team, "label": label, "created_by": request.user},
        )
    back = {k: v for k, v in request.POST.items() if k in ("a", "ra", "b", "rb", "align") and v}
    return redirect(reverse("compare") + ("?" + urlencode(back) if back else ""))
