"""How errors reach people: a rate limit says when to come back, on pages and in JSON."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency

from community import limits
from community.limits import Rule
from community.scope import Scope
from tests.conftest import World

pytestmark = pytest.mark.anyio

ONCE_AN_HOUR = Rule(limit=1, period=3600)


@get("/api/v1/test/limited")
async def limited_api(here: NamedDependency[Scope]) -> dict[str, str]:
    await limits.hit(here, "test", "key", ONCE_AN_HOUR)
    return {"ok": "yes"}


@get("/test/limited")
async def limited_page(here: NamedDependency[Scope]) -> str:
    await limits.hit(here, "test", "key", ONCE_AN_HOUR)
    return "ok"


@pytest.fixture
def limited_app(app: Litestar) -> Litestar:
    app.register(limited_api)
    app.register(limited_page)
    app.state.limits.clock = lambda: 1_800_000_000.0 + 3600 - 90  # 90 s before the hour
    return app


async def test_a_rate_limited_api_call_answers_429_with_retry_after(
    limited_app: Litestar, client_for: Any, world: World
) -> None:
    client = client_for("acme.test")
    assert (await client.get("/api/v1/test/limited")).status_code == 200
    refused = await client.get("/api/v1/test/limited")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "90"
    assert refused.json() == {
        "status_code": 429,
        "detail": "Too many attempts: try again in 2 minutes.",
    }


async def test_a_rate_limited_page_says_when_in_the_communitys_language(
    limited_app: Litestar, client_for: Any, world: World
) -> None:
    client = client_for("globex.test")
    await client.get("/test/limited")
    refused = await client.get("/test/limited")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "90"
    assert "Trop de tentatives : réessayez dans 2 minutes." in refused.text
