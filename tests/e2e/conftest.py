"""A real server on 127.0.0.1 and a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest
import uvicorn

from community.app import create_app
from community.config import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """Serves the app on a free port in a thread of its own; yields 'host:port' for the tenant."""
    port = _free_port()
    # Jobs run in the server process: no arq worker runs beside this test server. Links and
    # callback URLs in escalated cases point at this server (for tenants on *.localhost).
    delivery = replace(settings.delivery, base_url_format=f"http://{{domain}}:{port}")
    app = create_app(replace(settings, redis_url="", delivery=delivery))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    # Generous: on a loaded 2-core machine the app's start-up alone can take 15 s; a server
    # that failed to start ends its thread, which is caught at once.
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"acme.localhost:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class CspWatchedBrowser:
    """The browser, with the console of every page it opens watched: a test fails when the
    Content-Security-Policy refused anything a page asked for (a script, a style, an image)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    async def new_context(self, **options: Any) -> Any:
        context = await self._browser.new_context(**options)
        context.on("console", self._record)
        return context

    async def new_page(self, **options: Any) -> Any:
        page = await self._browser.new_page(**options)
        page.on("console", self._record)
        return page

    def _record(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{message.location.get('url')}: {message.text}")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        watched = CspWatchedBrowser(launched)
        yield watched
        await launched.close()
        assert not watched.violations, "\n".join(watched.violations)
