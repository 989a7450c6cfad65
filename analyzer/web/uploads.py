"""Receiving a clip: streamed to a temporary file, capped in size, checked by its content.

Django's :class:`TemporaryFileUploadHandler` writes each chunk to a file in ``DATA/tmp`` as
it arrives (the clip is never held in memory); this subclass stops an upload as soon as it
passes ``MAX_UPLOAD_BYTES`` (deleting what it wrote) and tells the view; the form fields before
the file (the CSRF token) are still read. The WSGI server caps the request body as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.db import transaction

from analyzer.errors import AnalyzerError
from analyzer.web import analysis, jobs, storage
from analyzer.web.models import Athlete, Clip, Team


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """A temporary-file upload handler that refuses uploads over ``MAX_UPLOAD_BYTES``."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received = start + len(raw_data)
        if self._received > settings.MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            if self.file is not None:
                self.file.close()  # deletes the temporary file
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def max_upload_mb() -> float:
    return settings.MAX_UPLOAD_BYTES / (1024 * 1024)


def accept_clip(
    uploaded: Any,
    *,
    team: Team,
    athlete: Athlete | None,
    user: Any,
    recorded_on,
    clip_settings: dict,
) -> Clip:
    """Check, store and record an uploaded clip and queue its analysis.

    ``uploaded`` is Django's ``TemporaryUploadedFile``. The analysis settings (the team's
    profile, ``ANALYSIS_PROFILE``, under the clip's own choices) are checked first, then the
    file is probed (its content, not its name) and moved under a generated name; the clip and
    its job are in the database when this returns.

    Raises
    ------
    analyzer.errors.ConfigError, analyzer.errors.ProfileError
        A setting or the team's profile is invalid (the temporary file is removed).
    analyzer.errors.VideoError
        The file is not a video the analyzer can read (the temporary file is removed).
    """
    temp_path = Path(uploaded.temporary_file_path())
    wanted = {"profile": settings.ANALYSIS_PROFILE, **clip_settings}
    try:
        checked = analysis.check_clip_settings(wanted)
        probed = analysis.probe_upload(temp_path)
    except AnalyzerError:
        uploaded.close()
        raise
    name, _ = storage.store_upload(temp_path, probed.container)
    original = Path(uploaded.name or "clip").name[:255]
    with transaction.atomic():
        clip = Clip.objects.create(
            team=team,
            athlete=athlete,
            uploaded_by=user,
            original_name=original,
            stored_name=name,
            size_bytes=uploaded.size,
            duration_s=probed.duration_s,
            recorded_on=recorded_on,
            settings=checked,
            summary={"video": {"width": probed.width, "height": probed.height,
                               "codec": probed.codec, "fps": probed.fps}},
        )
        jobs.enqueue(clip)
    return clip
