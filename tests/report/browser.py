"""A tiny headless-Chromium driver over the DevTools protocol (for the report checks).

Opens a local file, records console errors and uncaught exceptions, waits for a condition
evaluated in the page, and takes a full-page screenshot. Chromium runs with a fresh profile
and no background networking; DevTools listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
)


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@dataclass
class PageReport:
    """What happened while the page was open."""

    console_errors: list[str] = field(default_factory=list)
    console_all: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    screenshot: Path | None = None


class _Cdp:
    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        msg_id = self.next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def evaluate(self, expression: str) -> Any:
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return res.get("result", {}).get("value")

    def close(self) -> None:
        self.ws.close()


def _wait_port(profile: Path, proc: subprocess.Popen, timeout_s: float) -> int:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_file.is_file():
            text = port_file.read_text().split()
            if text:
                return int(text[0])
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with code {proc.returncode}")
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


def _page_ws(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
        targets = json.load(resp)
    for t in targets:
        if t.get("type") == "page":
            return t["webSocketDebuggerUrl"]
    raise RuntimeError("no page target in chromium")


def _collect_console(events: list[dict[str, Any]], report: PageReport) -> None:
    for ev in events:
        method, params = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            report.console_all.append(f"{params.get('type')}: {text}")
            if params.get("type") in ("error", "assert"):
                report.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            report.console_errors.append(f"uncaught: {text}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            report.console_all.append(f"{entry.get('level')}: {entry.get('text')}")
            if entry.get("level") == "error":
                report.console_errors.append(f"{entry.get('source')}: {entry.get('text')}")


def open_page(
    path: Path,
    *,
    ready_js: str,
    state_js: str,
    screenshot: Path | None = None,
    width: int = 1200,
    timeout_s: float = 30.0,
) -> PageReport:
    """Open ``path`` in headless Chromium; wait until ``ready_js`` is truthy (or time out);
    return console errors, the value of ``state_js`` and optionally a full-page screenshot."""
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("chromium not found")
    report = PageReport()
    with tempfile.TemporaryDirectory(prefix="bp-chromium-", ignore_cleanup_errors=True) as profile:
        cmd = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--window-size={width},900",
            "about:blank",
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            port = _wait_port(Path(profile), proc, timeout_s)
            cdp = _Cdp(_page_ws(port))
            try:
                for domain in ("Runtime", "Log", "Page"):
                    cdp.call(f"{domain}.enable")
                cdp.call("Page.navigate", url=path.resolve().as_uri())
                deadline = time.monotonic() + timeout_s
                while time.monotonic() < deadline and not cdp.evaluate(ready_js):
                    time.sleep(0.2)
                report.state = cdp.evaluate(state_js) or {}
                if screenshot is not None:
                    report.screenshot = _screenshot(cdp, screenshot, width)
                _collect_console(cdp.events, report)
            finally:
                cdp.close()
        finally:
            _stop_group(proc)
    return report


def _stop_group(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """Stop Chromium and its helper processes (zygote, renderers) so none outlives the test."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(0.2)  # let the group's last children exit before the profile is removed
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _screenshot(cdp: _Cdp, out: Path, width: int) -> Path:
    metrics = cdp.call("Page.getLayoutMetrics")
    height = int(metrics.get("cssContentSize", metrics.get("contentSize"))["height"])
    cdp.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=False,
    )
    shot = cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(shot["data"]))
    return out
