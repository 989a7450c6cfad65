"""Importing a team's batch output (a zip of the ``backpedal batch`` folder) from the web."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from analyzer.errors import AnalyzerError
from analyzer.web import importer
from analyzer.web.forms import ImportForm
from analyzer.web.views import coach_required


@coach_required
def import_batch_view(request: HttpRequest) -> HttpResponse:
    """Upload a zipped batch folder; its clips appear in the team with their reports."""
    team = request.coach.team
    ctx: dict = {}
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if getattr(request, "upload_too_large", False):
            ctx["error"] = "The archive is larger than the upload limit."
            status = 413
        elif form.is_valid():
            work = Path(tempfile.mkdtemp(prefix="import-", dir=settings.TMP_DIR))
            try:
                archive = Path(form.cleaned_data["archive"].temporary_file_path())
                importer.safe_extract(archive, work, max_bytes=4 * settings.MAX_UPLOAD_BYTES)
                ctx["report"] = importer.import_batch(work, team, user=request.user)
            except AnalyzerError as exc:
                ctx["error"], ctx["hint"] = exc.message, exc.hint
                status = 400
            finally:
                shutil.rmtree(work, ignore_errors=True)
        else:
            status = 400
    elif request.method != "GET":
        return HttpResponse(status=405)
    else:
        form = ImportForm()
    ctx["form"] = form
    return render(request, "web/import.html", ctx, status=status)
