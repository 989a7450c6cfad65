"""Coach review of one clip: step through the flagged moments, confirm or dismiss, flag.

Routes (all scoped by the coach's team through ``_team_clip``: another team's clip is 404):

- ``clips/<id>/review/``: the review page (video stepper, timeline, findings by severity);
- ``clips/<id>/review/data.json``: the timeline the page's script draws (frame times,
  flagged ranges, foot contacts) with the stored decisions and flags;
- ``clips/<id>/review/findings/<finding>/``: POST a decision (confirmed / dismissed /
  clear) with an optional note;
- ``clips/<id>/review/flags/`` and ``.../flags/<flag>/delete/``: POST a coach flag at a
  frame with a note, or remove one;
- ``clips/<id>/review/frame/<n>.jpg``: frame ``n`` with skeleton (and ``?finding=`` its
  measurement against its band), rendered on demand;
- ``clips/<id>/review.json``: the review block (export); ``clips/<id>/review/import/``:
  POST a review JSON downloaded from the offline report;
- ``clips/<id>/review.kva``: the Kinovea file with decisions and flags as comments.

Forms post normally (the page works without JavaScript); the script only drives the video.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from analyzer.review import MAX_NOTE_CHARS, ReviewFormatError, review_from_dict, review_to_dict
from analyzer.web import review_data
from analyzer.web.models import Clip
from analyzer.web.review_models import CoachFlag, FindingReview, clip_review
from analyzer.web.views import _team_clip, coach_required

#: Largest review JSON accepted for import (bytes).
MAX_IMPORT_BYTES = 512 * 1024


@require_GET
def stepper_js(request: HttpRequest) -> HttpResponse:
    """The frame stepper script, the same file the offline report inlines."""
    from analyzer.render.timeline import STEPPER_JS

    resp = HttpResponse(STEPPER_JS.read_bytes(), content_type="text/javascript; charset=utf-8")
    resp["Cache-Control"] = "public, max-age=3600"
    return resp


def _done_clip(request: HttpRequest, clip_id: int) -> Clip:
    clip = _team_clip(request, clip_id)
    if clip.status != Clip.Status.DONE:
        raise Http404("This clip has no analysis to review yet.")
    return clip


def _result(clip: Clip):
    try:
        return review_data.load_clip_result(clip.result_dir)
    except review_data.ResultMissingError as exc:
        raise Http404(exc.message) from exc


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _back(clip: Clip, anchor: str = "") -> HttpResponse:
    return redirect(reverse("review", args=[clip.pk]) + (f"#{anchor}" if anchor else ""))


def _note(request: HttpRequest) -> str:
    return (request.POST.get("note") or "").strip()[:MAX_NOTE_CHARS]


@require_GET
@coach_required
def review_page(request: HttpRequest, clip_id: int) -> HttpResponse:
    """The review page: video stepper, flag timeline, findings by severity with decisions."""
    clip = _done_clip(request, clip_id)
    result = _result(clip)
    line = review_data.timeline(result)
    decisions = {r.finding_id: r for r in FindingReview.objects.filter(clip=clip)}
    findings = [dict(f, review=decisions.get(f["id"])) for f in line["findings"]]
    ctx = {
        "clip": clip,
        "findings": findings,
        "flags": CoachFlag.objects.filter(clip=clip),
        "n_frames": line["n_frames"],
        "has_video": (clip.result_dir / "annotated.mp4").is_file(),
        "kva": bool(list(clip.result_dir.glob("*.kva"))),
        "max_note": MAX_NOTE_CHARS,
    }
    return render(request, "review/review.html", ctx)


@require_GET
@coach_required
def review_data_json(request: HttpRequest, clip_id: int) -> JsonResponse:
    """The timeline the page's script draws, with the stored decisions and flags."""
    clip = _done_clip(request, clip_id)
    line = review_data.timeline(_result(clip))
    line["review"] = review_to_dict(clip_review(clip))
    resp = JsonResponse(line)
    resp["Cache-Control"] = "private, no-cache"
    return resp


@require_POST
@coach_required
def decide(request: HttpRequest, clip_id: int, finding_id: str) -> HttpResponse:
    """Confirm or dismiss a finding (``decision``), with an optional ``note``; ``clear``
    removes the decision."""
    clip = _done_clip(request, clip_id)
    if review_data.finding_by_id(_result(clip), finding_id) is None:
        raise Http404("This clip has no such finding.")
    decision = request.POST.get("decision", "")
    if decision == "clear":
        FindingReview.objects.filter(clip=clip, finding_id=finding_id).delete()
    elif decision in FindingReview.Decision.values:
        FindingReview.objects.update_or_create(
            clip=clip,
            finding_id=finding_id,
            defaults={
                "decision": decision,
                "note": _note(request),
                "decided_by": request.user,
                "updated_at": timezone.now(),
            },
        )
    else:
        return HttpResponse("decision must be confirmed, dismissed or clear", status=400)
    if _wants_json(request):
        return JsonResponse(review_to_dict(clip_review(clip)))
    return _back(clip, f"finding-{finding_id}")


@require_POST
@coach_required
def add_flag(request: HttpRequest, clip_id: int) -> HttpResponse:
    """A coach flag at ``frame`` with a ``note`` (the note is required)."""
    clip = _done_clip(request, clip_id)
    line = review_data.timeline(_result(clip))
    raw = request.POST.get("frame", "")
    note = _note(request)
    if not raw.isdigit() or int(raw) >= line["n_frames"]:
        return HttpResponse(
            f"frame must be a frame number from 0 to {line['n_frames'] - 1}", status=400
        )
    if not note:
        return HttpResponse("write a note for the flag", status=400)
    frame = int(raw)
    flag = CoachFlag.objects.create(
        clip=clip,
        frame=frame,
        time_s=line["times_s"][frame],
        note=note,
        created_by=request.user,
    )
    if _wants_json(request):
        return JsonResponse({"id": flag.pk, "frame": frame, "note": note}, status=201)
    return _back(clip, "flags")


@require_POST
@coach_required
def delete_flag(request: HttpRequest, clip_id: int, flag_id: int) -> HttpResponse:
    """Remove one of the clip's coach flags."""
    clip = _team_clip(request, clip_id)
    CoachFlag.objects.filter(clip=clip, pk=flag_id).delete()
    return _back(clip, "flags")


@require_GET
@coach_required
def frame_image(request: HttpRequest, clip_id: int, frame: int) -> HttpResponse:
    """Frame ``frame`` with skeleton; ``?finding=ID`` adds that finding's measurement."""
    clip = _done_clip(request, clip_id)
    source = clip.upload_path
    drawn = source is None or not source.is_file()
    video = clip.result_dir / "annotated.mp4" if drawn else source
    if video is None or not Path(video).is_file():
        raise Http404("The clip's video is not kept on this server.")
    try:
        image = review_data.cached_frame_jpeg(
            clip.result_dir,
            Path(video),
            frame,
            finding_id=request.GET.get("finding", ""),
            already_drawn=drawn,
        )
    except KeyError as exc:
        raise Http404("This clip has no such finding.") from exc
    except (ValueError, OSError) as exc:
        raise Http404(str(exc)) from exc
    resp = HttpResponse(image, content_type="image/jpeg")
    resp["Cache-Control"] = "private, max-age=3600"
    return resp


@require_GET
@coach_required
def review_json(request: HttpRequest, clip_id: int) -> HttpResponse:
    """The clip's review block (decisions, notes, flags) as a JSON download."""
    clip = _done_clip(request, clip_id)
    result = _result(clip)
    doc = review_to_dict(clip_review(clip, clip_sha256=review_data.clip_sha256(result)))
    titles = {f["id"]: f for f in review_data.timeline(result)["findings"]}
    for d in doc["decisions"]:
        d["title"] = titles.get(d["finding_id"], {}).get("title", "")
    resp = HttpResponse(json.dumps(doc, indent=2), content_type="application/json")
    resp["Content-Disposition"] = f'attachment; filename="review-{clip.pk}.json"'
    return resp


@require_POST
@coach_required
def import_review(request: HttpRequest, clip_id: int) -> HttpResponse:
    """Import decisions and flags downloaded from the offline report (a review JSON file)."""
    clip = _done_clip(request, clip_id)
    result = _result(clip)
    upload = request.FILES.get("review")
    if upload is None:
        return _import_error(request, clip, "Choose the review file to import.", 400)
    if upload.size > MAX_IMPORT_BYTES:
        return _import_error(request, clip, "The review file is too large.", 413)
    try:
        doc = json.loads(upload.read().decode("utf-8"))
        line = review_data.timeline(result)
        review = review_from_dict(
            doc, finding_ids={f["id"] for f in line["findings"]}, n_frames=line["n_frames"]
        )
    except (ValueError, UnicodeDecodeError):
        return _import_error(request, clip, "The file is not JSON.", 400)
    except ReviewFormatError as exc:
        return _import_error(request, clip, f"{exc.message} {exc.hint}", 400)
    sha = review_data.clip_sha256(result)
    if review.clip_sha256 and sha and review.clip_sha256 != sha:
        return _import_error(
            request, clip, "This review was made on another clip (its fingerprint differs).", 400
        )
    times = line["times_s"]
    existing = {(f.frame, f.note) for f in CoachFlag.objects.filter(clip=clip)}
    with transaction.atomic():
        for d in review.decisions:
            FindingReview.objects.update_or_create(
                clip=clip,
                finding_id=d.finding_id,
                defaults={
                    "decision": d.decision,
                    "note": d.note,
                    "decided_by": request.user,
                    "updated_at": timezone.now(),
                },
            )
        new_flags = [f for f in review.flags if (f.frame, f.note) not in existing]
        CoachFlag.objects.bulk_create(
            CoachFlag(
                clip=clip,
                frame=f.frame,
                time_s=times[f.frame],
                note=f.note,
                created_by=request.user,
            )
            for f in new_flags
        )
    counts = {"decisions": len(review.decisions), "flags": len(new_flags)}
    if _wants_json(request):
        return JsonResponse({"imported": counts})
    return _back(clip)


def _import_error(request: HttpRequest, clip: Clip, message: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
@coach_required
def review_kva(request: HttpRequest, clip_id: int) -> HttpResponse:
    """The Kinovea file with the coach's decisions and flags written in as comments."""
    clip = _done_clip(request, clip_id)
    found = sorted(clip.result_dir.glob("*.kva"))
    if not found:
        raise Http404("This clip has no Kinovea file.")
    result = _result(clip)
    data = review_data.kva_bytes(found[0], result, clip_review(clip))
    resp = HttpResponse(data, content_type="application/xml")
    resp["Content-Disposition"] = f'attachment; filename="{found[0].name}"'
    return resp
