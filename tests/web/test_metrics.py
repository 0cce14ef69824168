"""/metrics: requests by route template, jobs and outboxes, and who may read it."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

import httpx
import pytest

from community.app import create_app
from community.config import Settings
from community.metrics import OUTBOXES, Backlog
from tests.conftest import World

pytestmark = pytest.mark.anyio
TOKEN = "scrape-me-" + "t" * 30


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name{labels…}` in a Prometheus exposition, if present."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.rindex("}")]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def client(app: Any, host: str = "acme.test", address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{host}")


async def test_a_page_is_counted_by_its_route_template_not_its_path(app, world: World) -> None:
    author = await world.member("acme", "ann@acme.test")
    threads = [await world.thread("acme", author, f"Question {n}") for n in range(2)]
    async with client(app) as c:
        for thread in threads:
            assert (await c.get(f"/t/{thread.id}/{thread.slug}")).status_code == 200
        text = (await c.get("/metrics")).text
    route = "/t/{thread_id}/{slug}"
    count = sample(text, "parvis_requests_total", path=route, method="GET", status_code="200")
    assert count is not None and count >= 2
    assert sample(text, "parvis_request_duration_seconds_count", path=route) is not None
    assert f"/t/{threads[0].id}/" not in text  # no series per thread


async def test_outboxes_are_reported(app, monkeypatch: pytest.MonkeyPatch) -> None:
    async def three_waiting(_session: object) -> Backlog:
        return Backlog(3, 42.0)

    monkeypatch.setitem(OUTBOXES, "test_outbox", three_waiting)
    async with client(app) as c:
        text = (await c.get("/metrics")).text
    assert sample(text, "parvis_outbox_depth", outbox="test_outbox") == 3
    assert sample(text, "parvis_outbox_oldest_age_seconds", outbox="test_outbox") == 42
    assert sample(text, "parvis_outbox_depth", outbox="escalations_pending") == 0


async def test_without_a_token_only_this_machine_may_read_it_in_development(app) -> None:
    async with client(app, address="203.0.113.9") as outsider:
        assert (await outsider.get("/metrics")).status_code == 404
    async with client(app) as local:
        proxied = await local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 404  # a proxy on this machine relays the internet
        assert (await local.get("/metrics")).status_code == 200


async def test_with_a_token_every_scrape_must_bring_it(settings: Settings) -> None:
    app = create_app(replace(settings, metrics_token=TOKEN))
    async with app.lifespan(), client(app) as c:
        assert (await c.get("/metrics")).status_code == 401
        wrong = await c.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert "parvis_outbox_depth" in right.text
    async with app.lifespan(), client(app, address="203.0.113.9") as outsider:
        fetched = await outsider.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert fetched.status_code == 200


async def test_in_production_there_are_no_metrics_without_a_token(settings: Settings) -> None:
    production = replace(settings, env="production", secure_cookies=True)
    app = create_app(production)
    async with app.lifespan(), client(app) as c:
        assert (await c.get("/metrics")).status_code == 404


async def test_each_request_has_an_id_echoed_and_logged(
    app, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="parvis.request")
    async with client(app) as c:
        given = await c.get("/", headers={"X-Request-ID": "lb-1234"})
        made = await c.get("/c/general")
        hostile = await c.get("/", headers={"X-Request-ID": "x" * 500})
    assert given.headers["x-request-id"] == "lb-1234"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    assert hostile.headers["x-request-id"] != "x" * 500
    lines = {record.request_id: record for record in caplog.records}  # type: ignore[attr-defined]
    line = lines["lb-1234"]
    assert (line.route, line.status, line.tenant_id) == ("/", 200, world.tenants["acme"])  # type: ignore[attr-defined]
    assert lines[made.headers["x-request-id"]].route == "/c/{slug}"  # type: ignore[attr-defined]


async def test_an_unknown_community_still_gets_a_request_id(app) -> None:
    async with client(app, host="nowhere.test") as c:
        response = await c.get("/", headers={"X-Request-ID": "abc-1"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "abc-1"
