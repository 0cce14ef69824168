"""Every /api/ route of the app, taken from its route table, with a key of each scope: the
scope the route needs is let through, every other is refused with a 403 naming it. Routes
other branches add later are walked the same way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from community.identity import api_keys
from community.identity.api_keys import KeyForm
from community.identity.models import Member, Role
from community.identity.permissions import ApiScope
from community.web.bearer import required_scope
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

PARAMETER = re.compile(r"\{(\w+):(\w+)\}")
SAMPLES = {"int": "987654", "str": "general"}  # no such id: no route changes anything
# The key's admin's own account: erasing it would end the walk (its scope is still checked).
NOT_CALLED_WITH_THE_RIGHT_SCOPE = {("DELETE", "/api/v1/members/me")}


def api_operations(app: Litestar) -> list[tuple[str, str, str]]:
    """(method, path template, a path to call) of every /api/ operation, OPTIONS aside."""
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            path = PARAMETER.sub(lambda m: SAMPLES[m[2]], route.path)
            for handler in route.route_handlers:
                found += [(m, route.path, path) for m in handler.http_methods if m != "OPTIONS"]
    return sorted(found)


def test_the_rule_gives_each_kind_of_route_its_scope() -> None:
    assert required_scope("GET", "/api/v1/threads") is ApiScope.READ
    assert required_scope("HEAD", "/api/v1/threads/{thread_id:int}") is ApiScope.READ
    assert required_scope("POST", "/api/v1/threads") is ApiScope.WRITE
    assert required_scope("DELETE", "/api/v1/ideas/{idea_id:int}/vote") is ApiScope.WRITE
    assert required_scope("GET", "/api/v1/mod/queue") is ApiScope.MODERATE
    assert required_scope("POST", "/api/v1/posts/{post_id:int}/certify") is ApiScope.MODERATE
    assert required_scope("GET", "/api/v1/admin/categories") is ApiScope.ADMIN
    assert required_scope("PUT", "/api/v1/members/{member_id:int}/role") is ApiScope.ADMIN
    assert required_scope("GET", "/api/v1/administrators") is ApiScope.READ  # whole segments
    assert required_scope("POST", "/api/v1/x", {"api_key_scope": "admin"}) is ApiScope.ADMIN


async def test_every_api_route_takes_only_keys_with_its_scope(
    app: Litestar, client: Client, world: World
) -> None:
    boss = await world.member("acme", "boss@acme.test", Role.ADMIN)
    tokens = {s: await _key(world, boss, s) for s in ApiScope}
    operations = api_operations(app)
    assert len(operations) > 50  # the walk sees the whole API
    needs: dict[ApiScope, int] = dict.fromkeys(ApiScope, 0)
    for method, template, path in operations:
        needed = required_scope(method, template)
        needs[needed] += 1
        for scope, token in tokens.items():
            if scope is needed and (method, template) in NOT_CALLED_WITH_THE_RIGHT_SCOPE:
                continue
            answer = await client.request(method, path, json={}, headers=_bearer(token))
            where = f"{method} {template} with a {scope} key: {answer.status_code} {answer.text}"
            if scope is needed:
                assert answer.status_code not in {401, 403, 429}, where
                assert answer.status_code < 500, where
            else:
                assert answer.status_code == 403, where
                assert f"“{needed.value}”" in answer.json()["detail"], where
    assert all(needs.values()), needs  # each scope guards some routes


async def test_a_read_key_is_refused_on_every_write(
    app: Litestar, client: Client, world: World
) -> None:
    boss = await world.member("acme", "boss@acme.test", Role.ADMIN)
    token = await _key(world, boss, ApiScope.READ)
    for method, _, path in api_operations(app):
        if method in {"GET", "HEAD"}:
            continue
        answer = await client.request(method, path, json={}, headers=_bearer(token))
        assert answer.status_code == 403, f"{method} {path}: {answer.status_code}"
        assert "insufficient_scope" in answer.headers["www-authenticate"]


async def _key(world: World, admin: Member, scope: ApiScope) -> str:
    async with world.unit() as session:
        here = await world.scope(session, "acme", await session.get(Member, admin.id))
        made = await api_keys.create_key(here, KeyForm(f"{scope} key", (scope.value,)))
        return made.token


def _bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
