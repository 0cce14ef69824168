"""Answers that resolve a question: accepted by the asker, certified by the brand's experts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from community.db import in_tenant, utcnow
from community.errors import Forbidden, NotFound, ValidationFailed
from community.forums.models import Post, Thread
from community.forums.services import get_post
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission
from community.jobs import enqueue_after_commit
from community.moderation.audit import record
from community.scoring.models import Reason
from community.scoring.services import Cause, award, reverse_live_events, rules_for

ACCEPT_REASONS = (Reason.ANSWER_ACCEPTED, Reason.ACCEPTED_AN_ANSWER)
NOTE_MAX = 500


async def _answer_and_thread(
    session: AsyncSession, tenant_id: int, post_id: int
) -> tuple[Post, Thread]:
    """The answer and its question, the thread row locked: one resolution change at a time."""
    post = await get_post(session, tenant_id, post_id)
    thread = await session.scalar(
        in_tenant(Thread, tenant_id)
        .where(Thread.id == post.thread_id, Thread.deleted_at.is_(None))
        .with_for_update()
    )
    if thread is None:
        raise NotFound("This thread does not exist or was deleted.")
    if not thread.is_question:
        raise ValidationFailed({"post": "Only answers to a question can be accepted or certified."})
    if post.is_opening:
        raise ValidationFailed({"post": "The question itself cannot be accepted or certified."})
    return post, thread


def _check_may_accept(actor: Member, thread: Thread) -> None:
    if actor.id != thread.author_id and not has_permission(actor, Permission.ACCEPT_ANY):
        raise Forbidden("Only the asker or a moderator can accept an answer.")


def _check_may_certify(actor: Member) -> None:
    if not has_permission(actor, Permission.CERTIFY):
        raise Forbidden("Only brand experts and moderators can certify answers.")


async def accept(session: AsyncSession, tenant_id: int, actor: Member, post_id: int) -> Thread:
    post, thread = await _answer_and_thread(session, tenant_id, post_id)
    _check_may_accept(actor, thread)
    if thread.accepted_post_id == post.id:
        return thread
    before = thread.accepted_post_id
    if before is not None:
        await reverse_live_events(session, post_id=before, reasons=ACCEPT_REASONS)
    thread.accepted_post_id, thread.accepted_at = post.id, utcnow()
    await _reward_acceptance(session, tenant_id, actor, post, thread)
    record(session, actor, "answer.accept", ("thread", thread.id),
           before={"accepted_post_id": before}, after={"accepted_post_id": post.id})  # fmt: skip
    enqueue_after_commit(session, "check_badges", tenant_id=tenant_id, member_ids=[post.author_id])
    await session.flush()
    return thread


async def _reward_acceptance(
    session: AsyncSession, tenant_id: int, actor: Member, post: Post, thread: Thread
) -> None:
    """+15 to the answerer, +2 to the acceptor; nobody earns points for their own answer."""
    if post.author_id == actor.id:
        return
    rules = await rules_for(session, tenant_id)
    answerer = await session.get(Member, post.author_id)
    assert answerer is not None
    cause = Cause(actor.id, post.id, thread.category_id)
    for member, reason in sorted(
        [(answerer, Reason.ANSWER_ACCEPTED), (actor, Reason.ACCEPTED_AN_ANSWER)],
        key=lambda pair: pair[0].id,  # a fixed lock order: no deadlock between two accepts
    ):
        await award(session, rules, member, reason, cause)


async def unaccept(session: AsyncSession, tenant_id: int, actor: Member, post_id: int) -> Thread:
    post, thread = await _answer_and_thread(session, tenant_id, post_id)
    _check_may_accept(actor, thread)
    if thread.accepted_post_id != post.id:
        raise ValidationFailed({"post": "This answer is not the accepted one."})
    await reverse_live_events(session, post_id=post.id, reasons=ACCEPT_REASONS)
    thread.accepted_post_id, thread.accepted_at = None, None
    record(session, actor, "answer.unaccept", ("thread", thread.id),
           before={"accepted_post_id": post.id}, after={"accepted_post_id": None})  # fmt: skip
    await session.flush()
    return thread


async def certify(
    session: AsyncSession, tenant_id: int, actor: Member, post_id: int, note: str = ""
) -> Thread:
    _check_may_certify(actor)
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": "The note is too long (500 characters at most)."})
    post, thread = await _answer_and_thread(session, tenant_id, post_id)
    if post.author_id == actor.id:
        raise Forbidden("Someone else must certify your answer.")
    before = thread.certified_post_id
    if before == post.id and thread.certified_note == note.strip():
        return thread
    if before is not None and before != post.id:
        await reverse_live_events(session, post_id=before, reasons=[Reason.ANSWER_CERTIFIED])
    if before != post.id:
        answerer = await session.get(Member, post.author_id)
        assert answerer is not None
        rules = await rules_for(session, tenant_id)
        cause = Cause(actor.id, post.id, thread.category_id)
        await award(session, rules, answerer, Reason.ANSWER_CERTIFIED, cause)
    thread.certified_post_id, thread.certified_by_id = post.id, actor.id
    thread.certified_note, thread.certified_at = note.strip(), utcnow()
    record(session, actor, "answer.certify", ("thread", thread.id),
           before={"certified_post_id": before},
           after={"certified_post_id": post.id, "note": thread.certified_note})  # fmt: skip
    enqueue_after_commit(session, "check_badges", tenant_id=tenant_id, member_ids=[post.author_id])
    await session.flush()
    return thread


async def uncertify(session: AsyncSession, tenant_id: int, actor: Member, post_id: int) -> Thread:
    _check_may_certify(actor)
    post, thread = await _answer_and_thread(session, tenant_id, post_id)
    if thread.certified_post_id != post.id:
        raise ValidationFailed({"post": "This answer is not the certified one."})
    await reverse_live_events(session, post_id=post.id, reasons=[Reason.ANSWER_CERTIFIED])
    thread.certified_post_id, thread.certified_by_id = None, None
    thread.certified_note, thread.certified_at = "", None
    record(session, actor, "answer.uncertify", ("thread", thread.id),
           before={"certified_post_id": post.id}, after={"certified_post_id": None})  # fmt: skip
    await session.flush()
    return thread
