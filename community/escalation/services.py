"""Opening escalations: the write-time rules, the manual action, priority and the SLA clock.

A thread has at most one open escalation (the database enforces it through
`open_thread_id`); a rule that fires again adds itself to the open one.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from community.db import in_tenant, utcnow
from community.errors import Forbidden, NotFound, ValidationFailed
from community.escalation import keywords, sentiment
from community.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationState,
    Rule,
)
from community.escalation.rules import EscalationRules
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission
from community.jobs import enqueue_after_commit
from community.moderation.audit import record
from community.scoring.profiles import member_influence
from community.tenancy.models import Tenant

NOTE_MAX = 1000
RULE_WEIGHT = {Rule.MANUAL: 60, Rule.COMPLAINT: 50, Rule.SENTIMENT: 50, Rule.UNRESOLVED: 30}
TIER_BONUS = {"platinum": 30, "vip": 30, "enterprise": 30, "gold": 20, "premium": 20}
TIER_BONUS |= {"business": 15, "silver": 10, "pro": 10}
PRIORITY_LABELS = ((80, "urgent"), (60, "high"), (40, "normal"), (0, "low"))


async def rules_for(session: AsyncSession, tenant_id: int) -> EscalationRules:
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    return EscalationRules.from_preferences(tenant.preferences)


# ---- priority -------------------------------------------------------------------------------


def priority_label(priority: int) -> str:
    return next(label for floor, label in PRIORITY_LABELS if priority >= floor)


def customer_weight(asker: Member, influence: int) -> int:
    """What is known of the customer: the brand's tier claim, reputation, influence."""
    weight = TIER_BONUS.get(asker.customer_tier.strip().lower(), 0)
    weight += 10 if asker.reputation >= 1000 else 5 if asker.reputation >= 200 else 0
    weight += 10 if influence >= 50 else 5 if influence >= 10 else 0
    return weight


def priority(rules: list[str], asker: Member, influence: int) -> int:
    """0-100: the strongest rule, a little more for each further rule, plus the customer."""
    strongest = max(RULE_WEIGHT[Rule(r)] for r in rules)
    return min(100, strongest + 5 * (len(rules) - 1) + customer_weight(asker, influence))


# ---- opening and adding to escalations ------------------------------------------------------


def add_event(
    session: AsyncSession, escalation: Escalation, kind: str, detail: str = "", actor: str = ""
) -> None:
    session.add(
        EscalationEvent(
            escalation_id=escalation.id, kind=kind, detail=detail[:1000], actor=actor[:120]
        )
    )


async def open_escalation_of(session: AsyncSession, thread_id: int) -> Escalation | None:
    return await session.scalar(
        select(Escalation).where(Escalation.open_thread_id == thread_id).with_for_update()
    )


async def escalate(
    session: AsyncSession,
    thread: Thread,
    rule: Rule,
    *,
    detail: str = "",
    actor: Member | None = None,
    note: str = "",
) -> Escalation:
    """Open an escalation for the thread, or add this rule to the one already open."""
    escalation = await open_escalation_of(session, thread.id)
    if escalation is None:
        try:
            async with session.begin_nested():
                escalation = await _create(session, thread, rule, actor)
        except IntegrityError:  # another transaction opened one first: add to it
            escalation = await open_escalation_of(session, thread.id)
            assert escalation is not None
    elif rule in escalation.rules and not note:
        return escalation
    await _add_rule(session, thread, escalation, rule, detail, actor, note)
    return escalation


async def _create(
    session: AsyncSession, thread: Thread, rule: Rule, actor: Member | None
) -> Escalation:
    now = utcnow()
    escalation = Escalation(
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        open_thread_id=thread.id,
        rules=[],
        idempotency_key=uuid.uuid4().hex,
        created_by_id=actor.id if actor else None,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(escalation)
    await session.flush()
    add_event(session, escalation, "created", actor=actor.display_name if actor else "")
    enqueue_after_commit(session, "deliver_escalation", escalation_id=escalation.id)
    return escalation


async def _add_rule(
    session: AsyncSession,
    thread: Thread,
    escalation: Escalation,
    rule: Rule,
    detail: str,
    actor: Member | None,
    note: str,
) -> None:
    rules = escalation.rules if rule in escalation.rules else [*escalation.rules, rule.value]
    asker = await session.get(Member, thread.author_id)
    assert asker is not None
    influence = await member_influence(session, asker.id)
    escalation.rules = rules
    escalation.priority = max(escalation.priority, priority(rules, asker, influence))
    if note:
        escalation.note = f"{escalation.note}\n\n{note}".strip()
    escalation.updated_at = utcnow()
    add_event(session, escalation, f"rule:{rule.value}", detail or note,
              actor.display_name if actor else "")  # fmt: skip
    await session.flush()


# ---- the rules that fire at write time ------------------------------------------------------


async def on_post_written(
    session: AsyncSession, thread: Thread, post: Post, author: Member
) -> Escalation | None:
    """Score the post's sentiment; escalate when the asker is angry or complains."""
    tenant = await session.get(Tenant, thread.tenant_id)
    assert tenant is not None
    post.sentiment = sentiment.score(post.body_md, tenant.locale)
    if author.id == thread.author_id:
        await resume_clock(session, thread)
    if not _is_customer_post(thread, post, author):
        return None
    rules = EscalationRules.from_preferences(tenant.preferences)
    escalation = None
    if rules.sentiment_enabled and post.sentiment < rules.sentiment_threshold:
        detail = f"Post #{post.number} scored {post.sentiment:+.2f}"
        escalation = await escalate(session, thread, Rule.SENTIMENT, detail=detail)
    if rules.complaint_enabled:
        found = keywords.find_complaints(post.body_md, rules.complaint_keywords)
        if found:
            detail = f"Post #{post.number}: {', '.join(found)}"
            escalation = await escalate(session, thread, Rule.COMPLAINT, detail=detail)
    return escalation


def _is_customer_post(thread: Thread, post: Post, author: Member) -> bool:
    return (
        author.id == thread.author_id
        and thread.kind != ThreadKind.IDEA
        and post.visibility == Visibility.PUBLISHED
        and thread.visibility == Visibility.PUBLISHED
    )


# ---- the manual action ----------------------------------------------------------------------


def may_escalate(member: Member | None) -> bool:
    return has_permission(member, Permission.ESCALATE)


async def escalate_by_hand(
    session: AsyncSession, tenant_id: int, actor: Member, thread_id: int, note: str
) -> Escalation:
    if not may_escalate(actor):
        raise Forbidden("Only moderators and experts can escalate a thread.")
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": "Say in a note what the agent should know."})
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": "The note is too long (1,000 characters at most)."})
    thread = await session.scalar(
        in_tenant(Thread, tenant_id).where(Thread.id == thread_id, Thread.deleted_at.is_(None))
    )
    if thread is None:
        raise NotFound("This thread does not exist or was deleted.")
    if thread.kind == ThreadKind.IDEA:
        raise ValidationFailed({"note": "Ideas are not escalated to the contact centre."})
    escalation = await escalate(session, thread, Rule.MANUAL, actor=actor, note=note)
    record(session, actor, "thread.escalate", ("thread", thread.id),
           after={"escalation": escalation.id}, reason=note[:500])  # fmt: skip
    return escalation


async def retry(
    session: AsyncSession, tenant_id: int, actor: Member, escalation_id: int
) -> Escalation:
    """Send a failed escalation again, from its first attempt."""
    if not has_permission(actor, Permission.SEE_ESCALATIONS):
        raise Forbidden("Only moderators and agents can retry an escalation.")
    escalation = await session.scalar(
        in_tenant(Escalation, tenant_id).where(Escalation.id == escalation_id).with_for_update()
    )
    if escalation is None:
        raise NotFound("No such escalation.")
    if escalation.state != EscalationState.FAILED:
        raise ValidationFailed({"state": "Only a failed escalation can be retried."})
    now = utcnow()
    escalation.state, escalation.attempts = EscalationState.PENDING, 0
    escalation.next_attempt_at, escalation.lease_until = now, None
    escalation.updated_at = now
    add_event(session, escalation, "retried", actor=actor.display_name)
    enqueue_after_commit(session, "deliver_escalation", escalation_id=escalation.id)
    await session.flush()
    return escalation


# ---- the clock pauses while the thread waits on the asker -----------------------------------


def may_wait_on_asker(thread: Thread, member_id: int) -> bool:
    """Who may stop the clock: someone other than the asker, on an unresolved question."""
    return thread.is_question and member_id != thread.author_id and not thread.is_resolved


async def wait_on_asker(session: AsyncSession, thread: Thread, actor: Member) -> None:
    """Someone answering needs details from the asker: the SLA clock stops until they reply."""
    if may_wait_on_asker(thread, actor.id) and thread.awaiting_asker_since is None:
        thread.awaiting_asker_since = utcnow()
        await session.flush()


async def resume_clock(session: AsyncSession, thread: Thread, now: datetime | None = None) -> None:
    if thread.awaiting_asker_since is None:
        return
    calendar = (await rules_for(session, thread.tenant_id)).business_calendar
    paused = calendar.business_seconds(thread.awaiting_asker_since, now or utcnow())
    thread.paused_business_seconds += paused
    thread.awaiting_asker_since = None
    await session.flush()


async def escalate_queue_item(
    session: AsyncSession, tenant_id: int, actor: Member, item_id: int, note: str
) -> Escalation:
    """The moderation queue's "escalate" action: the item's thread goes to the contact centre."""
    from community.moderation.models import QueueItem

    item = await session.scalar(in_tenant(QueueItem, tenant_id).where(QueueItem.id == item_id))
    if item is None:
        raise NotFound("No such queue item.")
    post = await session.get(Post, item.post_id)
    assert post is not None
    return await escalate_by_hand(session, tenant_id, actor, post.thread_id, note)
