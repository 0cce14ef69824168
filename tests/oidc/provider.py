"""The local OpenID provider (tests/oidc/provider.mjs, npm's oidc-provider 9) for the tests.

`.ci/run` installs it into .ci/node_modules; elsewhere the tests that need it are skipped,
saying how to get it, except in CI (PARVIS_CI=1), where a missing provider fails them.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

ROOT = Path(__file__).parents[2]
TOOLS = Path(os.environ.get("PARVIS_NODE_TOOLS", ROOT / ".ci" / "node_modules"))
SCRIPT = Path(__file__).with_name("provider.mjs")
INSTALL = "npm install --prefix .ci oidc-provider@9"
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def require_provider() -> None:
    """Skip (fail in CI) when node or the provider's package is missing."""
    missing = not (TOOLS / "oidc-provider" / "package.json").exists() or not shutil.which("node")
    if missing and os.environ.get("PARVIS_CI"):
        pytest.fail(f"the OpenID provider is missing in CI: {INSTALL}")
    if missing:
        pytest.skip(f"needs node and the OpenID provider: {INSTALL}")


def client(name: str, origin: str, **extra: Any) -> dict[str, Any]:
    """A client registered at the provider for the community at `origin`."""
    return {
        "client_id": f"parvis-{name}",
        "client_secret": f"{name}-client-secret",
        "redirect_uris": [f"{origin}/auth/oidc/callback"],
        "post_logout_redirect_uris": [f"{origin}/"],
        **extra,
    }


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_provider(clients: list[dict[str, Any]], log: Path) -> Iterator[Provider]:
    require_provider()
    port = _free_port()
    options = json.dumps({"port": port, "clients": clients})
    with log.open("w") as errors:
        process = subprocess.Popen(
            ["node", str(SCRIPT), options], stdout=subprocess.PIPE, stderr=errors, text=True,
            env={**os.environ, "PARVIS_NODE_TOOLS": str(TOOLS)},
        )  # fmt: skip
        assert process.stdout is not None
        line = process.stdout.readline()  # "ready <issuer>", or nothing when it failed
        if not line.startswith("ready "):
            process.kill()
            raise RuntimeError(f"the OpenID provider did not start: {log.read_text()}")
        try:
            yield Provider(line.split()[1], process)
        finally:
            process.terminate()
            process.wait(timeout=10)


async def through_provider(url: str, login: str = "alice") -> str:
    """Go through the provider's login and consent pages as a person would, from its
    authorization URL; returns the URL it finally sends the browser to (the callback)."""
    provider = urlsplit(url).netloc
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as browser:
        answer = await browser.get(url)
        for _ in range(12):
            if answer.is_redirect:
                target = urljoin(str(answer.url), answer.headers["location"])
                if urlsplit(target).netloc != provider:
                    return target
                answer = await browser.get(target)
                continue
            form = FORM.search(answer.text)
            assert form, f"no form on the provider's page: {answer.status_code} {answer.text}"
            fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form[2])}
            if 'name="login"' in form[2]:
                fields |= {"login": login, "password": "any password"}
            if 'name="logout"' in form[2]:
                fields["logout"] = "yes"
            action = urljoin(str(answer.url), html.unescape(form[1]))
            answer = await browser.post(action, data=fields)
    raise AssertionError("the provider never sent the browser back")
