"""Tenant isolation, proved below the services and through every route.

Both demo communities are seeded (they use every capability), then:
- every tenant-owned model is queried from one tenant's session: only its rows come back,
  whether asked for all rows, by another tenant's primary key, or changed by UPDATE;
- a session of one tenant refuses to write a row of another;
- every route of the app is called by the first community's admin with ids of the second
  community's rows: each answers 404 (or 401/403), and the second community's rows are
  exactly as they were.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import community.models  # noqa: F401  (every model, so the sweep below misses none)
from community.db import (
    ALL_TENANTS,
    Base,
    CrossTenantWrite,
    TenantOwned,
    bind_tenant,
)
from community.demo.seed import DEMO_PASSWORD
from community.escalation.models import Escalation, EscalationTarget
from community.forums.models import Category, Post, Thread
from community.ideas.models import Idea
from community.identity.api_key_models import ApiKey
from community.identity.models import Member, MemberSession
from community.moderation.models import Flag, QueueItem
from community.notify.models import Notification
from community.search.models import SearchQueueItem
from community.tags.models import Tag
from community.tenancy.models import Tenant, TenantDomain
from community.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.conftest import Client

pytestmark = pytest.mark.anyio

HOME, OTHER = "horizon", "northwind"
HOME_HOST, HOME_ADMIN = "localhost", "admin@horizon.example"

TENANT_MODELS = sorted(
    (m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)),
    key=lambda cls: cls.__name__,
)

# What each integer path parameter of a route names: the walk fills it with an id of the
# other community's rows. A new route with a new parameter name fails until it is listed.
PATH_MODELS: dict[str, type[Any]] = {
    "thread_id": Thread,
    "post_id": Post,
    "idea_id": Idea,
    "original_id": Idea,
    "member_id": Member,
    "item_id": QueueItem,
    "flag_id": Flag,
    "escalation_id": Escalation,
    "target_id": EscalationTarget,
    "notification_id": Notification,
    "category_id": Category,
    "session_id": MemberSession,
    "tag_id": Tag,
    "domain_id": TenantDomain,
    "subscription_id": WebhookSubscription,
    "delivery_id": WebhookDelivery,
    "key_id": ApiKey,
    # Old Stack Exchange numbers (imported URLs): the other community's numbers must not resolve.
    "source_id": Post,
    "user_id": Member,
}
PARAM = re.compile(r"\{(\w+):(\w+)\}")


async def _tenant_ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(select(Tenant.slug, Tenant.id))
        return {slug: tenant_id for slug, tenant_id in rows.all()}


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """The demo communities' tenant ids by slug."""
    return await _tenant_ids(sessions)


async def _ids_of(session: AsyncSession, model: type[Any], tenant_id: int) -> list[int]:
    """Cross-tenant on purpose: the test needs the other community's ids to try them."""
    query = select(model.id).where(model.tenant_id == tenant_id).order_by(model.id)
    return list(await session.scalars(query, execution_options=ALL_TENANTS))


async def _queue_a_thread(sessions: async_sessionmaker[AsyncSession], tenants: list[int]) -> None:
    async with sessions() as session:
        session.add_all(SearchQueueItem(tenant_id=t, thread_id=1, reason="test") for t in tenants)
        await session.commit()


# Rows the demo has no reason to hold (an import, an uploaded logo, follows and announcements
# its members have not made yet): one is made in each community from its own rows.
MADE_HERE = {"Announcement", "AnnouncementCategory", "BrandAsset", "CategoryFollow",
             "FollowPreference", "ImportRecord", "TagFollow"}  # fmt: skip
PLAIN_VALUES: dict[type, Any] = {str: "isolation", int: 1, bytes: b"x", dict: {}, bool: False}


async def _make_one_each(
    sessions: async_sessionmaker[AsyncSession], model: type[Any], tenants: list[int]
) -> None:
    async with sessions() as session:
        for tenant_id in tenants:
            await _make_in(session, model, tenant_id)
        await session.commit()


async def _make_in(session: AsyncSession, model: type[Any], tenant_id: int) -> None:
    values: dict[str, Any] = {"tenant_id": tenant_id}
    for column in model.__table__.columns:
        if column.name in values or column.primary_key or column.nullable:
            continue
        if column.default is not None or column.server_default is not None:
            continue
        values[column.name] = await _value_for(session, column, tenant_id)
    await session.execute(insert(model.__table__).values(values))


async def _value_for(session: AsyncSession, column: Any, tenant_id: int) -> Any:
    foreign = next(iter(column.foreign_keys), None)
    if foreign is None:
        kind = column.type.python_type
        return next(iter(kind)) if issubclass(kind, enum.Enum) else PLAIN_VALUES[kind]
    table = foreign.column.table
    query = select(foreign.column).order_by(foreign.column).limit(1)
    if "tenant_id" in table.c:
        query = query.where(table.c.tenant_id == tenant_id)
    found = await session.scalar(query, execution_options=ALL_TENANTS)
    made_here = {m.__table__.name: m for m in TENANT_MODELS if m.__name__ in MADE_HERE}  # type: ignore[attr-defined]
    if found is None and table.name in made_here:  # e.g. an announcement's category row
        await _make_in(session, made_here[table.name], tenant_id)
        found = await session.scalar(query, execution_options=ALL_TENANTS)
    return found


async def test_every_tenant_table_is_a_tenant_owned_model() -> None:
    owned = {cls.__table__.name for cls in TENANT_MODELS}  # type: ignore[attr-defined]
    with_tenant_column = {t.name for t in Base.metadata.tables.values() if "tenant_id" in t.c}
    # tenant_domains is read across tenants by design: it is how a Host finds its tenant.
    assert with_tenant_column - {"tenant_domains"} == owned


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda cls: cls.__name__)
async def test_a_tenant_session_sees_only_its_own_rows(
    demo: dict[str, int], sessions: async_sessionmaker[AsyncSession], model: type[Any]
) -> None:
    home, other = demo[HOME], demo[OTHER]
    if model is SearchQueueItem:  # drained once the index has the change: make one each
        await _queue_a_thread(sessions, [home, other])
    async with sessions() as session:
        theirs = await _ids_of(session, model, other)
        mine = await _ids_of(session, model, home)
    if not (mine and theirs) and model.__name__ in MADE_HERE:
        await _make_one_each(sessions, model, [home, other])
        async with sessions() as session:
            theirs = await _ids_of(session, model, other)
            mine = await _ids_of(session, model, home)
    assert mine and theirs, f"the demo seeds no {model.__name__} in one of the communities"

    async with sessions() as session:
        bind_tenant(session, home)
        rows = list(await session.scalars(select(model)))
        assert sorted(row.id for row in rows) == mine
        assert {row.tenant_id for row in rows} == {home}
        assert await session.get(model, theirs[0]) is None
        assert list(await session.scalars(select(model.id).where(model.id.in_(theirs)))) == []
        changed = await session.execute(
            update(model).where(model.id.in_(theirs)).values(tenant_id=model.tenant_id)
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        await session.rollback()


async def test_relationship_loads_stay_in_the_tenant(
    demo: dict[str, int], sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        bind_tenant(session, demo[HOME])
        joined = await session.scalars(
            select(Post.tenant_id)
            .join(Thread, Post.thread_id == Thread.id)
            .join(Member, Post.author_id == Member.id)
        )
        assert set(joined) == {demo[HOME]}


async def test_a_tenant_session_refuses_to_write_another_tenants_row(
    demo: dict[str, int], sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        bind_tenant(session, demo[HOME])
        session.add(Category(tenant_id=demo[OTHER], slug="smuggled", name="Smuggled"))
        with pytest.raises(CrossTenantWrite):
            await session.flush()
        await session.rollback()
        session.add(Category(slug="mine", name="Mine", position=99))
        await session.flush()
        made = await session.scalar(select(Category).where(Category.slug == "mine"))
        assert made is not None and made.tenant_id == demo[HOME]
        await session.rollback()


# ---- every route, with the other community's ids ---------------------------------------------


async def _snapshot(sessions: async_sessionmaker[AsyncSession], tenant_id: int) -> dict[str, Any]:
    """Every row the tenant owns, column by column."""
    snapshot: dict[str, Any] = {}
    async with sessions() as session:
        bind_tenant(session, tenant_id)
        for model in TENANT_MODELS:
            columns = [c.key for c in inspect(model).column_attrs]
            rows = await session.scalars(select(model).order_by(model.id))
            snapshot[model.__name__] = [[getattr(r, c) for c in columns] for r in rows]
    return snapshot


def _calls(app: Litestar) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(method, path template, its parameters) for every route handler of the app."""
    calls = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "{" not in route.path:
            continue
        params = PARAM.findall(route.path)
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                calls.append((method, route.path, params))
    return calls


# One body that satisfies every write's shape, so each request reaches its tenant lookup.
BODY = {
    "body": "A reply long enough to pass every check.",
    "note": "Checked.",
    "title": "A title long enough",
    "value": 1,
    "reason": "spam",
    "status": "planned",
    "response": "We are on it.",
    "action": "approve",
    "role": "member",
    "days": 1,
    "into": 1,
    "level": "watching",
    "name": "A category",
    "archived": False,
}


async def _try(client: Client, method: str, url: str) -> int:
    token = await client.ensure_csrf()
    if method == "GET":
        return (await client.get(url)).status_code
    if url.startswith("/api/"):
        headers = {"x-csrftoken": token}
        sent = await client.request(method, url, json=BODY, headers=headers)
    else:
        sent = await client.request(method, url, data={"_csrf_token": token, **BODY})
    return sent.status_code


async def test_every_route_refuses_the_other_communitys_ids(
    demo: dict[str, int],
    sessions: async_sessionmaker[AsyncSession],
    app: Litestar,
    client_for: Any,
) -> None:
    other = demo[OTHER]
    async with sessions() as session:
        ids = {name: await _ids_of(session, model, other) for name, model in PATH_MODELS.items()}
    before = await _snapshot(sessions, other)
    client: Client = client_for(HOME_HOST)
    await client.login(HOME_ADMIN, DEMO_PASSWORD)

    answers: dict[str, int] = {}
    for method, path, params in _calls(app):
        url = path
        for name, kind in params:
            if kind == "path":
                value = "anything"
            elif kind == "int":
                assert name in PATH_MODELS, f"{path}: which model does {{{name}}} name?"
                assert ids[name], f"the demo seeds no {PATH_MODELS[name].__name__} to try"
                value = str(ids[name][-1])
            else:
                value = "nowhere-in-this-community"
            url = url.replace(f"{{{name}:{kind}}}", value)
        answers[f"{method} {url}"] = await _try(client, method, url)

    assert len(answers) >= 60, "the walk lost its routes"
    leaks = {call: status for call, status in answers.items() if status not in {401, 403, 404}}
    assert not leaks, f"answered with the other community's ids: {leaks}"
    assert await _snapshot(sessions, other) == before
