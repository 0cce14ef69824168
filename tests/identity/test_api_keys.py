"""API keys: made on /admin/api-keys or through the API, used as `Authorization: Bearer`."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select

from community.app import create_app
from community.config import Settings
from community.db import utcnow
from community.forums.models import Post
from community.identity import api_keys
from community.identity.api_key_models import ApiKey
from community.identity.api_keys import KeyForm
from community.identity.models import Member, Role
from community.moderation.models import AuditEntry
from community.net.outbound import Outbound
from tests.conftest import Client, World, resolve_for_tests

pytestmark = pytest.mark.anyio

THREAD = {"category": "general", "title": "Router lights blink orange", "body": "What now?"}
TOKEN = re.compile(r'data-testid="made-key-token">(pvk_[^<]+)<')


async def make_key(
    world: World, admin: Member, scopes: tuple[str, ...], tenant: str = "acme", **kw: Any
) -> str:
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.get(Member, admin.id))
        made = await api_keys.create_key(scope, KeyForm("CRM", scopes, kw.get("expires_at")))
        return made.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def boss(world: World) -> Member:
    return await world.member("acme", "boss@acme.test", Role.ADMIN)


async def test_a_key_reads_and_writes_as_its_admin_without_csrf(
    client: Client, world: World, boss: Member
) -> None:
    token = await make_key(world, boss, ("read", "write"))
    created = await client.post("/api/v1/threads", json=THREAD, headers=bearer(token))
    assert created.status_code == 201, created.text
    assert "set-cookie" not in created.headers  # no session, and no CSRF cookie, for a key
    thread = await client.get(f"/api/v1/threads/{created.json()['id']}", headers=bearer(token))
    assert thread.json()["posts"][0]["author"]["id"] == boss.id


async def test_cookie_sessions_still_need_the_csrf_header(client: Client, boss: Member) -> None:
    await client.login("boss@acme.test")
    refused = await client.post("/api/v1/threads", json=THREAD)
    assert refused.status_code == 403 and "expired" in refused.json()["detail"]
    assert (await client.api_post("/api/v1/threads", THREAD)).status_code == 201


async def test_a_bearer_request_never_uses_the_cookie_session(
    client: Client, world: World, boss: Member
) -> None:
    await client.login("boss@acme.test")  # an admin's browser session rides along
    token = await make_key(world, boss, ("read",))
    admin_only = await client.get("/api/v1/admin/categories", headers=bearer(token))
    assert admin_only.status_code == 403 and "admin" in admin_only.json()["detail"]
    wrong = await client.get("/api/v1/admin/categories", headers=bearer("pvk_0000_nope"))
    assert wrong.status_code == 401  # not the session's answer
    assert (await client.get("/api/v1/admin/categories")).status_code == 200  # the session


async def refused(client: Client, token: str) -> None:
    answer = await client.get("/api/v1/threads", headers=bearer(token))
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert "invalid_token" in answer.headers["www-authenticate"]
    assert answer.json()["detail"]


async def test_expired_revoked_foreign_and_malformed_keys_are_refused(
    client: Client, client_for: Any, world: World, boss: Member
) -> None:
    token = await make_key(world, boss, ("read",))
    assert (await client.get("/api/v1/threads", headers=bearer(token))).status_code == 200
    await refused(client_for("globex.test"), token)  # acme's key, on globex's host
    await refused(client, token[:-1] + ("A" if token[-1] != "A" else "B"))  # a wrong secret
    await refused(client, "pvk_abc")
    async with world.unit() as session:  # the key expires: a minute ago
        key = await session.scalar(select(ApiKey))
        assert key is not None
        key.expires_at = utcnow() - timedelta(minutes=1)
    await refused(client, token)
    other = await make_key(world, boss, ("read",))
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, boss.id))
        newest = (await api_keys.list_keys(scope))[0]
        await api_keys.revoke_key(scope, newest.id)
    await refused(client, other)


async def test_a_key_stops_when_its_admin_is_no_longer_admin(
    client: Client, world: World, boss: Member
) -> None:
    token = await make_key(world, boss, ("read",))
    async with world.unit() as session:
        member = await session.get(Member, boss.id)
        assert member is not None
        member.role = Role.MEMBER
    answer = await client.get("/api/v1/threads", headers=bearer(token))
    assert answer.status_code == 401 and "no longer an admin" in answer.json()["detail"]


async def test_scopes_cap_the_admins_permissions(
    client: Client, world: World, boss: Member
) -> None:
    """A write key accepts answers only where its admin could as a plain member."""
    ann = await world.member("acme", "ann@acme.test")
    thread = await world.thread("acme", ann, replies=1)
    async with world.unit() as session:
        reply = await session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.number == 2)
        )
    token = await make_key(world, boss, ("write",))
    answer = await client.post(f"/api/v1/posts/{reply}/accept", headers=bearer(token))
    assert answer.status_code == 403, answer.text
    staff = await make_key(world, boss, ("write", "moderate"))
    assert (await client.post(f"/api/v1/posts/{reply}/accept", headers=bearer(staff))).is_success


async def test_requests_are_rate_limited_per_key(
    settings: Settings, world: World, boss: Member, client_for: Any
) -> None:
    app = create_app(
        replace(settings, api_key_requests_per_minute=3),
        Outbound.from_settings(settings, resolve_for_tests),
    )
    async with app.lifespan():
        client = Client(transport=_transport(app), base_url="http://acme.test")
        token, other = (
            await make_key(world, boss, ("read",)),
            await make_key(world, boss, ("read",)),
        )
        answers = [await client.get("/api/v1/tags", headers=bearer(token)) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert "Too many" in answers[-1].json()["detail"]
        assert (await client.get("/api/v1/tags", headers=bearer(other))).status_code == 200


def _transport(app: Litestar) -> Any:
    import httpx

    return httpx.ASGITransport(app=app)


async def test_changes_made_with_a_key_are_audited_by_key(
    client: Client, world: World, boss: Member
) -> None:
    token = await make_key(world, boss, ("write", "admin"))
    made = await client.post(
        "/api/v1/admin/categories", json={"name": "Firmware"}, headers=bearer(token)
    )
    assert made.status_code == 201, made.text
    await client.post("/api/v1/threads", json=THREAD, headers=bearer(token))
    await client.get("/api/v1/threads", headers=bearer(token))  # reads are not audited
    async with world.unit() as session:
        key = await session.scalar(select(ApiKey))
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert key is not None
    by_key = [(e.action, e.actor_id, (e.after or {}).get("path")) for e in entries if e.api_key_id]
    assert by_key == [
        ("category.create", boss.id, None),
        ("api_key.request", boss.id, "/api/v1/admin/categories"),
        ("api_key.request", boss.id, "/api/v1/threads"),
    ]
    await client.login("boss@acme.test")
    page = (await client.get("/admin/audit")).text
    assert f"CRM (pvk_{key.prefix})" in page


async def test_the_key_is_shown_once_and_stored_hashed(client: Client, boss: Member) -> None:
    await client.login("boss@acme.test")
    made = await client.submit(
        "/admin/api-keys", {"name": "Warehouse", "scopes": ["read"], "expires_on": ""}
    )
    assert made.status_code == 200, made.text
    assert made.headers["cache-control"] == "no-store"
    token = TOKEN.search(made.text)[1]  # type: ignore[index]
    prefix = token.split("_")[1]
    again = await client.get("/admin/api-keys")
    assert f"pvk_{prefix}_…" in again.text and token not in again.text
    listed = (await client.get("/api/v1/admin/api-keys")).json()
    assert listed[0]["prefix"] == prefix and token not in str(listed)
    assert set(listed[0]) >= {"name", "scopes", "created_at", "last_used_at", "expires_at"}
    assert (await client.get("/api/v1/tags", headers=bearer(token))).status_code == 200
    used = (await client.get("/api/v1/admin/api-keys")).json()[0]
    assert used["last_used_at"] is not None


async def test_the_api_makes_and_revokes_keys(client: Client, boss: Member) -> None:
    await client.login("boss@acme.test")
    made = await client.api_post("/api/v1/admin/api-keys", {"name": "Bot", "scopes": ["read"]})
    assert made.status_code == 201, made.text
    token, key_id = made.json()["key"], made.json()["api_key"]["id"]
    assert token.startswith("pvk_") and "secret_hash" not in made.json()["api_key"]
    bad = await client.api_post("/api/v1/admin/api-keys", {"name": "", "scopes": ["sudo"]})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"name", "scopes"}
    past = await client.api_post(
        "/api/v1/admin/api-keys",
        {"name": "Old", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00Z"},
    )
    assert past.status_code == 422 and "expires_at" in past.json()["errors"]
    revoke = await client.request(
        "DELETE", f"/api/v1/admin/api-keys/{key_id}", headers={"x-csrftoken": client.csrf()}
    )
    assert revoke.status_code == 204
    assert (await client.get("/api/v1/tags", headers=bearer(token))).status_code == 401


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"name": "CRM", "expires_on": ""}, "scopes", "Choose at least one scope."),
        ({"name": "CRM", "scopes": ["read"], "expires_on": "2020-01-01"}, "expires_at",
         "The expiry must be in the future."),
        ({"name": "CRM", "scopes": ["read"], "expires_on": "soon"}, "expires_at",
         "Give the expiry as a date (YYYY-MM-DD), or leave it empty."),
        ({"name": " ", "scopes": ["read"]}, "name", "Give the key a name"),
    ],
)  # fmt: skip
async def test_the_page_marks_what_is_wrong(
    client: Client, boss: Member, typed: dict[str, Any], field: str, message: str
) -> None:
    await client.login("boss@acme.test")
    answer = await client.submit("/admin/api-keys", typed)
    assert answer.status_code == 422
    assert (message in answer.text and 'aria-invalid="true"' in answer.text) or field == "scopes"
    assert f'id="key-{field.split("_")[0]}-error"' in answer.text
    assert 'value="CRM"' in answer.text or typed["name"] != "CRM"  # what was typed stays
    assert "made-key-token" not in answer.text


async def test_members_and_moderators_cannot_manage_keys(client: Client, world: World) -> None:
    await world.member("acme", "mod@acme.test", Role.MODERATOR)
    await client.login("mod@acme.test")
    assert (await client.get("/admin/api-keys")).status_code == 403
    assert (await client.get("/api/v1/admin/api-keys")).status_code == 403


async def test_the_openapi_description_names_the_scheme_and_each_scope(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    scheme = schema["components"]["securitySchemes"]["apiKey"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    paths = schema["paths"]
    assert {"apiKey": ["read"]} in paths["/api/v1/threads"]["get"]["security"]
    assert {"apiKey": ["write"]} in paths["/api/v1/threads"]["post"]["security"]
    assert {"apiKey": ["moderate"]} in paths["/api/v1/mod/queue"]["get"]["security"]
    assert {"apiKey": ["admin"]} in paths["/api/v1/admin/api-keys"]["post"]["security"]
    for path, operations in paths.items():
        if path.startswith("/api/"):
            for method, operation in operations.items():
                assert any("apiKey" in s for s in operation["security"]), (method, path)
