"""A clip uploaded while no worker runs is analysed after ``backpedal serve`` restarts.

The real command twice on one data folder: first with ``--workers 0`` (upload over HTTP, the
job waits in the table), stopped, then with one worker, which picks the job up. The clip is
a one-second test pattern without a person, so the real analysis ends quickly (and fails
with the analyzer's own message, which the page then shows).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.web.fakes import PASSWORD, PROJECT_ROOT
from tests.web.test_browser import _free_port

pytestmark = pytest.mark.slow


class _Session:
    """A cookie-keeping HTTP client that logs in like a browser form (CSRF token included)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str):
        return self.opener.open(self.base + path, timeout=30)

    def login(self, username: str, password: str) -> None:
        self.get("/login/").read()
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), "username": username,
                                       "password": password}).encode()
        with self.opener.open(urllib.request.Request(self.base + "/login/", data=body),
                              timeout=30) as resp:
            assert resp.url.rstrip("/") == self.base, resp.url

    def upload(self, path: Path) -> dict:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="recorded_on"\r\n\r\n'
            "2026-11-30\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="clip"; '
            f'filename="{path.name}"\r\nContent-Type: video/mp4\r\n\r\n'.encode()
            + path.read_bytes() + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        req = urllib.request.Request(
            self.base + "/clips/upload/", data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "X-CSRFToken": self.csrf(), "X-Requested-With": "XMLHttpRequest"})
        with self.opener.open(req, timeout=60) as resp:
            assert resp.status == 201
            return json.loads(resp.read())


def _start(cli: list[str], env: dict[str, str], workers: int, log: Path):
    port = _free_port()
    proc = subprocess.Popen([*cli, "--port", str(port), "--workers", str(workers)], env=env,
                            stdout=log.open("a"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2).read()
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_queued_upload_is_analysed_after_a_restart(tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (bash scripts/install.sh --test)")
    clip = tmp_path / "pattern.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x120:rate=30", "-t", "1", "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", str(clip)], check=True, timeout=60)
    data, log = tmp_path / "data", tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACKPEDAL_WEB_", "DJANGO_"))}
    env.update(BP_PW=PASSWORD, BACKPEDAL_CACHE=str(tmp_path / "cache"),
               BACKPEDAL_WEB_SECRET_KEY="restart-test-" + "k" * 40, PYTHONPATH=str(PROJECT_ROOT))
    cli = [sys.executable, "-m", "analyzer.cli", "serve", "--data", str(data)]
    subprocess.run([*cli, "--create-coach", "coach", "--team", "Eagles", "--password-env",
                    "BP_PW"], env=env, check=True, capture_output=True, timeout=120)

    proc, base = _start(cli, env, workers=0, log=log)
    try:
        web = _Session(base)
        web.login("coach", PASSWORD)
        status_path = web.upload(clip)["url"] + "status.json"
        assert json.loads(web.get(status_path).read())["status"] == "queued"
    finally:
        _stop(proc)

    proc, base = _start(cli, env, workers=1, log=log)
    try:
        web = _Session(base)
        web.login("coach", PASSWORD)
        deadline = time.monotonic() + 180
        while (status := json.loads(web.get(status_path).read()))["status"] in ("queued",
                                                                                 "running"):
            assert time.monotonic() < deadline, status
            time.sleep(0.5)
        assert status["attempts"] == 1
        if status["status"] == "failed":  # no person in a test pattern: the analyzer says so
            assert status["error"] and status["hint"]
            # a file named in the message is the uploaded one, never the generated name
            assert ".mp4" not in status["error"] or "pattern.mp4" in status["error"]
            page = web.get(status_path.replace("status.json", "")).read().decode()
            assert status["error"].split(" (")[0][:30] in page and 'id="retry"' in page
        else:
            assert status["status"] == "done"
    finally:
        _stop(proc)
    out = log.read_text()
    assert "Traceback" not in out, out
