"""A page opened in real headless Chromium (Debian's `chromium`), driven over the DevTools protocol (aiohttp's
websocket): what the console said, what the page fetched, the value of a script run in it, a screenshot."""

import asyncio
import base64
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
)  # fmt: skip
START_TIMEOUT_SECONDS = 30.0
LOAD_TIMEOUT_SECONDS = 30.0
WIDTH, HEIGHT = 1400, 900


@dataclass
class Visit:
    """What happened while the page loaded."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: Any = None
    screenshot: bytes = b""


def executable() -> str:
    found = shutil.which("chromium")
    if found is None:
        raise FileNotFoundError("chromium is not installed: make system installs it (.ci/debian-packages).")
    return found


class _DevTools:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse, visit: Visit) -> None:
        self.socket, self.visit, self.next_id = socket, visit, 0
        self.loaded = asyncio.Event()

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        sent = self.next_id
        await self.socket.send_json({"id": sent, "method": method, "params": params})
        while True:
            message = json.loads((await self.socket.receive()).data)
            if message.get("id") == sent:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    async def until_loaded(self) -> None:
        while not self.loaded.is_set():
            self._event(json.loads((await self.socket.receive()).data))

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Page.loadEventFired":
            self.loaded.set()
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            self.visit.console_errors.append(" ".join(str(arg.get("value")) for arg in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            self.visit.console_errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
            self.visit.console_errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            self.visit.requests.append(params["request"]["url"])


async def _visit(port: int, page: Path, script: str) -> Visit:
    visit = Visit()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/json/list") as answer:
            targets = await answer.json()
        url = next(target["webSocketDebuggerUrl"] for target in targets if target["type"] == "page")
        async with http.ws_connect(url, max_msg_size=0) as socket:
            tools = _DevTools(socket, visit)
            for domain in ("Runtime", "Log", "Network", "Page"):
                await tools.call(f"{domain}.enable")
            await tools.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                             deviceScaleFactor=1, mobile=False)  # fmt: skip
            await tools.call("Page.navigate", url=page.resolve().as_uri())
            await asyncio.wait_for(tools.until_loaded(), LOAD_TIMEOUT_SECONDS)
            result = await tools.call("Runtime.evaluate", expression=script, returnByValue=True)
            visit.value = result["result"].get("value")
            height = HEIGHT
            for _ in range(3):  # the page may reflow at a new viewport size: measure until it stays
                measured = await tools.call(
                    "Runtime.evaluate", expression="document.documentElement.scrollHeight", returnByValue=True
                )
                if int(measured["result"]["value"]) == height:
                    break
                height = int(measured["result"]["value"])
                await tools.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height,
                                 deviceScaleFactor=1, mobile=False)  # fmt: skip
            clip = {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}
            shot = await tools.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)
            visit.screenshot = base64.b64decode(shot["data"])
    return visit


def open_page(page: Path, script: str) -> Visit:
    """Loads `page` in a fresh headless Chromium (its own profile folder), runs `script`, stops the browser and
    every process it started (they write into the profile until they end)."""
    with tempfile.TemporaryDirectory(prefix="usage-chromium-", ignore_cleanup_errors=True) as profile:
        command = [executable(), *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        browser = subprocess.Popen(
            command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True
        )
        try:
            port = _devtools_port(browser)
            return asyncio.run(_visit(port, page, script))
        finally:
            _stop(browser)
            shutil.rmtree(profile, ignore_errors=True)


def _stop(browser: subprocess.Popen[str]) -> None:
    """SIGTERM to the browser's process group (its renderers and helpers too), SIGKILL after 10 s."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(browser.pid, sent)
        except ProcessLookupError:
            return
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the helpers outlive the browser by a moment
            try:
                os.killpg(browser.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def _devtools_port(browser: subprocess.Popen[str]) -> int:
    """The port of `DevTools listening on ws://127.0.0.1:PORT/...`, the line Chromium prints when ready; its
    stderr is drained to the end by a thread, so the browser never blocks on a full pipe."""
    assert browser.stderr is not None
    stream = browser.stderr
    ports: queue.Queue[int | None] = queue.Queue()
    lines: list[str] = []

    def drain() -> None:
        for line in stream:
            lines.append(line)
            found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if found:
                ports.put(int(found.group(1)))
        ports.put(None)

    threading.Thread(target=drain, daemon=True).start()
    try:
        port = ports.get(timeout=START_TIMEOUT_SECONDS)
    except queue.Empty:
        port = None
    if port is None:
        raise RuntimeError("chromium did not listen for DevTools:\n" + "".join(lines[-20:]))
    return port
