"""The notification mail outbox: a row per mail, queued with the notification, sent after commit.

Queued by the `AFTER_NOTIFY` reaction in the transaction that wrote the notifications, so a
mail exists exactly when its notification does. A job per row sends it: the claim is a
conditional UPDATE taking a lease (two workers never send one row), the mail goes out outside
any transaction, and the outcome is recorded after. The row's unique key (one per notification,
one per digest period) means no path queues a second mail for the same event, and a job run
again finds the row sent and does nothing. A sweep re-drives rows whose job was lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import aiosmtplib
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.config import DeliveryOptions
from community.db import after_commit, session_scope, utcnow
from community.escalation.delivery import backoff, tenant_base_url
from community.identity.models import Member
from community.jobs import JobQueue
from community.mail import SmtpServer, build_message, permanent
from community.mailing import compose
from community.mailing.models import Frequency, MailOutboxRow, MailState
from community.mailing.preferences import (
    frequency_for,
    mailable,
    preferences_for_many,
    preferences_of,
    record_bounce,
    record_delivered,
)
from community.notify.models import Notification
from community.scope import Scope
from community.tenancy.services import TenantInfo

log = logging.getLogger(__name__)
TASK = "deliver_notification_mail"
MAX_ATTEMPTS = 8
REDRIVE_BATCH = 500


async def queue_notification_mail(scope: Scope, notifications: list[Notification]) -> None:
    """The AFTER_NOTIFY reaction: an outbox row for each notification its member wants now."""
    if not notifications:
        return
    preferences = await preferences_for_many(scope, {n.member_id for n in notifications})
    rows = [
        MailOutboxRow(key=f"notification:{n.id}", member_id=n.member_id, notification_id=n.id)
        for n in notifications
        if frequency_for(preferences[n.member_id], n.kind) is Frequency.IMMEDIATE
    ]
    scope.db.add_all(rows)
    await scope.db.flush()
    enqueue_after_commit_each(scope.db, [row.id for row in rows])


def enqueue_after_commit_each(session: AsyncSession, mail_ids: list[int]) -> None:
    """A job per row once the transaction commits; without a queue the sweep sends them."""
    jobs: JobQueue | None = session.info.get("jobs")
    if jobs is None or not mail_ids:
        return

    async def send() -> None:
        for mail_id in mail_ids:
            await jobs.enqueue(TASK, mail_id=mail_id)

    after_commit(session, send)


@dataclass(frozen=True)
class Claimed:
    tenant: TenantInfo
    mail_id: int
    attempt: int
    message: EmailMessage


async def deliver(
    sessions: async_sessionmaker[AsyncSession],
    jobs: JobQueue,
    mail_id: int,
    options: DeliveryOptions,
) -> MailState | None:
    """One attempt at the row's mail; None when it was not ours to send (done, or leased)."""
    async with session_scope(sessions) as session:
        claimed = await _claim(session, mail_id, options)
    if claimed is None:
        return None
    outcome = await _send(claimed.message, options)
    async with session_scope(sessions, jobs) as session:
        return await _record(Scope(session, claimed.tenant), claimed, outcome, options)


async def _claim(session: AsyncSession, mail_id: int, options: DeliveryOptions) -> Claimed | None:
    now = utcnow()
    row = await session.get(MailOutboxRow, mail_id)
    if row is None:
        return None
    scope = await Scope.load(session, row.tenant_id)
    won = await scope.db.scalar(
        update(MailOutboxRow)
        .where(MailOutboxRow.id == mail_id, MailOutboxRow.state == MailState.PENDING)
        .where(MailOutboxRow.attempts < MAX_ATTEMPTS)  # a row that keeps crashing its job stops
        .where(or_(MailOutboxRow.next_attempt_at.is_(None), MailOutboxRow.next_attempt_at <= now))
        .where(or_(MailOutboxRow.lease_until.is_(None), MailOutboxRow.lease_until < now))
        .values(
            lease_until=now + timedelta(seconds=options.lease_seconds),
            attempts=MailOutboxRow.attempts + 1,
        )
        .returning(MailOutboxRow.id)
    )
    if won is None:
        return None
    await scope.db.refresh(row)
    message = await _compose(scope, row, options)
    if message is None:
        row.state, row.lease_until = MailState.SKIPPED, None
        return None
    return Claimed(scope.tenant, row.id, row.attempts, message)


async def _compose(
    scope: Scope, row: MailOutboxRow, options: DeliveryOptions
) -> EmailMessage | None:
    """The mail, or None when there is nothing to send any more (opted out, address failing,
    a digest whose notifications were all read)."""
    member = await scope.one(Member, row.member_id)
    preferences = await preferences_of(scope, member.id)
    if not mailable(member, preferences):
        return None
    base_url = await tenant_base_url(scope, options)
    if row.digest:
        rendered = await compose.digest(scope, row, member, preferences, base_url)
    else:
        rendered = await compose.notification(scope, row, member, preferences, base_url)
    if rendered is None:
        return None
    message = build_message(
        options.mail_from, scope.tenant.name, member.email,
        rendered.mail.subject, rendered.mail.text, rendered.mail.html,
    )  # fmt: skip
    # RFC 8058: providers POST "List-Unsubscribe=One-Click" to this address.
    message["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Parvis-Mail"] = row.key  # the same on a re-send: a reader can tell it apart
    return message


Outcome = None | aiosmtplib.SMTPException | OSError


async def _send(message: EmailMessage, options: DeliveryOptions) -> Outcome:
    if not options.smtp_url:
        log.info("Mail not sent (no PARVIS_SMTP_URL):\n%s", _text(message),
                 extra={"to": message["To"], "subject": message["Subject"]})  # fmt: skip
        return None
    try:
        await SmtpServer.parse(options.smtp_url).send(message, options.timeout)
    except (aiosmtplib.SMTPException, OSError) as exc:
        return exc
    return None


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if isinstance(body, EmailMessage) else ""


async def _record(
    scope: Scope, claimed: Claimed, outcome: Outcome, options: DeliveryOptions
) -> MailState:
    row = await scope.db.scalar(
        select(MailOutboxRow).where(MailOutboxRow.id == claimed.mail_id).with_for_update()
    )
    assert row is not None
    preferences = await preferences_of(scope, row.member_id)
    now = utcnow()
    row.lease_until = None
    if outcome is None:
        row.state, row.sent_at, row.last_error = MailState.SENT, now, ""
        record_delivered(preferences)
    elif isinstance(outcome, aiosmtplib.SMTPException) and permanent(outcome):
        row.state, row.last_error = MailState.FAILED, repr(outcome)[:500]
        record_bounce(preferences, str(outcome))
    elif claimed.attempt < MAX_ATTEMPTS:
        delay = backoff(claimed.attempt, options)
        row.next_attempt_at, row.last_error = now + timedelta(seconds=delay), repr(outcome)[:500]
        _requeue(scope.db, row.id, delay)
    else:
        row.state, row.last_error = MailState.FAILED, repr(outcome)[:500]
    await scope.db.flush()
    return row.state


def _requeue(session: AsyncSession, mail_id: int, delay: float) -> None:
    jobs: JobQueue | None = session.info.get("jobs")
    if jobs is not None:
        after_commit(session, lambda: jobs.enqueue(TASK, mail_id=mail_id, _defer_by=delay))


async def redrive(sessions: async_sessionmaker[AsyncSession], jobs: JobQueue) -> int:
    """Enqueue every pending mail that is due and not leased (lost jobs, expired leases),
    of every tenant: the session is bound to none."""
    now = utcnow()
    async with session_scope(sessions) as session:
        due = await session.scalars(
            select(MailOutboxRow.id)
            .where(MailOutboxRow.state == MailState.PENDING)
            .where(MailOutboxRow.attempts < MAX_ATTEMPTS)
            .where(
                or_(MailOutboxRow.next_attempt_at.is_(None), MailOutboxRow.next_attempt_at <= now)
            )
            .where(or_(MailOutboxRow.lease_until.is_(None), MailOutboxRow.lease_until < now))
            .order_by(MailOutboxRow.id)
            .limit(REDRIVE_BATCH)
        )
        ids = list(due.all())
    for mail_id in ids:
        await jobs.enqueue(TASK, mail_id=mail_id)
    return len(ids)
