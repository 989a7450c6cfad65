"""Serving a clip's result files, with HTTP Range support for the annotated video.

Browsers fetch ``<video>`` sources in byte ranges and Chromium cannot seek in a file served
without them; Django 5.2's ``FileResponse`` sends whole files only, so ranges are answered
here (RFC 9110, section 14: one ``bytes=`` range per request; several ranges, which players
do not ask for, get the whole file).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK_BYTES = 256 * 1024

#: The self-contained report keeps its inline style and script; everything else stays denied.
REPORT_CSP = (
    "default-src 'none'; img-src data:; media-src 'self'; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

#: Files of a result folder a viewer may open, and whether the browser shows or downloads them.
INLINE = {"report.html", "annotated.mp4"}
DOWNLOADS = {"result.json", "metrics.csv", "steps.csv"}


class RangeNotSatisfiableError(ValueError):
    """The requested range lies outside the file (answered with 416)."""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``bytes=`` range, or None to serve the whole file.

    Raises :class:`RangeNotSatisfiableError` for a range outside the file.
    """
    m = _RANGE.match(header.strip())
    if not m or size <= 0:
        return None
    first_s, last_s = m.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # suffix: the last N bytes
        n = int(last_s)
        if n == 0:
            raise RangeNotSatisfiableError(header)
        return max(0, size - n), size - 1
    first = int(first_s)
    last = int(last_s) if last_s else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiableError(header)
    return first, min(last, size - 1)


def _read(path: Path, first: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(first)
        left = length
        while left > 0:
            chunk = fh.read(min(_CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def ranged_file_response(request: HttpRequest, path: Path, *, download: bool = False):
    """The file at ``path``, whole (200) or the requested byte range (206, or 416)."""
    size = path.stat().st_size
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except RangeNotSatisfiableError:
        resp = HttpResponse(status=416)
        resp["Content-Range"] = f"bytes */{size}"
        return resp
    if wanted is None:
        full = FileResponse(path.open("rb"), content_type=ctype, as_attachment=download,
                            filename=path.name)
        full["Accept-Ranges"] = "bytes"
        return full
    first, last = wanted
    length = last - first + 1
    part = StreamingHttpResponse(_read(path, first, length), status=206, content_type=ctype)
    part["Content-Length"] = str(length)
    part["Content-Range"] = f"bytes {first}-{last}/{size}"
    part["Accept-Ranges"] = "bytes"
    return part


def serve_result_file(request: HttpRequest, result_dir: Path, name: str):
    """One named file of a result folder (report, video or a download), else 404."""
    kva = name.endswith(".kva")
    if name not in INLINE and name not in DOWNLOADS and not kva:
        raise Http404("no such file")
    if "/" in name or "\\" in name or name.startswith("."):
        raise Http404("no such file")
    path = result_dir / name
    if not path.is_file():
        raise Http404("no such file")
    resp = ranged_file_response(request, path, download=name not in INLINE)
    if name == "report.html":
        resp["Content-Type"] = "text/html; charset=utf-8"
        resp["Content-Security-Policy"] = REPORT_CSP
    resp["Cache-Control"] = "private, no-cache"
    return resp


def kva_name(result_dir: Path) -> str | None:
    """The Kinovea sidecar's file name in a result folder, if there is one."""
    found = sorted(result_dir.glob("*.kva")) if result_dir.is_dir() else []
    return found[0].name if found else None
