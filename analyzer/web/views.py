"""Pages for coaches: clips, upload, progress, report, roster, share links.

Every lookup goes through the coach's team (``_team_clip``), so another team's clip or
athlete is a 404. Forms post with Django's CSRF token; the upload script sends it in the
``X-CSRFToken`` header.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from analyzer.errors import AnalyzerError
from analyzer.web import jobs, media, review_files, uploads
from analyzer.web.forms import AthleteForm, ShareForm, UploadForm
from analyzer.web.models import Athlete, Clip, Coach, ShareLink


def coach_required(view):
    """Logged in and a coach of a team (``request.coach``); else the login page or a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        coach = Coach.objects.select_related("team").filter(user=request.user).first()
        if coach is None:
            return render(request, "web/no_team.html", status=403)
        request.coach = coach
        return view(request, *args, **kwargs)

    return wrapped


def _team_clip(request: HttpRequest, clip_id: int) -> Clip:
    return get_object_or_404(Clip, pk=clip_id, team=request.coach.team)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@require_GET
@coach_required
def home(request: HttpRequest) -> HttpResponse:
    """The team's clips, newest first, with status and overall score."""
    team = request.coach.team
    clips = Clip.objects.filter(team=team).select_related("athlete")[:200]
    counts = Clip.objects.filter(team=team).aggregate(
        total=Count("id"), done=Count("id", filter=Q(status=Clip.Status.DONE))
    )
    return render(request, "web/home.html", {"team": team, "clips": clips, "counts": counts})


@coach_required
def upload(request: HttpRequest) -> HttpResponse:
    """The upload page (GET) and the upload itself (POST, from the form or the script)."""
    team = request.coach.team
    limit_mb = uploads.max_upload_mb()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, team=team)
        if getattr(request, "upload_too_large", False):
            return _upload_error(
                request, form, 413, f"The clip is larger than the {limit_mb:.0f} MB limit.",
                "Trim the clip to the rep (a few seconds) or export it at a lower quality.",
            )
        if not form.is_valid():
            return _upload_error(request, form, 400, "The form has errors.", _form_errors(form))
        try:
            clip = uploads.accept_clip(
                form.cleaned_data["clip"],
                team=team,
                athlete=form.athlete_for_clip(),
                user=request.user,
                recorded_on=form.cleaned_data["recorded_on"],
                clip_settings={"athlete_height_m": form.cleaned_data.get("athlete_height_m")},
            )
        except AnalyzerError as exc:  # not a video, or a bad setting / team profile
            return _upload_error(request, form, 400, exc.message, exc.hint)
        url = reverse("clip", args=[clip.pk])
        if _wants_json(request):
            return JsonResponse({"clip": clip.pk, "url": url}, status=201)
        return redirect(url)
    if request.method != "GET":
        return HttpResponse(status=405)
    wanted = request.GET.get("athlete", "")
    initial = {}
    if wanted.isdigit() and Athlete.objects.filter(pk=int(wanted), team=team).exists():
        initial["athlete"] = int(wanted)  # "Upload a clip" from an athlete's page
    form = UploadForm(team=team, initial=initial)
    ctx = {"form": form, "limit_mb": limit_mb, "limit_bytes": settings.MAX_UPLOAD_BYTES}
    return render(request, "web/upload.html", ctx)


def _form_errors(form: UploadForm) -> str:
    return " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())


def _upload_error(request, form, status: int, message: str, hint: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message, "hint": hint}, status=status)
    ctx = {
        "form": form,
        "limit_mb": uploads.max_upload_mb(),
        "limit_bytes": settings.MAX_UPLOAD_BYTES,
        "error": message,
        "hint": hint,
    }
    return render(request, "web/upload.html", ctx, status=status)


@require_GET
@coach_required
def clip_page(request: HttpRequest, clip_id: int) -> HttpResponse:
    """A clip: live progress while it is analysed, then the report and the video."""
    clip = _team_clip(request, clip_id)
    ctx = _clip_context(clip)
    ctx["share_links"] = clip.share_links.all()
    ctx["share_form"] = ShareForm()
    return render(request, "web/clip.html", ctx)


def _clip_context(clip: Clip) -> dict:
    result_dir = clip.result_dir
    job = jobs.latest_job(clip)
    findings, dismissed = review_files.reviewed_findings(clip)
    return {
        "clip": clip,
        "job": job,
        "summary": clip.summary,
        "findings": findings,
        "n_dismissed": dismissed,
        "has_video": (result_dir / "annotated.mp4").is_file(),
        "has_report": (result_dir / "report.html").is_file(),
        "kva": media.kva_name(result_dir),
        "severity_order": ("major", "moderate", "minor"),
    }


def job_status(clip: Clip) -> dict:
    """The JSON the progress script polls."""
    job = jobs.latest_job(clip)
    out = {
        "status": clip.status,
        "stage": job.stage if job else "",
        "done": job.done_units if job else 0,
        "total": job.total_units if job else None,
        "attempts": job.attempts if job else 0,
        "error": clip.error_message,
        "hint": clip.error_hint,
        "queued_ahead": 0,
    }
    if job and job.total_units:
        out["percent"] = round(100.0 * min(job.done_units, job.total_units) / job.total_units)
    if job and job.state == job.State.QUEUED:
        out["queued_ahead"] = type(job).objects.filter(
            state=job.State.QUEUED, id__lt=job.pk
        ).count()
    return out


@require_GET
@coach_required
def clip_status(request: HttpRequest, clip_id: int) -> JsonResponse:
    """Progress of a clip's analysis, as JSON."""
    clip = _team_clip(request, clip_id)
    resp = JsonResponse(job_status(clip))
    resp["Cache-Control"] = "no-store"
    return resp


@require_GET
@coach_required
def clip_file(request: HttpRequest, clip_id: int, name: str) -> HttpResponse:
    """A file of the clip's result folder (report, annotated video with ranges, downloads)."""
    clip = _team_clip(request, clip_id)
    return review_files.serve_clip_file(request, clip, name)


@require_POST
@coach_required
def clip_retry(request: HttpRequest, clip_id: int) -> HttpResponse:
    """Queue a failed clip's analysis again (the uploaded clip was kept)."""
    clip = _team_clip(request, clip_id)
    if clip.status == Clip.Status.FAILED and clip.upload_path and clip.upload_path.is_file():
        jobs.enqueue(clip)
    return redirect("clip", clip_id=clip.pk)


@require_POST
@coach_required
def clip_delete(request: HttpRequest, clip_id: int) -> HttpResponse:
    """Delete a clip with its upload and results (not while it is being analysed)."""
    import shutil

    clip = _team_clip(request, clip_id)
    if clip.status == Clip.Status.RUNNING:
        return redirect("clip", clip_id=clip.pk)
    path = clip.upload_path
    result_dir = clip.result_dir
    clip.delete()
    if path is not None:
        path.unlink(missing_ok=True)
    shutil.rmtree(result_dir, ignore_errors=True)
    return redirect("home")


@require_POST
@coach_required
def share_create(request: HttpRequest, clip_id: int) -> HttpResponse:
    """Make a read-only share link for one clip's report."""
    clip = _team_clip(request, clip_id)
    form = ShareForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    ShareLink.objects.create(clip=clip, label=label, created_by=request.user)
    return redirect(reverse("clip", args=[clip.pk]) + "#share")


@require_POST
@coach_required
def share_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    """Revoke a share link (it answers 404 from then on)."""
    link = get_object_or_404(ShareLink, pk=link_id, clip__team=request.coach.team)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return redirect(reverse("clip", args=[link.clip_id]) + "#share")


@coach_required
def athletes(request: HttpRequest) -> HttpResponse:
    """The roster, and a form to add an athlete."""
    team = request.coach.team
    form = AthleteForm(request.POST or None, team=team)
    if request.method == "POST":
        if form.is_valid():
            athlete = form.save(commit=False)
            athlete.team = team
            athlete.save()
            return redirect("athletes")
    elif request.method != "GET":
        return HttpResponse(status=405)
    roster = Athlete.objects.filter(team=team).annotate(n_clips=Count("clips"))
    status = 400 if request.method == "POST" else 200
    return render(request, "web/athletes.html", {"roster": roster, "form": form}, status=status)


@require_GET
@coach_required
def athlete_page(request: HttpRequest, athlete_id: int) -> HttpResponse:
    """One athlete's clips by date, with their scores."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, team=request.coach.team)
    clips = athlete.clips.order_by("recorded_on", "created_at")
    return render(request, "web/athlete.html", {"athlete": athlete, "clips": clips})


def _active_link(token: str) -> ShareLink:
    link = ShareLink.objects.select_related("clip").filter(token=token).first()
    if link is None or link.revoked_at is not None:
        raise Http404("This link does not exist or was revoked.")
    return link


@require_GET
def shared_clip(request: HttpRequest, token: str) -> HttpResponse:
    """The read-only report behind a share link (no login)."""
    link = _active_link(token)
    ctx = _clip_context(link.clip)
    ctx["token"] = token
    ctx["shared"] = True
    resp = render(request, "web/shared.html", ctx)
    resp["Referrer-Policy"] = "no-referrer"  # the token must not leak to other sites
    resp["X-Robots-Tag"] = "noindex"
    return resp


@require_GET
def shared_file(request: HttpRequest, token: str, name: str) -> HttpResponse:
    """The report or the video behind a share link."""
    link = _active_link(token)
    if name not in media.INLINE:
        raise Http404("no such file")
    resp = review_files.serve_clip_file(request, link.clip, name)
    resp["Referrer-Policy"] = "no-referrer"
    return resp

