"""The coach's whole flow in real headless Chromium against a real ``backpedal serve``.

Debian's /usr/bin/chromium (it plays H.264; Playwright's own build does not and is never
downloaded), driven by Playwright; the server is the real command (waitress, migrations,
one worker process, the real analysis of the sample clip). Screenshots go to
``tests/_artifacts/web/``. The same flow runs at desktop and at phone width (390 px).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.fakes import PASSWORD, PROJECT_ROOT, SAMPLE_CLIP

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "tests" / "_artifacts" / "web"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
ANALYSIS_TIMEOUT_MS = 240_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``backpedal serve`` on 127.0.0.1 with a coach account; yields its base URL."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (bash scripts/install.sh --test)")
    pytest.importorskip("playwright.sync_api")
    data = tmp_path_factory.mktemp("serve-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACKPEDAL_WEB_", "DJANGO_"))}
    env.update(BP_TEST_PASSWORD=PASSWORD, BACKPEDAL_CACHE=str(data / "cache"),
               BACKPEDAL_WEB_SECRET_KEY="browser-test-" + "k" * 40)
    cli = [sys.executable, "-m", "analyzer.cli", "serve", "--data", str(data)]
    subprocess.run([*cli, "--create-coach", "coach", "--team", "Eagles",
                    "--password-env", "BP_TEST_PASSWORD"], env=env, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    log = (data / "serve.log").open("w")
    proc = subprocess.Popen([*cli, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start: "
                                   + (data / "serve.log").read_text()) from None
            time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
        out = (data / "serve.log").read_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "serve.log").write_text(out)
        assert "Traceback" not in out and "ERROR" not in out, out


@pytest.fixture(scope="module")
def web_browser(browser):
    """The session's Chromium (tests/browser_fixtures.py): one Playwright per process."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return browser


def _block_outside(context, base: str) -> list[str]:
    """Fail any request that leaves the test server (the app must work offline)."""
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return outside


def _play(page, selector: str) -> None:
    """Play the <video>, check frames advance, seek (needs ranges) and check it lands."""
    page.wait_for_function(f"() => document.querySelector('{selector}').readyState >= 1",
                           timeout=30_000)
    info = page.evaluate(
        f"""async () => {{
            const v = document.querySelector('{selector}');
            v.muted = true;
            await v.play();
            await new Promise(r => setTimeout(r, 800));
            const played = v.currentTime;
            v.pause();
            await new Promise((resolve) => {{
                v.addEventListener('seeked', resolve, {{once: true}});
                v.currentTime = 2.5;
            }});
            return {{played, seekedTo: v.currentTime, width: v.videoWidth,
                     error: v.error ? v.error.code : null, duration: v.duration}};
        }}"""
    )
    assert info["error"] is None, info
    assert info["width"] > 0 and info["played"] > 0.1, info
    assert abs(info["seekedTo"] - 2.5) < 0.1 and info["duration"] > 3, info


def _coach_flow(browser, base: str, tag: str, **context_args) -> None:
    context = browser.new_context(**context_args)
    outside = _block_outside(context, base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(base + "/")
    assert "/login/" in page.url
    page.fill("#id_username", "coach")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".error").is_visible()
    page.fill("#id_username", "coach")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.screenshot(path=str(ARTIFACTS / f"{tag}-1-clips.png"), full_page=True)

    page.click("text=Upload a clip")
    # the form exists before upload.js has run: wait for the page's scripts, so the
    # file name shown is the script's doing and not a race (seen under load)
    page.wait_for_load_state("load")
    page.set_input_files("#id_clip", str(SAMPLE_CLIP))
    page.wait_for_function(
        "() => document.getElementById('chosen').textContent.includes('backpedal_side_left.mp4')",
        timeout=5_000,
    )
    page.fill("#id_new_athlete", f"Sam Lee {tag}")
    page.screenshot(path=str(ARTIFACTS / f"{tag}-2-upload.png"), full_page=True)
    page.click("#upload-button")
    page.wait_for_url("**/clips/*/", timeout=60_000)
    page.wait_for_selector("#progress-card", timeout=10_000)
    page.wait_for_function(  # the polled progress: a stage with its percent
        "() => document.getElementById('job-stage') && "
        r"/\d+%/.test(document.getElementById('job-stage').textContent)",
        timeout=120_000,
    )
    page.screenshot(path=str(ARTIFACTS / f"{tag}-3-progress.png"), full_page=True)

    page.wait_for_selector("#annotated", timeout=ANALYSIS_TIMEOUT_MS)
    assert page.inner_text("#clip-status").lower() == "done"
    assert page.inner_text("#overall-score").strip().isdigit()
    page.screenshot(path=str(ARTIFACTS / f"{tag}-4-report.png"), full_page=True)
    _play(page, "#annotated")

    with context.expect_page() as report_info:
        page.click("#full-report")
    report = report_info.value
    report.wait_for_load_state()
    assert "Backpedal" in report.title() or report.locator("h1").count() > 0
    report.close()

    page.fill("input[name=label]", "Sam")
    page.click("#make-share")
    share_url = page.input_value(".share-url")
    assert share_url.startswith(base + "/s/")

    anon = browser.new_context(**context_args)
    anon_outside = _block_outside(anon, base)
    shared = anon.new_page()
    shared.goto(share_url)
    assert shared.locator("#annotated").count() == 1
    assert shared.locator("text=Share with the athlete").count() == 0
    _play(shared, "#annotated")
    shared.screenshot(path=str(ARTIFACTS / f"{tag}-5-shared.png"), full_page=True)
    anon.close()

    if "is_mobile" in context_args:  # nothing may be wider than the phone's screen
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= context_args["viewport"]["width"], overflow
    context.close()
    assert outside == [] and anon_outside == []
    assert errors == [], errors


def test_coach_flow_desktop(server, web_browser):
    _coach_flow(web_browser, server, "desktop", viewport={"width": 1280, "height": 900})


def test_coach_flow_phone(server, web_browser):
    _coach_flow(web_browser, server, "phone", viewport={"width": 390, "height": 844},
                device_scale_factor=2, is_mobile=True, has_touch=True)


def teardown_module() -> None:
    shutil.rmtree(ARTIFACTS / "tmp", ignore_errors=True)
