"""Liveness and readiness: the database is required, Redis only reported (the web serves on)."""

import socket
from dataclasses import replace

import httpx
import pytest

from community.app import create_app
from community.config import Settings

pytestmark = pytest.mark.anyio


def nothing_listening() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


async def probe(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        return await c.get(path)


async def test_readiness_reports_each_dependency_with_its_latency(app, settings: Settings) -> None:
    for path in ("/health/ready", "/health"):
        response = await probe(app, path)
        assert response.status_code == 200
        report = response.json()
        assert report["status"] == "ok"
        assert report["checks"]["database"]["status"] == "ok"
        assert report["checks"]["database"]["latency_ms"] >= 0
        expected_redis = "ok" if settings.redis_url else "not configured"
        assert report["checks"]["redis"]["status"] == expected_redis
        assert report["jobs"] == {"backlog": 0, "oldest_seconds": None}


async def test_a_database_that_does_not_answer_makes_readiness_fail(
    settings: Settings, tmp_path
) -> None:
    broken = replace(settings, database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite")
    app = create_app(broken)
    response = await probe(app, "/health/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["database"]["status"] == "down"
    assert (await probe(app, "/health/live")).json() == {"status": "ok"}, "the process answers"


async def test_redis_down_is_degraded_not_failed(settings: Settings) -> None:
    app = create_app(replace(settings, redis_url=nothing_listening()))
    async with app.lifespan():  # starts without Redis
        response = await probe(app, "/health/ready")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "degraded"
        assert response.json()["checks"]["redis"]["status"] == "down"
        assert response.json()["checks"]["redis"]["error"]
        assert (await probe(app, "/health/live")).status_code == 200
        assert (await probe(app, "/static/css/parvis.css")).status_code == 200


async def test_every_page_carries_basic_security_headers(app) -> None:
    response = await probe(app, "/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
