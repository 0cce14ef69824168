"""On PostgreSQL with real arq workers: a burst of 1,000 notifications, each mailed exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from litestar import Litestar

from community.db import session_scope
from community.mailing.models import MailState
from community.notify.services import notify
from community.scope import Scope
from community.tenancy.services import tenant_info
from tests.conftest import World, requires_postgres, requires_redis
from tests.ideas import add_members
from tests.mail_server import MailServer
from tests.mailing import outbox

pytestmark = [pytest.mark.anyio, requires_postgres, requires_redis]
MEMBERS, ANSWERS = 100, 10


async def test_a_burst_of_answers_mails_every_notification_once(
    world: World, app: Litestar, mail_server: MailServer
) -> None:
    members = await add_members(world, "follower", MEMBERS)
    tenant_id = world.tenants["acme"]

    async def answer(n: int) -> None:  # each answer notifies every follower, in its own commit
        async with session_scope(world.sessions, app.state.jobs) as session:
            scope = Scope(session, await tenant_info(session, tenant_id))
            await notify(scope, [m.id for m in members], kind="agent_reply", text=f"Answer {n}",
                         url=f"/t/1/burst#post-{n}", event_key=f"burst:{n}")  # fmt: skip

    await asyncio.gather(*(answer(n) for n in range(ANSWERS)))
    from workers.main import create_worker

    workers = [
        create_worker(app.state.settings, burst=True, handle_signals=False, poll_delay=0.05)
        for _ in range(2)
    ]  # two workers racing for the same queue
    try:
        await asyncio.gather(*(w.async_run() for w in workers))
    finally:
        for w in workers:
            await w.close()
    rows = await outbox(world)
    assert len(rows) == MEMBERS * ANSWERS
    assert Counter(row.state for row in rows) == {MailState.SENT: MEMBERS * ANSWERS}
    keys = Counter(m["X-Parvis-Mail"] for m in mail_server.received())
    assert len(keys) == MEMBERS * ANSWERS and set(keys.values()) == {1}
