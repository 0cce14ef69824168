"""Delivering escalations: claim a row, send it outside any transaction, record the outcome.

Exactly one case per escalation rests on two things. The claim is a conditional UPDATE
that takes a lease, so two workers never send the same row at once; a worker that dies
mid-delivery leaves a lease that simply expires, and the sweep sends the row again. And
every delivery carries the escalation's idempotency key, so when that second attempt
reaches a contact centre which did get the first one, it finds the case already open.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import joinedload, with_parent

from community.config import DeliveryOptions
from community.db import session_scope, utcnow
from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.registry import adapter_for
from community.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationState,
    EscalationTarget,
)
from community.escalation.payload import Asker, CasePayload, HistoryEntry, Message
from community.escalation.services import add_event, announce_state, priority_label
from community.forums.models import Post, Thread, Visibility
from community.identity.models import Member
from community.jobs import JobQueue, enqueue_after_commit
from community.l10n import N_
from community.net.outbound import Outbound
from community.scope import Scope
from community.scoring.profiles import member_influence
from community.tenancy.models import Tenant, TenantDomain
from community.tenancy.services import TenantInfo

log = logging.getLogger(__name__)
REDRIVE_BATCH = 200
NO_TARGET = N_("No contact-centre target is configured for this community.")


@dataclass(frozen=True)
class Claimed:
    """What a delivery needs once the claim's transaction has ended."""

    tenant: TenantInfo
    escalation_id: int
    attempt: int
    max_attempts: int
    target: EscalationTarget
    payload: CasePayload


async def deliver(
    sessions: async_sessionmaker[AsyncSession],
    jobs: JobQueue,
    escalation_id: int,
    options: DeliveryOptions,
    outbound: Outbound,
) -> EscalationState | None:
    """One delivery attempt through `outbound`; None when the row was not ours to send (done,
    or leased)."""
    async with session_scope(sessions) as session:
        claimed = await _claim(session, escalation_id, options)
    if claimed is None:
        return None
    outcome = await _send(claimed, outbound.with_timeout(options.timeout))
    async with session_scope(sessions, jobs) as session:
        return await _record(Scope(session, claimed.tenant), claimed, outcome, options)


async def _claim(
    session: AsyncSession, escalation_id: int, options: DeliveryOptions
) -> Claimed | None:
    """Take the lease on a pending escalation that is due, in a session bound to no tenant
    yet: the job names only the row, whose tenant the delivery then works in."""
    now = utcnow()
    escalation = await session.get(Escalation, escalation_id)
    if escalation is None:
        return None
    scope = await Scope.load(session, escalation.tenant_id)
    target = await _target_or_wait(scope, escalation)
    if target is None:
        return None
    won = await scope.db.scalar(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.state == EscalationState.PENDING)
        .where(or_(Escalation.next_attempt_at.is_(None), Escalation.next_attempt_at <= now))
        .where(or_(Escalation.lease_until.is_(None), Escalation.lease_until < now))
        .values(
            lease_until=now + timedelta(seconds=options.lease_seconds),
            attempts=Escalation.attempts + 1,
            updated_at=now,
        )
        .returning(Escalation.id)
    )
    if won is None:
        return None
    await scope.db.refresh(escalation)
    escalation.target_id = target.id
    payload = await build_payload(scope, escalation, target, options)
    max_attempts = scope.settings.escalation.max_attempts
    return Claimed(scope.tenant, escalation.id, escalation.attempts, max_attempts, target, payload)


async def _target_or_wait(scope: Scope, escalation: Escalation) -> EscalationTarget | None:
    """Where this escalation goes: the target of its earlier attempts (a retry must reach
    the same contact centre), else the tenant's first enabled one. Without any, nothing is
    attempted: the escalation waits, saying why, and goes out with the first sweep after
    an admin configures one."""
    target = None
    if escalation.target_id is not None:
        target = await scope.get(EscalationTarget, escalation.target_id)
    target = target or await _default_target(scope)
    if target is None and escalation.state == EscalationState.PENDING:
        escalation.last_error = NO_TARGET
    return target


async def _default_target(scope: Scope) -> EscalationTarget | None:
    return await scope.db.scalar(
        select(EscalationTarget)
        .where(EscalationTarget.enabled.is_(True))
        .order_by(EscalationTarget.id)
        .limit(1)
    )


async def _send(claimed: Claimed, outbound: Outbound) -> CaseReceipt | DeliveryFailed:
    try:
        return await adapter_for(claimed.target, outbound).create_case(claimed.payload)
    except DeliveryFailed as failure:
        return failure
    except Exception as exc:  # a bug in an adapter must not lose the escalation
        log.exception("escalation %s: adapter error", claimed.escalation_id)
        return DeliveryFailed(f"Unexpected error: {exc!r}"[:500])


async def _record(
    scope: Scope,
    claimed: Claimed,
    outcome: CaseReceipt | DeliveryFailed,
    options: DeliveryOptions,
) -> EscalationState:
    escalation = await scope.db.scalar(
        select(Escalation).where(Escalation.id == claimed.escalation_id).with_for_update()
    )
    assert escalation is not None
    now, before = utcnow(), escalation.state
    escalation.lease_until, escalation.updated_at = None, now
    if isinstance(outcome, CaseReceipt):
        _delivered(scope, escalation, outcome, claimed, now)
    elif outcome.retryable and claimed.attempt < claimed.max_attempts:
        delay = backoff(claimed.attempt, options, outcome.retry_after)
        escalation.next_attempt_at = now + timedelta(seconds=delay)
        escalation.last_error = outcome.message[:1000]
        detail = N_("Attempt %(number)s: %(error)s; next in %(seconds)s s")
        add_event(scope, escalation, "attempt_failed", detail % {
            "number": claimed.attempt, "error": outcome.message, "seconds": f"{delay:.0f}"
        })  # fmt: skip
        _requeue(scope, escalation.id, delay)
    else:
        escalation.state, escalation.next_attempt_at = EscalationState.FAILED, None
        escalation.last_error = outcome.message[:1000]
        detail = N_("Attempt %(number)s: %(error)s")
        add_event(scope, escalation, "failed", detail % {
            "number": claimed.attempt, "error": outcome.message
        })  # fmt: skip
    await scope.db.flush()
    await announce_state(scope, escalation, before)
    return escalation.state


def _delivered(
    scope: Scope,
    escalation: Escalation,
    receipt: CaseReceipt,
    claimed: Claimed,
    now: datetime,
) -> None:
    escalation.last_error, escalation.next_attempt_at = "", None
    escalation.sent_at = escalation.sent_at or now
    if receipt.case_id and not escalation.external_id:
        escalation.external_id, escalation.external_url = receipt.case_id, receipt.case_url
    if escalation.state == EscalationState.PENDING:  # a callback may have overtaken us
        acknowledged = bool(escalation.external_id)
        escalation.state = EscalationState.ACKNOWLEDGED if acknowledged else EscalationState.SENT
        escalation.acknowledged_at = now if acknowledged else None
    filled = {"number": claimed.attempt, "target": claimed.target.name, "case": receipt.case_id}
    if receipt.case_id:
        detail = N_("Attempt %(number)s to %(target)s: case %(case)s") % filled
    else:
        detail = N_("Attempt %(number)s to %(target)s: awaiting a case id") % filled
    add_event(scope, escalation, "delivered", detail)


def _requeue(scope: Scope, escalation_id: int, delay: float) -> None:
    enqueue_after_commit(
        scope.db, "deliver_escalation", escalation_id=escalation_id, _defer_by=delay
    )


def backoff(attempt: int, options: DeliveryOptions, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter: base·2^(attempt-1), capped, times 0.5-1 at random."""
    ceiling = min(options.retry_cap_seconds, options.retry_base_seconds * 2 ** (attempt - 1))
    delay: float = ceiling * random.uniform(0.5, 1.0)
    return max(delay, retry_after or 0.0)


async def redrive(
    sessions: async_sessionmaker[AsyncSession], jobs: JobQueue, now: datetime | None = None
) -> int:
    """Enqueue every pending escalation that is due and not leased: lost jobs, expired leases.

    Every tenant's at once: the session is bound to none, and the target must be one of the
    escalation's own tenant (the one condition on tenant ids written here, on purpose)."""
    now = now or utcnow()
    async with session_scope(sessions) as session:  # unbound: a read across every tenant
        due = await session.scalars(
            select(Escalation.id)
            .where(Escalation.state == EscalationState.PENDING)
            .where(or_(Escalation.next_attempt_at.is_(None), Escalation.next_attempt_at <= now))
            .where(or_(Escalation.lease_until.is_(None), Escalation.lease_until < now))
            .where(
                exists().where(
                    EscalationTarget.tenant_id == Escalation.tenant_id,
                    EscalationTarget.enabled.is_(True),
                )
            )
            .order_by(Escalation.priority.desc(), Escalation.id)
            .limit(REDRIVE_BATCH)
        )
        ids = list(due.all())
    for escalation_id in ids:
        await jobs.enqueue("deliver_escalation", escalation_id=escalation_id)
    return len(ids)


# ---- the payload ----------------------------------------------------------------------------


async def tenant_base_url(scope: Scope, options: DeliveryOptions) -> str:
    """The tenant's public address: its first domain, else `<slug>.localhost`."""
    tenant = await scope.one(Tenant, scope.tenant_id)  # loaded with the scope: no query
    domain = await scope.db.scalar(
        select(TenantDomain.domain)
        .where(with_parent(tenant, Tenant.domains))
        .order_by(TenantDomain.id)
        .limit(1)
    )
    return options.base_url_format.format(domain=domain or f"{scope.tenant.slug}.localhost")


def callback_path(target_id: int) -> str:
    return f"/hooks/contact-centre/{target_id}"


async def build_payload(
    scope: Scope, escalation: Escalation, target: EscalationTarget, options: DeliveryOptions
) -> CasePayload:
    base = await tenant_base_url(scope, options)
    thread = await scope.db.scalar(
        select(Thread).where(Thread.id == escalation.thread_id).options(joinedload(Thread.category))
    )
    assert thread is not None
    asker = await scope.one(Member, thread.author_id)
    posts = await scope.db.scalars(
        select(Post)
        .where(Post.thread_id == thread.id, Post.deleted_at.is_(None))
        .where(Post.visibility == Visibility.PUBLISHED)
        .options(joinedload(Post.author))
        .order_by(Post.number)
    )
    published = list(posts.all())
    messages = [_message(post, thread, base) for post in published]
    events = await scope.db.scalars(
        select(EscalationEvent)
        .where(EscalationEvent.escalation_id == escalation.id)
        .order_by(EscalationEvent.id)
    )
    sentiments = [
        p.sentiment for p in published if p.author_id == asker.id and p.sentiment is not None
    ]
    return CasePayload(
        escalation_id=escalation.id,
        idempotency_key=escalation.idempotency_key,
        community=scope.tenant.name,
        tenant=scope.tenant.slug,
        thread_id=thread.id,
        thread_title=thread.title,
        thread_url=f"{base}/t/{thread.id}/{thread.slug}",
        category=thread.category.name,
        priority=escalation.priority,
        priority_label=priority_label(escalation.priority),
        rules=list(escalation.rules),
        note=escalation.note,
        sentiment=min(sentiments) if sentiments else None,
        asker=Asker(
            id=asker.id,
            name=asker.display_name,
            email=asker.email,
            customer_id=asker.customer_id,
            tier=asker.customer_tier,
            reputation=asker.reputation,
            influence=await member_influence(scope, asker.id),
            profile_url=f"{base}/u/{asker.id}",
        ),
        question=messages[0] if messages else _message_missing(thread, base),
        answers=messages[1:],
        history=[HistoryEntry(_iso(e.created_at), e.kind, e.detail, e.actor) for e in events],
        callback_url=f"{base}{callback_path(target.id)}",
        created_at=_iso(escalation.created_at),
    )


def _message(post: Post, thread: Thread, base: str) -> Message:
    return Message(
        number=post.number,
        author=post.official_agent or post.author.display_name,
        role=post.author.role.value,
        created_at=_iso(post.created_at),
        body=post.body_md,
        url=f"{base}/p/{post.id}",
        accepted=post.id == thread.accepted_post_id,
        certified=post.id == thread.certified_post_id,
    )


def _message_missing(thread: Thread, base: str) -> Message:
    return Message(0, "", "", _iso(thread.created_at), "", f"{base}/t/{thread.id}")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
