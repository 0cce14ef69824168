"""Notification mail at a real SMTP server: sent once, when and how the member chose."""

from __future__ import annotations

import asyncio

import pytest

from community.config import Settings
from community.jobs import InProcessQueue
from community.mailing import outbox as mail_outbox
from community.mailing.models import MailState
from tests.conftest import TEST_OUTBOUND, World
from tests.mail_server import MailServer, html_of, text_of
from tests.mailing import choose, notify_member, outbox, preferences

pytestmark = pytest.mark.anyio
ANN = "ann@example.com"


async def test_a_direct_notification_is_mailed_at_once_with_one_click_unsubscribe(
    mailing: World, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    await notify_member(mailing, ann, text="My router blinks", url="/t/4/router#post-2")
    [mail] = mail_server.received(to=ANN)
    assert (
        mail["Subject"]
        == "Customer service answered your question “My router blinks” · Acme Community"
    )
    assert "http://acme.test/t/4/router#post-2" in text_of(mail)
    assert "http://acme.test/t/4/router#post-2" in html_of(mail)
    token = (await preferences(mailing, ann)).token
    assert (
        mail["List-Unsubscribe"] == f"<http://acme.test/mail/unsubscribe/{token}?kind=agent_reply>"
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = await outbox(mailing)
    assert (row.state, row.attempts) == (MailState.SENT, 1)


async def test_the_mail_speaks_the_members_community_language(
    mailing: World, mail_server: MailServer
) -> None:
    jean = await mailing.member("globex", "jean@example.com")
    await notify_member(mailing, jean, tenant="globex", text="Ma box")
    [mail] = mail_server.received(to="jean@example.com")
    assert mail["Subject"].startswith("Le service client a répondu à votre question « Ma box »")
    assert "Bonjour" in text_of(mail)


async def test_nothing_is_mailed_to_a_member_who_chose_never(
    mailing: World, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    await choose(mailing, ann, agent_reply="never")
    await notify_member(mailing, ann)
    await notify_member(mailing, ann, kind="case_resolved")  # another kind still goes
    [mail] = mail_server.received(to=ANN)
    assert "resolved your question" in mail["Subject"]


async def test_a_job_run_again_sends_nothing_twice(
    mailing: World, mail_server: MailServer, settings: Settings
) -> None:
    ann = await mailing.member("acme", ANN)
    await notify_member(mailing, ann)
    [row] = await outbox(mailing)
    again = await mail_outbox.deliver(mailing.sessions, mailing.jobs, row.id, settings.delivery)
    assert again is None  # sent already: not ours to send
    assert await mail_outbox.redrive(mailing.sessions, mailing.jobs) == 0
    await mailing.jobs.drain()
    assert len(mail_server.received(to=ANN)) == 1


async def test_two_workers_racing_for_one_mail_send_it_once(
    mailing: World, mail_server: MailServer, settings: Settings
) -> None:
    ann = await mailing.member("acme", ANN)
    mailing.jobs = InProcessQueue(mailing.sessions, {}, settings.delivery, TEST_OUTBOUND)
    await notify_member(mailing, ann)  # no task to run the job: the row stays pending
    [row] = await outbox(mailing)
    assert row.state is MailState.PENDING
    racing = [
        mail_outbox.deliver(mailing.sessions, mailing.jobs, row.id, settings.delivery)
        for _ in range(3)
    ]
    outcomes = await asyncio.gather(*racing)
    assert outcomes.count(MailState.SENT) == 1 and outcomes.count(None) == 2
    assert len(mail_server.received(to=ANN)) == 1


async def test_a_server_that_says_try_later_gets_the_mail_on_a_retry(
    mailing: World, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    mail_server.refuse(ANN, code=451, times=2)
    await notify_member(mailing, ann)
    [row] = await outbox(mailing)
    assert (row.state, row.attempts) == (MailState.SENT, 3)
    assert len(mail_server.received(to=ANN)) == 1


async def test_an_address_refused_again_and_again_stops_being_mailed(
    mailing: World, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    mail_server.refuse(ANN, code=550)
    for n in range(4):
        await notify_member(mailing, ann, text=f"Question {n}")
    states = [row.state for row in await outbox(mailing)]
    assert states == [MailState.FAILED] * 3 + [MailState.SKIPPED]
    assert (await preferences(mailing, ann)).bounces == 3


async def test_without_smtp_the_mail_is_written_to_the_log(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    ann = await world.member("acme", ANN)  # the world's jobs have no PARVIS_SMTP_URL, as the demo
    with caplog.at_level("INFO", logger="community.mailing.outbox"):
        await notify_member(world, ann, text="My router blinks", url="/t/4/router#post-2")
    assert "http://acme.test/t/4/router#post-2" in caplog.text
    [row] = await outbox(world)
    assert row.state is MailState.SENT
