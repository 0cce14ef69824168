"""The one door every notification goes through: no self-notification, one per event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.notify.models import Notification
from community.notify.services import notify
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def _kinds_for(world: World, member_id: int) -> list[str]:
    async with world.unit() as session:
        rows = await session.scalars(
            select(Notification.event_key).where(
                Notification.member_id == member_id, Notification.kind != "badge_earned"
            )
        )
        return [str(key) for key in rows.all()]


async def test_an_event_notifies_each_member_once_and_never_its_actor(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    thread = await world.thread("acme", asker)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", answerer)
        first = await notify(
            scope, [asker.id, answerer.id, asker.id], kind="agent_reply", text=thread.title,
            url=f"/t/{thread.id}", thread_id=thread.id, actor_id=answerer.id,
            event_key="answer:1",
        )  # fmt: skip
        again = await notify(
            scope, [asker.id], kind="agent_reply", text=thread.title, url=f"/t/{thread.id}",
            thread_id=thread.id, actor_id=answerer.id, event_key="answer:1",
        )  # fmt: skip
    assert (first, again) == (1, 0)
    assert await _kinds_for(world, asker.id) == ["answer:1"]
    assert await _kinds_for(world, answerer.id) == []
