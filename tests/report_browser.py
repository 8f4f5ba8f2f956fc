"""A small headless-Chromium driver for the run-report test (Chrome DevTools Protocol).

Debian's chromium is started headless with a private profile and a DevTools port chosen by
the browser; the page is loaded through CDP so that console messages, uncaught exceptions,
log entries (failed resource loads, CSP violations) and network requests are all collected,
and the DOM can be queried and a screenshot taken. Uses the ``websockets`` client Prefect
already installs.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
    "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
)


@dataclass(slots=True)
class PageLoad:
    console: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    log_entries: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    loaded: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""

    @property
    def errors(self) -> list[str]:
        found = [f"console.{m.get('type')}: {m.get('args')}" for m in self.console if m.get("type") in ("error", "assert")]
        found += [f"exception: {e.get('exceptionDetails', {}).get('text')}" for e in self.exceptions]
        found += [f"log {e['entry'].get('level')}: {e['entry'].get('text')}" for e in self.log_entries
                  if e["entry"].get("level") == "error"]
        return found


class Browser:
    def __init__(self, timeout_s: float = 30.0) -> None:
        self.timeout_s = timeout_s
        self.profile = tempfile.mkdtemp(prefix="reportflow-chromium-")
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             "--remote-debugging-address=127.0.0.1", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.ws_url = self._devtools_url()
        self.ws = connect(self.ws_url, max_size=None, open_timeout=timeout_s)
        self._next_id = 0

    def _devtools_url(self) -> str:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                return match.group(1)
        self.close()
        raise RuntimeError("chromium did not start its DevTools endpoint")

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
              events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv(timeout=self.timeout_s))
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if events is not None and "method" in reply:
                events.append(reply)
        raise TimeoutError(method)

    def load(self, url: str, expressions: dict[str, str], width: int = 1300, height: int = 2400) -> PageLoad:
        """Open ``url`` in a new tab, wait for the load event and a quiet moment, evaluate
        ``expressions`` (name → JS returning a JSON value) and take a screenshot."""
        events: list[dict[str, Any]] = []
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self._send(f"{domain}.enable", session=session, events=events)
        self._send("Emulation.setDeviceMetricsOverride",
                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session, events)
        self._send("Page.navigate", {"url": url}, session, events)
        result = PageLoad()
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline and not result.loaded:
            event = json.loads(self.ws.recv(timeout=self.timeout_s))
            events.append(event)
            result.loaded = event.get("method") == "Page.loadEventFired"
        time.sleep(0.3)  # late console messages
        for name, expression in expressions.items():
            value = self._send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session, events)
            result.values[name] = value.get("result", {}).get("value")
        shot = self._send("Page.captureScreenshot", {"format": "png"}, session, events)
        result.screenshot = base64.b64decode(shot["data"])
        for event in events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                result.console.append({"type": params.get("type"), "args": [a.get("value") for a in params.get("args", [])]})
            elif method == "Runtime.exceptionThrown":
                result.exceptions.append(params)
            elif method == "Log.entryAdded":
                result.log_entries.append(params)
            elif method == "Network.requestWillBeSent":
                result.requests.append(params["request"]["url"])
        return result

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()
