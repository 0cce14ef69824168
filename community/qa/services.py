"""Answers that resolve a question: accepted by the asker, certified by the brand's experts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from community.db import utcnow
from community.errors import Forbidden, NotFound, ValidationFailed
from community.events import ANSWER_ACCEPTED, ANSWER_CERTIFIED, EVENTS, THREAD_RESOLVED
from community.forums.models import Post, Thread, Visibility
from community.identity.models import Member
from community.identity.permissions import Permission
from community.inputs import refuse_control_characters
from community.jobs import enqueue_after_commit
from community.l10n import N_
from community.moderation.audit import record
from community.notify.events import notify_resolution
from community.scope import Scope
from community.scoring.models import Reason
from community.scoring.services import Cause, award, reverse_live_events

ACCEPT_REASONS = (Reason.ANSWER_ACCEPTED, Reason.ACCEPTED_AN_ANSWER)
NOTE_MAX = 500


async def _answer_and_thread(scope: Scope, post_id: int) -> tuple[Post, Thread]:
    """The answer and its question, the thread row locked: one resolution change at a time.
    Guests are asked to log in before anything is looked up."""
    _ = scope.actor
    post = await scope.db.scalar(select(Post).where(Post.id == post_id))
    if post is None or post.deleted_at is not None or post.visibility != Visibility.PUBLISHED:
        raise NotFound("This post does not exist or was deleted.")
    thread = await scope.db.scalar(
        select(Thread)
        .where(Thread.id == post.thread_id, Thread.deleted_at.is_(None))
        .with_for_update()
    )
    if thread is None:
        raise NotFound("This thread does not exist or was deleted.")
    if not thread.is_question:
        raise ValidationFailed(
            {"post": N_("Only answers to a question can be accepted or certified.")}
        )
    if post.is_opening:
        raise ValidationFailed({"post": N_("The question itself cannot be accepted or certified.")})
    return post, thread


def _may_accept(scope: Scope, thread: Thread) -> Member:
    if not scope.may_act_on(thread.author_id, Permission.ACCEPT_ANY):
        raise Forbidden("Only the asker or a moderator can accept an answer.")
    return scope.actor


def _may_certify(scope: Scope) -> Member:
    return scope.require(
        Permission.CERTIFY, "Only brand experts and moderators can certify answers."
    )


async def accept(scope: Scope, post_id: int) -> Thread:
    post, thread = await _answer_and_thread(scope, post_id)
    actor = _may_accept(scope, thread)
    if thread.accepted_post_id == post.id:
        return thread
    before = thread.accepted_post_id
    if before is not None:
        await reverse_live_events(scope, post_id=before, reasons=ACCEPT_REASONS)
    was_resolved = thread.is_resolved
    thread.accepted_post_id, thread.accepted_at = post.id, utcnow()
    await _reward_acceptance(scope, actor, post, thread)
    record(scope, "answer.accept", ("thread", thread.id),
           before={"accepted_post_id": before}, after={"accepted_post_id": post.id})  # fmt: skip
    await notify_resolution(scope, thread, post, "answer_accepted")
    _check_badges(scope, post)
    await scope.db.flush()
    await _announce(scope, ANSWER_ACCEPTED, thread, post, was_resolved)
    return thread


async def _announce(
    scope: Scope, kind: str, thread: Thread, answer: Post, was_resolved: bool
) -> None:
    """Tell the listeners (`community.events`): the answer, and the thread when it was
    unresolved until now."""
    await EVENTS.announce(scope, kind, thread_id=thread.id, post_id=answer.id)
    if not was_resolved:
        await EVENTS.announce(scope, THREAD_RESOLVED, thread_id=thread.id, post_id=answer.id)


async def _reward_acceptance(scope: Scope, actor: Member, post: Post, thread: Thread) -> None:
    """+15 to the answerer, +2 to the acceptor; nobody earns points for their own answer."""
    if post.author_id == actor.id:
        return
    cause = Cause(actor.id, post.id, thread.category_id)
    for member_id, reason in sorted(
        [(post.author_id, Reason.ANSWER_ACCEPTED), (actor.id, Reason.ACCEPTED_AN_ANSWER)],
        key=lambda pair: pair[0],  # a fixed lock order: no deadlock between two accepts
    ):
        await award(scope, member_id, reason, cause)


async def unaccept(scope: Scope, post_id: int) -> Thread:
    post, thread = await _answer_and_thread(scope, post_id)
    _may_accept(scope, thread)
    if thread.accepted_post_id != post.id:
        raise ValidationFailed({"post": N_("This answer is not the accepted one.")})
    await reverse_live_events(scope, post_id=post.id, reasons=ACCEPT_REASONS)
    thread.accepted_post_id, thread.accepted_at = None, None
    record(scope, "answer.unaccept", ("thread", thread.id),
           before={"accepted_post_id": post.id}, after={"accepted_post_id": None})  # fmt: skip
    await scope.db.flush()
    return thread


async def certify(scope: Scope, post_id: int, note: str = "") -> Thread:
    """Certify an answer with an optional note: brand experts, moderators and admins, never
    on their own answer."""
    actor = _may_certify(scope)
    refuse_control_characters(note=note)
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": N_("The note is too long (500 characters at most).")})
    post, thread = await _answer_and_thread(scope, post_id)
    if post.author_id == actor.id:
        raise Forbidden("Someone else must certify your answer.")
    return await do_certify(scope, thread, post, note)


async def do_certify(
    scope: Scope,
    thread: Thread,
    answer: Post,
    note: str = "",
    *,
    audit: Mapping[str, Any] | None = None,
) -> Thread:
    """Make `answer` the certified answer of `thread`, certified by `scope.actor`, unchecked:
    the caller decided it may (`certify` checks the actor's permission; escalation's
    resolution certifies as the customer-service account). The caller holds the thread row
    locked (SELECT ... FOR UPDATE).

    The points move exactly once: an answer certified before loses its certification points
    (reversing events) before the new one earns them; certifying the certified answer again
    only changes the note, and with the same note changes nothing. Like acceptance, nobody
    earns points for an answer they certify themselves. `audit` adds to the audit entry."""
    certifier = scope.actor
    note = note.strip()
    before = thread.certified_post_id
    if before == answer.id and thread.certified_note == note:
        return thread
    if before != answer.id:
        if before is not None:
            await reverse_live_events(scope, post_id=before, reasons=[Reason.ANSWER_CERTIFIED])
        if answer.author_id != certifier.id:
            cause = Cause(certifier.id, answer.id, thread.category_id)
            await award(scope, answer.author_id, Reason.ANSWER_CERTIFIED, cause)
    was_resolved = thread.is_resolved
    thread.certified_post_id, thread.certified_by_id = answer.id, certifier.id
    thread.certified_note, thread.certified_at = note, utcnow()
    record(scope, "answer.certify", ("thread", thread.id),
           before={"certified_post_id": before},
           after={"certified_post_id": answer.id, "note": note, **(audit or {})})  # fmt: skip
    await notify_resolution(scope, thread, answer, "answer_certified")
    _check_badges(scope, answer)
    await scope.db.flush()
    if before != answer.id:
        await _announce(scope, ANSWER_CERTIFIED, thread, answer, was_resolved)
    return thread


async def uncertify(scope: Scope, post_id: int) -> Thread:
    _may_certify(scope)
    post, thread = await _answer_and_thread(scope, post_id)
    if thread.certified_post_id != post.id:
        raise ValidationFailed({"post": N_("This answer is not the certified one.")})
    await reverse_live_events(scope, post_id=post.id, reasons=[Reason.ANSWER_CERTIFIED])
    thread.certified_post_id, thread.certified_by_id = None, None
    thread.certified_note, thread.certified_at = "", None
    record(scope, "answer.uncertify", ("thread", thread.id),
           before={"certified_post_id": post.id}, after={"certified_post_id": None})  # fmt: skip
    await scope.db.flush()
    return thread


def _check_badges(scope: Scope, answer: Post) -> None:
    enqueue_after_commit(
        scope.db, "check_badges", tenant_id=scope.tenant_id, member_ids=[answer.author_id]
    )


# ---- when a resolving answer changes or goes ------------------------------------------------


async def _locked_thread(scope: Scope, thread_id: int) -> Thread:
    thread = await scope.db.scalar(
        select(Thread)
        .where(Thread.id == thread_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if thread is None:
        raise NotFound("This thread does not exist or was deleted.")
    return thread


async def do_clear_resolution(scope: Scope, thread_id: int, post_id: int, *, cause: str) -> Thread:
    """Take back the acceptance and the certification resting on this answer, with the
    points they earned (reversing events, so recompute agrees); unchecked: the caller
    decided (the answer was deleted, or staff withdrew an edited one). `cause` is audited."""
    thread = await _locked_thread(scope, thread_id)
    if thread.certified_post_id == post_id:
        await reverse_live_events(scope, post_id=post_id, reasons=[Reason.ANSWER_CERTIFIED])
        thread.certified_post_id, thread.certified_by_id = None, None
        thread.certified_note, thread.certified_at = "", None
        record(scope, "answer.uncertify", ("thread", thread.id), before={"certified_post_id": post_id},
               after={"certified_post_id": None, "cause": cause})  # fmt: skip
    if thread.accepted_post_id == post_id:
        await reverse_live_events(scope, post_id=post_id, reasons=ACCEPT_REASONS)
        thread.accepted_post_id, thread.accepted_at = None, None
        record(scope, "answer.unaccept", ("thread", thread.id), before={"accepted_post_id": post_id},
               after={"accepted_post_id": None, "cause": cause})  # fmt: skip
    await scope.db.flush()
    return thread


async def do_reconfirm(scope: Scope, thread_id: int, post_id: int) -> Thread:
    """Staff read the edited answer and keep its acceptance and certification as they are:
    they now date from this confirmation, so the page no longer marks the answer edited.
    Unchecked: the caller decided the actor may. No points move."""
    thread = await _locked_thread(scope, thread_id)
    now = utcnow()
    if thread.certified_post_id == post_id:
        thread.certified_at = now
    if thread.accepted_post_id == post_id:
        thread.accepted_at = now
    record(scope, "answer.reconfirm", ("thread", thread.id), after={"post_id": post_id})
    await scope.db.flush()
    return thread
