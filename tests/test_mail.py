"""The mail port against a real SMTP server (aiosmtpd on 127.0.0.1): what a member receives,
and what happens to a mail while the server is down or refuses it."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select, update

from community.config import DeliveryOptions
from community.db import session_scope, utcnow
from community.jobs import InProcessQueue, sweep_jobs
from community.jobstore import MAX_ATTEMPTS, QueuedJob
from community.mail import SmtpServer, send_mail
from community.scope import Scope
from community.tasks import TASKS
from community.tenancy.models import Tenant
from community.tenancy.services import tenant_info
from tests.conftest import TEST_DELIVERY, TEST_OUTBOUND, World
from tests.mail_server import MailServer, _Keeper, free_port, html_of, link_in, text_of

pytestmark = pytest.mark.anyio

LINK = "http://acme.test/account/verify/abc"


def queue_for(world: World, delivery: DeliveryOptions) -> InProcessQueue:
    return InProcessQueue(world.sessions, TASKS, delivery, TEST_OUTBOUND)


async def mail_one(world: World, jobs: InProcessQueue, tenant: str = "acme", **given: Any) -> None:
    """send_mail in one unit of work, as a service would; its job has run on return."""
    async with session_scope(world.sessions, jobs) as session:
        scope = Scope(session, await tenant_info(session, world.tenants[tenant]))
        await send_mail(
            scope, to="ann@example.com", template="verify_email",
            context={"name": "Ann <b>", "link": LINK}, **given,
        )  # fmt: skip
    await jobs.drain()


async def kept_jobs(world: World) -> list[QueuedJob]:
    async with session_scope(world.sessions) as session:
        return list(await session.scalars(select(QueuedJob).where(QueuedJob.name == "send_mail")))


def smtp(server: MailServer | str) -> DeliveryOptions:
    url = server if isinstance(server, str) else server.url
    return replace(TEST_DELIVERY, smtp_url=url, mail_from="Parvis <no-reply@parvis.test>")


async def test_a_mail_is_plain_text_and_html_branded_with_the_community(
    world: World, mail_server: MailServer
) -> None:
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant is not None
        tenant.theme = {"primary": "#c2185b", "logo_text": "Acme Help"}
    await mail_one(world, queue_for(world, smtp(mail_server)))
    [message] = mail_server.received(to="ann@example.com")
    assert message.get_content_type() == "multipart/alternative"
    assert str(message["From"]) == "Acme Community <no-reply@parvis.test>"
    assert message["Subject"] == "Confirm your email address for Acme Community"
    assert "Hello Ann <b>," in text_of(message)
    assert link_in(message, "/account/verify/") == "/account/verify/abc"
    html = html_of(message)
    assert "Hello Ann &lt;b&gt;," in html, "what members typed is escaped in HTML"
    assert "background:#c2185b" in html and "Acme Help" in html
    assert f'href="{LINK}"' in html
    assert await kept_jobs(world) == [], "a sent mail's job is done"


async def test_the_locale_given_wins_over_the_communitys(
    world: World, mail_server: MailServer
) -> None:
    jobs = queue_for(world, smtp(mail_server))
    await mail_one(world, jobs, tenant="globex")
    await mail_one(world, jobs, tenant="globex", locale="en")
    french, english = mail_server.received()
    assert french["Subject"] == "Confirmez votre adresse e-mail pour Globex Community"
    assert english["Subject"] == "Confirm your email address for Globex Community"


async def test_without_an_smtp_server_the_mail_is_written_to_the_log(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="community.mail")
    await mail_one(world, queue_for(world, TEST_DELIVERY))
    [record] = [r for r in caplog.records if r.name == "community.mail"]
    assert LINK in record.getMessage()
    assert record.__dict__["to"] == "ann@example.com"
    assert await kept_jobs(world) == []


async def test_a_mail_waits_while_the_server_is_down_and_goes_once_it_is_back(
    world: World, mail_server: MailServer
) -> None:
    jobs = queue_for(world, smtp(mail_server))
    mail_server.stop()
    await mail_one(world, jobs)
    [kept] = await kept_jobs(world)
    assert kept.attempts == 1 and "SMTPConnect" in kept.last_error
    assert kept.not_before > utcnow(), "tried again later, with a backoff"

    mail_server.start()
    async with session_scope(world.sessions) as session:  # the backoff is over
        await session.execute(update(QueuedJob).values(not_before=utcnow() - timedelta(60)))
    assert await sweep_jobs(world.sessions, jobs) == 1
    await jobs.drain()
    assert len(mail_server.received(to="ann@example.com")) == 1
    assert await kept_jobs(world) == []


async def test_retries_stop_after_the_last_attempt(world: World, mail_server: MailServer) -> None:
    jobs = queue_for(world, smtp(mail_server))
    mail_server.stop()
    await mail_one(world, jobs)
    for _ in range(MAX_ATTEMPTS + 2):
        async with session_scope(world.sessions) as session:
            await session.execute(update(QueuedJob).values(not_before=utcnow() - timedelta(60)))
        await sweep_jobs(world.sessions, jobs)
        await jobs.drain()
    [kept] = await kept_jobs(world)
    assert kept.attempts == MAX_ATTEMPTS, "kept for an operator, no longer tried"


class Refusing(_Keeper):
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _: Any
    ) -> str:
        return "550 No such user here"


async def test_a_recipient_refused_for_good_is_not_retried(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await mail_one(world, queue_for(world, smtp(f"smtp://127.0.0.1:{port}")))
    finally:
        controller.stop()
    assert await kept_jobs(world) == []
    assert any("not retried" in r.getMessage() for r in caplog.records)


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    good = isinstance(data, LoginPassword) and data == (b"parvis", b"p@ss word")
    return AuthResult(success=good, handled=False)


async def test_the_url_carries_the_username_and_password(world: World) -> None:
    keeper, port = _Keeper(), free_port()
    controller = Controller(
        keeper, hostname="127.0.0.1", port=port, authenticator=_authenticate,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    try:
        await mail_one(world, queue_for(world, smtp(f"smtp://parvis:wrong@127.0.0.1:{port}")))
        [kept] = await kept_jobs(world)
        assert "SMTPAuthentication" in kept.last_error, "kept until the operator fixes it"
        right = smtp(f"smtp://parvis:p%40ss%20word@127.0.0.1:{port}")
        await mail_one(world, queue_for(world, right))
    finally:
        controller.stop()
    assert len(keeper.messages) == 1


def test_smtp_urls() -> None:
    plain = SmtpServer.parse("smtp://mail.example")
    assert (plain.hostname, plain.port, plain.use_tls, plain.start_tls) == (
        "mail.example", None, False, None,
    )  # fmt: skip
    tls = SmtpServer.parse("smtps://u:p@mail.example:465")
    assert (tls.port, tls.use_tls, tls.username, tls.password) == (465, True, "u", "p")
    assert SmtpServer.parse("smtp://mail.example:587?starttls=1").start_tls is True
    assert SmtpServer.parse("smtp://mail.example:25?starttls=0").start_tls is False
