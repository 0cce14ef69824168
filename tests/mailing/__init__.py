"""Helpers of the notification mail tests: notifications written through `notify()`, the
outbox read back, and a world whose jobs send to the test SMTP server."""

from __future__ import annotations

from sqlalchemy import select

from community.db import session_scope
from community.identity.models import Member
from community.mailing.models import MailOutboxRow, MailPreferences
from community.mailing.preferences import update_preferences
from community.notify.services import notify
from community.scope import Scope
from community.tenancy.services import tenant_info
from tests.conftest import World


async def notify_member(
    world: World, member: Member, *, kind: str = "agent_reply", text: str = "My router",
    tenant: str = "acme", thread_id: int | None = None, url: str = "/t/1/my-router",
    event_key: str | None = None,
) -> None:  # fmt: skip
    async with world.unit() as session:
        scope = Scope(session, await tenant_info(session, world.tenants[tenant]))
        await notify(scope, [member.id], kind=kind, text=text, url=url, thread_id=thread_id,
                     event_key=event_key)  # fmt: skip


async def outbox(world: World) -> list[MailOutboxRow]:
    async with session_scope(world.sessions) as session:
        rows = await session.scalars(select(MailOutboxRow).order_by(MailOutboxRow.id))
        return list(rows.all())


async def preferences(world: World, member: Member) -> MailPreferences:
    async with session_scope(world.sessions) as session:
        row = await session.scalar(
            select(MailPreferences).where(MailPreferences.member_id == member.id)
        )
        assert row is not None
        return row


async def choose(world: World, member: Member, **choices: str) -> None:
    async with world.unit() as session:
        scope = Scope(session, await tenant_info(session, member.tenant_id))
        await update_preferences(scope.acting_as(await session.merge(member)), choices)
