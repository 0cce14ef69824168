"""Helpers shared by the moderation tests: switching moderation on, posting through the
services, reading back queue items, flags, notifications and audit entries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from community.db import bind_tenant, utcnow
from community.forums import services as forums
from community.forums.models import Category, Post, Thread, ThreadKind
from community.identity.models import Member, Role
from community.moderation.models import AuditEntry, Flag, QueueItem
from community.notify.models import Notification
from community.tenancy.models import Tenant
from tests.conftest import TRUSTING, Client, World

FAKE_HASH = "not-a-real-password-hash"  # members who never log in: no hashing cost


async def moderation_rules(world: World, tenant: str = "acme", **rules: Any) -> None:
    """Replace the tenant's moderation preferences (no arguments: the defaults)."""
    async with world.unit() as session:
        found = await session.get(Tenant, world.tenants[tenant])
        assert found is not None
        found.preferences = {"moderation": dict(rules)}


async def trusting(world: World, tenant: str = "acme", **rules: Any) -> None:
    """Only the checks on what is said: first posts, links and rate are trusted."""
    await moderation_rules(world, tenant, **(TRUSTING | rules))


async def premoderate(world: World, slug: str, tenant: str = "acme") -> None:
    async with world.unit() as session:
        bind_tenant(session, world.tenants[tenant])
        await session.execute(
            update(Category).where(Category.slug == slug).values(premoderated=True)
        )


async def quick_member(world: World, tenant: str, name: str, role: Role = Role.MEMBER) -> Member:
    """A member who never logs in (no password hashing)."""
    async with world.unit() as session:
        member = Member(
            tenant_id=world.tenants[tenant], email=f"{name.lower()}@example.com",
            display_name=name, password_hash=FAKE_HASH, role=role,
        )  # fmt: skip
        session.add(member)
        await session.flush()
        return member


async def ask(
    world: World, author: Member, title: str, body: str, *, category: str = "general",
    tenant: str = "acme",
) -> Thread:  # fmt: skip
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.merge(author))
        return await forums.create_thread(
            scope, category_slug=category, title=title, body=body, kind=ThreadKind.QUESTION
        )


async def reply(
    world: World, author: Member, thread: Thread, body: str, tenant: str = "acme"
) -> Post:
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.merge(author))
        return await forums.reply(scope, thread.id, body)


async def opening_post(world: World, thread: Thread) -> Post:
    async with world.unit() as session:
        found = await session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.number == 1)
        )
        assert found is not None
        return found


async def fetch(world: World, model: type[Any], row_id: int) -> Any:
    async with world.unit() as session:
        return await session.get(model, row_id, populate_existing=True)


async def item_of(world: World, post: Post) -> QueueItem | None:
    """The post's newest queue item, if it has one."""
    async with world.unit() as session:
        return await session.scalar(
            select(QueueItem).where(QueueItem.post_id == post.id).order_by(QueueItem.id.desc())
        )


async def queued(world: World, post: Post) -> QueueItem:
    item = await item_of(world, post)
    assert item is not None, "the post should be in the moderation queue"
    return item


async def backdate_item(
    world: World, item: QueueItem, *, created: timedelta, decided: timedelta | None = None
) -> None:
    """Move an item's creation (and decision) into the past, by these amounts before now."""
    now = utcnow()
    values: dict[str, datetime] = {"created_at": now - created}
    if decided is not None:
        values["decided_at"] = now - decided
    async with world.unit() as session:
        await session.execute(update(QueueItem).where(QueueItem.id == item.id).values(**values))


async def notifications(world: World, member: Member) -> list[tuple[str, str]]:
    """(kind, text) of the member's moderation notices (flags, held and removed posts),
    oldest first."""
    async with world.unit() as session:
        rows = await session.execute(
            select(Notification.kind, Notification.text)
            .where(
                Notification.member_id == member.id,
                Notification.kind.like("flag\\_%", escape="\\")
                | Notification.kind.like("post\\_%", escape="\\"),
            )
            .order_by(Notification.id)
        )
        return [(kind, text) for kind, text in rows.all()]


async def flags_on(world: World, post: Post) -> list[Flag]:
    async with world.unit() as session:
        return list(
            await session.scalars(select(Flag).where(Flag.post_id == post.id).order_by(Flag.id))
        )


async def audit_rows(world: World, tenant: str = "acme") -> list[AuditEntry]:
    async with world.unit() as session:
        bind_tenant(session, world.tenants[tenant])
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def logged_in(client_for: Any, email: str, host: str = "acme.test") -> Client:
    made: Client = client_for(host)
    await made.login(email)
    return made


def queue_item_html(page: str, item_id: int) -> str:
    """The HTML of one item on the queue page ('' when it is not there)."""
    found = re.search(
        rf'<article class="queue-item" id="item-{item_id}".*?</article>', page, re.DOTALL
    )
    return found.group(0) if found else ""


def post_html(page: str, post_id: int) -> str:
    """The HTML of one post on a thread page ('' when it is not there)."""
    found = re.search(rf'<article class="post[^"]*" id="p{post_id}".*?</article>', page, re.DOTALL)
    return found.group(0) if found else ""


def title_of(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    return found.group(1).strip() if found else ""
