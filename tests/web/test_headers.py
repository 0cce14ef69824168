"""Security headers on every kind of response: a page, JSON, a static file, the 404 pages, a
redirect, an error; HSTS only over HTTPS; /schema served from Parvis alone."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import httpx
import pytest

from community.app import create_app
from community.config import Settings
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


def assert_secured(response: httpx.Response) -> str:
    """The headers every response carries; returns its Content-Security-Policy."""
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy  # no 'unsafe-inline', no nonce, no other host
    assert "frame-ancestors 'self'" in policy
    assert "unsafe" not in policy
    return policy


async def test_a_page_allows_its_theme_style_by_nonce_only(client: Client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    policy = assert_secured(response)
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", policy)
    assert nonce, policy
    assert f'<style nonce="{nonce.group(1)}">' in response.text
    assert "<script>" not in response.text and " style=" not in response.text
    again = await client.get("/")
    assert nonce.group(1) not in again.headers["content-security-policy"]  # per request


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/threads",  # JSON
        "/static/css/parvis.css",  # a static file
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/nothing-here.css",  # a static 404
        "/no/such/page",  # the community's 404 page
        "/schema/openapi.json",
        "/health",
    ],
)
async def test_every_kind_of_response_is_secured(client: Client, path: str) -> None:
    assert_secured(await client.get(path))


async def test_the_404_page_and_an_unknown_host_are_secured(
    client: Client, client_for: Any
) -> None:
    page = await client.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert_secured(page)
    nowhere = await client_for("nowhere.test").get("/")
    assert nowhere.status_code == 404
    assert_secured(nowhere)


async def test_redirects_and_api_errors_are_secured(client: Client, world: World) -> None:
    redirect = await client.get("/notifications")  # a guest is sent to log in
    assert redirect.status_code in {302, 303}
    assert_secured(redirect)
    refused = await client.api_post("/api/v1/threads", {"title": "x"})
    assert refused.status_code >= 400
    assert_secured(refused)


async def test_hsts_only_over_https(client: Client, client_for: Any) -> None:
    assert "strict-transport-security" not in (await client.get("/")).headers
    secure = client_for("acme.test")
    secure.base_url = httpx.URL("https://acme.test")
    response = await secure.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_hsts_with_secure_cookies_even_behind_a_plain_http_proxy(
    settings: Settings, world: World
) -> None:
    app = create_app(replace(settings, secure_cookies=True))
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://acme.test"
        ) as client,
    ):
        response = await client.get("/static/css/parvis.css")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_a_remote_logo_is_allowed_by_its_origin_only(client_for: Any, world: World) -> None:
    await world.tenant("initech", logo_url="https://cdn.initech.example/logo.png")
    response = await client_for("initech.test").get("/")
    assert "img-src 'self' data: https://cdn.initech.example;" in assert_secured(response)


async def test_the_api_documentation_is_served_from_parvis(client: Client) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    assert_secured(page)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in page.text and "<style" not in page.text
    for source in sources:
        asset = await client.get(source)
        assert asset.status_code == 200, source
        assert_secured(asset)


@pytest.mark.parametrize(
    "logo_url", ["https://a.example; script-src *", "http://[bad/logo.png", "javascript:alert(1)"]
)
async def test_a_logo_address_cannot_widen_the_policy(
    client_for: Any, world: World, logo_url: str
) -> None:
    await world.tenant("initech", logo_url=logo_url)
    response = await client_for("initech.test").get("/")
    assert response.status_code == 200
    assert "img-src 'self' data:;" in assert_secured(response)
