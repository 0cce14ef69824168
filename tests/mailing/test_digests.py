"""Daily and weekly digests: what the member has not seen, topped up when there is little."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from community.db import session_scope, utcnow
from community.mailing.digests import queue_digests
from community.notify.models import Notification
from tests.conftest import World
from tests.mail_server import MailServer, text_of
from tests.mailing import choose, notify_member

pytestmark = pytest.mark.anyio
ANN = "ann@example.com"


async def digest_now(world: World, after: timedelta) -> int:
    queued = await queue_digests(world.sessions, world.jobs, utcnow() + after)
    await world.jobs.drain()
    return queued


async def test_a_daily_digest_gathers_the_days_notifications_once(
    mailing: World, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    # Her first question earns a badge: that notice is not what this test waits for.
    await choose(mailing, ann, agent_reply="daily", badge_earned="never")
    await mailing.thread("acme", ann, title="Which cable for the fibre box?")
    await notify_member(mailing, ann, text="Router lights")
    await notify_member(mailing, ann, text="Wi-Fi drops", url="/t/9/wifi")
    assert mail_server.received(to=ANN) == []  # waits for the digest
    assert await digest_now(mailing, timedelta(hours=1)) == 0  # not a day old yet
    assert await digest_now(mailing, timedelta(days=1, minutes=1)) == 1
    [digest] = mail_server.received(to=ANN)
    assert digest["Subject"] == "Your day on Acme Community"
    body = text_of(digest)
    assert "Router lights" in body and "http://acme.test/t/9/wifi" in body
    assert "Which cable for the fibre box?" in body  # little to tell: topped up
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert await digest_now(mailing, timedelta(days=1, minutes=2)) == 0
    assert len(mail_server.received(to=ANN)) == 1


async def test_no_digest_when_there_is_nothing_unread(
    mailing: World, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    await mailing.member("acme", "bob@example.com")
    await choose(mailing, ann, agent_reply="weekly")
    await notify_member(mailing, ann)
    async with session_scope(mailing.sessions) as session:
        await session.execute(update(Notification).values(read_at=utcnow()))
    assert await digest_now(mailing, timedelta(days=8)) == 0
    assert mail_server.received() == []


async def test_a_weekly_digest_waits_a_week(mailing: World, mail_server: MailServer) -> None:
    ann = await mailing.member("acme", ANN)
    await choose(mailing, ann, agent_reply="weekly")
    await notify_member(mailing, ann, text="Router lights")
    assert await digest_now(mailing, timedelta(days=2)) == 0
    assert await digest_now(mailing, timedelta(days=7, minutes=1)) == 1
    [digest] = mail_server.received(to=ANN)
    assert digest["Subject"] == "Your week on Acme Community"
