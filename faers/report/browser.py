"""Open a report in headless Chromium as a person would, and say what rendered.

A small Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (the browser reads commands
on fd 3 and writes replies and events on fd 4, NUL-separated JSON), so it needs no driver binary and
no Python package: Debian's ``chromium`` is enough. It loads the file, waits until every Plotly figure
has drawn, reads each figure's traces from the graph divs, collects console errors, exceptions and
every request that would leave the machine, and saves a full-page screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")

FIGURES_JS = """
(() => {
  const out = [];
  for (const holder of document.querySelectorAll('figure.plot')) {
    const gd = holder.querySelector('.js-plotly-plot');
    const svg = gd ? gd.querySelector('svg.main-svg') : null;
    const box = gd ? gd.getBoundingClientRect() : {width: 0, height: 0};
    const ys = new Set();
    let points = 0;
    for (const trace of (gd && gd.data) || []) {
      for (const y of trace.y || []) {
        if (typeof y === 'string') { ys.add(y); }
      }
      points += (trace.x || []).filter((x) => x !== null && x !== undefined).length;
    }
    out.push({
      figure: holder.dataset.figure,
      declared_rows: holder.dataset.ptRows === undefined ? null : Number(holder.dataset.ptRows),
      drawn: Boolean(gd && gd._fullLayout && svg),
      traces: gd && gd.data ? gd.data.length : 0,
      points: points,
      y_categories: Array.from(ys),
      width: Math.round(box.width),
      height: Math.round(box.height),
    });
  }
  return JSON.stringify(out);
})()
"""
READY_JS = """
(() => {
  const holders = document.querySelectorAll('figure.plot');
  return Array.from(holders).every((h) => {
    const gd = h.querySelector('.js-plotly-plot');
    return gd && gd._fullLayout && gd.querySelector('svg.main-svg');
  }) && document.readyState === 'complete';
})()
"""


class BrowserError(RuntimeError):
    """Chromium could not be started, or did not answer in time."""


@dataclass(frozen=True)
class FigureCheck:
    """One figure as the browser drew it."""

    figure: str
    declared_rows: int | None
    drawn: bool
    traces: int
    points: int
    y_categories: list[str]
    width: int
    height: int


@dataclass
class PageCheck:
    """What a person opening the report would have seen."""

    title: str
    figures: list[FigureCheck]
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    load_seconds: float = 0.0
    script_result: Any = None
    """What the ``script`` given to :func:`check_report` returned (after the figures were drawn)."""

    def figure(self, figure_id: str) -> FigureCheck:
        """The figure with ``figure_id`` (KeyError if the page has none)."""
        for figure in self.figures:
            if figure.figure == figure_id:
                return figure
        raise KeyError(f"no figure {figure_id!r} in the page (has {[f.figure for f in self.figures]})")


class Chromium:
    """A headless Chromium driven over the DevTools pipe. Use as a context manager."""

    def __init__(self, executable: Path = CHROMIUM, *, width: int = 1400, height: int = 1000) -> None:
        if not executable.exists():
            raise BrowserError(f"{executable}: Chromium not found (apt-get install chromium)")
        self._profile = tempfile.TemporaryDirectory(prefix="faers_chromium_")
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()
        # The browser reads fd 3 and writes fd 4: hand it the pipes as stdin/stdout and let /bin/sh move
        # them there before exec (no preexec_fn, so Popen may spawn safely from a threaded process).
        wiring = 'exec "$@" 3<&0 4>&1 0</dev/null 1>/dev/null'
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the browser; closed in close())
        self.process = subprocess.Popen(
            ["/bin/sh", "-c", wiring, "chromium", str(executable), *FLAGS,
             f"--user-data-dir={self._profile.name}", f"--window-size={width},{height}", "about:blank"],
            stdin=to_browser_read,
            stdout=from_browser_write,
            stderr=self._stderr,
        )  # fmt: skip
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._writer = os.fdopen(to_browser_write, "wb", buffering=0)
        self._reader = os.fdopen(from_browser_read, "rb", buffering=0)
        self._next_id = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._read_loop, name="cdp-reader", daemon=True)
        self._thread.start()

    # -- protocol ---------------------------------------------------------------------------

    def _read_loop(self) -> None:
        buffer = b""
        while True:
            chunk = self._reader.read(65536)
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                with self._lock:
                    waiter = self._replies.pop(message["id"], None) if "id" in message else None
                    if waiter is None:
                        self.events.append(message)
                if waiter is not None:
                    waiter.put(message)

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30,
    ) -> dict[str, Any]:
        """Send one command and wait for its result (raises BrowserError on a protocol error)."""
        with self._lock:
            self._next_id += 1
            message_id = self._next_id
            waiter: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1)
            self._replies[message_id] = waiter
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._writer.write(json.dumps(message).encode() + b"\0")
        try:
            reply = waiter.get(timeout=timeout)
        except queue.Empty as error:
            raise BrowserError(f"{method}: no answer from Chromium in {timeout:.0f} s{self._stderr_tail()}") from error
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        tail = self._stderr.read()[-2000:].decode("utf-8", "replace").strip()
        return f"\nChromium said:\n{tail}" if tail else ""

    def wait_event(self, method: str, *, session: str, timeout: float) -> dict[str, Any]:
        """The first event ``method`` of ``session`` (already received or arriving within ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for event in self.events:
                    if event.get("method") == method and event.get("sessionId") == session:
                        return event
            time.sleep(0.05)
        raise BrowserError(f"no {method} within {timeout:.0f} s")

    def new_page(self) -> str:
        """A new tab, attached; returns its session id with Page, Runtime, Log and Network enabled."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        """The value of a JavaScript expression in the page (exceptions raise BrowserError)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in result:
            raise BrowserError(f"page script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Ask the browser to quit, then make sure it has."""
        if self.process.poll() is None:
            with contextlib.suppress(BrowserError, OSError):
                self.send("Browser.close", timeout=5)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for stream in (self._writer, self._reader):
            with contextlib.suppress(OSError):
                stream.close()
        self._stderr.close()
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _problems(events: list[dict[str, Any]], session: str) -> tuple[list[str], list[str]]:
    """Console errors (console.error, uncaught exceptions, browser log errors) and non-local requests."""
    errors: list[str] = []
    requests: list[str] = []
    for event in events:
        if event.get("sessionId") != session:
            continue
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not url.startswith(LOCAL_SCHEMES):
                requests.append(url)
    return errors, requests


def check_report(
    html: Path,
    *,
    screenshot: Path | None = None,
    script: str | None = None,
    executable: Path = CHROMIUM,
    timeout: float = 90,
) -> PageCheck:
    """Open ``html`` in headless Chromium, wait for every figure, and report what rendered.

    ``script`` (a JavaScript expression, e.g. clicks on the page) runs once the figures are drawn; its
    value is returned as ``script_result``. The screenshot, when asked for, is taken after it."""
    html = html.resolve()
    with Chromium(executable) as browser:
        session = browser.new_page()
        started = time.monotonic()
        browser.send("Page.navigate", {"url": html.as_uri()}, session=session)
        browser.wait_event("Page.loadEventFired", session=session, timeout=timeout)
        deadline = started + timeout
        while not browser.evaluate(session, READY_JS):
            if time.monotonic() > deadline:
                raise BrowserError(f"{html}: figures not drawn within {timeout:.0f} s")
            time.sleep(0.1)
        load_seconds = time.monotonic() - started
        time.sleep(0.3)  # let late console messages and resize redraws arrive
        figures = [FigureCheck(**item) for item in json.loads(browser.evaluate(session, FIGURES_JS))]
        title = str(browser.evaluate(session, "document.title"))
        script_result = browser.evaluate(session, script) if script else None
        if screenshot is not None:
            _screenshot(browser, session, screenshot)
        errors, requests = _problems(list(browser.events), session)
    return PageCheck(title, figures, errors, requests, screenshot, load_seconds, script_result)


def _screenshot(browser: Chromium, session: str, path: Path) -> None:
    """A PNG of the whole page, not only the first screen."""
    metrics = browser.send("Page.getLayoutMetrics", session=session)
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = browser.send(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "clip": clip},
        session=session,
        timeout=60,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
