"""Opening escalations: the write-time rules, the manual action, priority and the SLA clock.

A thread has at most one open escalation (the database enforces it through
`open_thread_id`); a rule that fires again adds itself to the open one.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.db import utcnow
from community.errors import NotFound, ValidationFailed
from community.escalation import keywords, sentiment
from community.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationState,
    Rule,
)
from community.events import ESCALATION_STATE_CHANGED, EVENTS
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.identity.models import Member
from community.identity.permissions import Permission
from community.inputs import refuse_control_characters
from community.jobs import enqueue_after_commit
from community.l10n import N_
from community.moderation.audit import record
from community.scope import Scope
from community.scoring.profiles import member_influence

NOTE_MAX = 1000
RULE_WEIGHT = {Rule.MANUAL: 60, Rule.COMPLAINT: 50, Rule.SENTIMENT: 50, Rule.UNRESOLVED: 30}
TIER_BONUS = {"platinum": 30, "vip": 30, "enterprise": 30, "gold": 20, "premium": 20}
TIER_BONUS |= {"business": 15, "silver": 10, "pro": 10}
PRIORITY_LABELS = ((80, "urgent"), (60, "high"), (40, "normal"), (0, "low"))


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
    scope: Scope, escalation: Escalation, kind: str, detail: str = "", actor: str = ""
) -> None:
    scope.db.add(
        EscalationEvent(
            escalation_id=escalation.id, kind=kind, detail=detail[:1000], actor=actor[:120]
        )
    )


async def open_escalation_of(scope: Scope, thread_id: int) -> Escalation | None:
    return await scope.db.scalar(
        select(Escalation).where(Escalation.open_thread_id == thread_id).with_for_update()
    )


async def escalate(
    scope: Scope, thread: Thread, rule: Rule, *, detail: str = "", note: str = ""
) -> Escalation:
    """Open an escalation for the thread, or add this rule to the one already open.

    Only the manual rule is someone's doing: it is credited to the scope's actor; the
    others (a post's sentiment, the sweep) fire by themselves, whoever wrote the post."""
    actor = scope.actor if rule == Rule.MANUAL else None
    escalation = await open_escalation_of(scope, thread.id)
    if escalation is None:
        try:
            async with scope.db.begin_nested():
                escalation = await _create(scope, thread, actor)
        except IntegrityError:  # another transaction opened one first: add to it
            escalation = await open_escalation_of(scope, thread.id)
            assert escalation is not None
    elif rule in escalation.rules and not note:
        return escalation
    await _add_rule(scope, thread, escalation, rule, detail, actor, note)
    return escalation


async def _create(scope: Scope, thread: Thread, actor: Member | None) -> Escalation:
    now = utcnow()
    escalation = Escalation(
        thread_id=thread.id,
        open_thread_id=thread.id,
        rules=[],
        idempotency_key=uuid.uuid4().hex,
        created_by_id=actor.id if actor else None,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    scope.db.add(escalation)
    await scope.db.flush()
    add_event(scope, escalation, "created", actor=actor.display_name if actor else "")
    enqueue_after_commit(scope.db, "deliver_escalation", escalation_id=escalation.id)
    await announce_state(scope, escalation, None)
    return escalation


async def _add_rule(
    scope: Scope,
    thread: Thread,
    escalation: Escalation,
    rule: Rule,
    detail: str,
    actor: Member | None,
    note: str,
) -> None:
    rules = escalation.rules if rule in escalation.rules else [*escalation.rules, rule.value]
    asker = await scope.one(Member, thread.author_id)
    influence = await member_influence(scope, asker.id)
    escalation.rules = rules
    escalation.priority = max(escalation.priority, priority(rules, asker, influence))
    if note:
        escalation.note = f"{escalation.note}\n\n{note}".strip()
    escalation.updated_at = utcnow()
    add_event(scope, escalation, f"rule:{rule.value}", detail or note,
              actor.display_name if actor else "")  # fmt: skip
    await scope.db.flush()


# ---- the rules that fire at write time ------------------------------------------------------


async def on_post_written(
    scope: Scope, thread: Thread, post: Post, author: Member
) -> Escalation | None:
    """Score the post's sentiment; escalate when the asker is angry or complains.

    Run for every new or edited post (`community.escalation.hooks`); `author` is who the
    post is by, which for an edit need not be the scope's actor."""
    post.sentiment = sentiment.score(post.body_md, scope.tenant.locale)
    if author.id == thread.author_id:
        await resume_clock(scope, thread)
    if not _is_customer_post(thread, post, author) or _settled(thread, post):
        return None
    rules = scope.settings.escalation
    escalation = None
    if rules.sentiment_enabled and post.sentiment < rules.sentiment_threshold:
        score = f"{post.sentiment:+.2f}"
        detail = N_("Post #%(number)s scored %(score)s") % {"number": post.number, "score": score}
        escalation = await escalate(scope, thread, Rule.SENTIMENT, detail=detail)
    if rules.complaint_enabled:
        found = keywords.find_complaints(post.body_md, rules.complaint_keywords)
        if found:
            detail = N_("Post #%(number)s: %(keywords)s")
            detail %= {"number": post.number, "keywords": ", ".join(found)}
            escalation = await escalate(scope, thread, Rule.COMPLAINT, detail=detail)
    return escalation


def _settled(thread: Thread, post: Post) -> bool:
    """A resolved thread (an accepted or certified answer, customer service's included)
    and a thank-you have nothing left to escalate at write time."""
    return thread.is_resolved or keywords.is_thanks(post.body_md)


def _is_customer_post(thread: Thread, post: Post, author: Member) -> bool:
    return (
        author.id == thread.author_id
        and thread.kind != ThreadKind.IDEA
        and post.visibility == Visibility.PUBLISHED
        and thread.visibility == Visibility.PUBLISHED
    )


async def announce_state(
    scope: Scope, escalation: Escalation, before: EscalationState | None
) -> None:
    """Tell the listeners (`community.events`) when the escalation's state changed (None:
    it was just opened)."""
    if escalation.state == before:
        return
    await EVENTS.announce(
        scope, ESCALATION_STATE_CHANGED,
        details={"from": before.value if before else None, "to": escalation.state.value},
        escalation_id=escalation.id, thread_id=escalation.thread_id,
    )  # fmt: skip


# ---- the manual action ----------------------------------------------------------------------


def may_escalate(scope: Scope) -> bool:
    return scope.can(Permission.ESCALATE)


async def escalate_by_hand(scope: Scope, thread_id: int, note: str) -> Escalation:
    scope.require(Permission.ESCALATE, "Only moderators and experts can escalate a thread.")
    refuse_control_characters(note=note)
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": N_("Say in a note what the agent should know.")})
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": N_("The note is too long (1,000 characters at most).")})
    thread = await scope.db.scalar(
        select(Thread).where(Thread.id == thread_id, Thread.deleted_at.is_(None))
    )
    if thread is None:
        raise NotFound("This thread does not exist or was deleted.")
    if thread.kind == ThreadKind.IDEA:
        raise ValidationFailed({"note": N_("Ideas are not escalated to the contact centre.")})
    escalation = await escalate(scope, thread, Rule.MANUAL, note=note)
    record(scope, "thread.escalate", ("thread", thread.id),
           after={"escalation": escalation.id}, reason=note[:500])  # fmt: skip
    return escalation


async def retry(scope: Scope, escalation_id: int) -> Escalation:
    """Send a failed escalation again, from its first attempt."""
    actor = scope.require(
        Permission.SEE_ESCALATIONS, "Only moderators and agents can retry an escalation."
    )
    escalation = await scope.db.scalar(
        select(Escalation).where(Escalation.id == escalation_id).with_for_update()
    )
    if escalation is None:
        raise NotFound("No such escalation.")
    if escalation.state != EscalationState.FAILED:
        raise ValidationFailed({"state": N_("Only a failed escalation can be retried.")})
    now = utcnow()
    escalation.state, escalation.attempts = EscalationState.PENDING, 0
    escalation.next_attempt_at, escalation.lease_until = now, None
    escalation.updated_at = now
    add_event(scope, escalation, "retried", actor=actor.display_name)
    enqueue_after_commit(scope.db, "deliver_escalation", escalation_id=escalation.id)
    await scope.db.flush()
    await announce_state(scope, escalation, EscalationState.FAILED)
    return escalation


async def escalate_queue_item(scope: Scope, item_id: int, note: str) -> Escalation:
    """The moderation queue's "escalate" action: the item's thread goes to the contact centre."""
    from community.moderation.models import QueueItem

    _ = scope.actor  # guests are asked to log in before anything is looked up
    item = await scope.get(QueueItem, item_id)
    if item is None:
        raise NotFound("No such queue item.")
    post = await scope.one(Post, item.post_id)
    return await escalate_by_hand(scope, post.thread_id, note)


# ---- the clock pauses while the thread waits on the asker -----------------------------------


def may_wait_on_asker(scope: Scope, thread: Thread) -> bool:
    """Who may stop the clock: someone other than the asker, on an unresolved question."""
    return (
        scope.member is not None
        and not scope.is_actor(thread.author_id)
        and thread.is_question
        and not thread.is_resolved
    )


async def wait_on_asker(scope: Scope, thread: Thread) -> None:
    """Someone answering needs details from the asker: the SLA clock stops until they reply."""
    if may_wait_on_asker(scope, thread) and thread.awaiting_asker_since is None:
        thread.awaiting_asker_since = utcnow()
        await scope.db.flush()


async def resume_clock(scope: Scope, thread: Thread, now: datetime | None = None) -> None:
    if thread.awaiting_asker_since is None:
        return
    calendar = scope.settings.escalation.business_calendar
    paused = calendar.business_seconds(thread.awaiting_asker_since, now or utcnow())
    thread.paused_business_seconds += paused
    thread.awaiting_asker_since = None
    await scope.db.flush()
