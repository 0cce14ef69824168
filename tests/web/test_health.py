"""/health tells operators whether the database (and Redis) answer."""

from dataclasses import replace

import httpx
import pytest

from community.app import create_app
from community.config import Settings

pytestmark = pytest.mark.anyio


async def test_health_reports_ok(app, settings: Settings) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        response = await c.get("/health")
    assert response.status_code == 200
    expected_redis = "ok" if settings.redis_url else "not configured"
    assert response.json() == {"status": "ok", "database": "ok", "redis": expected_redis}


async def test_health_reports_a_database_that_does_not_answer(settings: Settings, tmp_path) -> None:
    broken = replace(settings, database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite")
    app = create_app(broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        response = await c.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"].startswith("error")


async def test_every_page_carries_basic_security_headers(app) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        response = await c.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
