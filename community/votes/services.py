"""Voting on posts: one vote per member per post; the same value again withdraws it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from community.db import in_tenant
from community.errors import Forbidden, NotFound, ValidationFailed
from community.forums.models import Post, Thread, Visibility
from community.identity.models import Member
from community.jobs import enqueue_after_commit
from community.scoring.models import VOTE_REASONS, Reason
from community.scoring.services import Cause, award, reverse_live_events, rules_for
from community.votes.models import Vote


@dataclass(frozen=True)
class VoteOutcome:
    post_id: int
    score: int
    my_vote: int  # -1, 0 (none) or 1


async def vote(
    session: AsyncSession, tenant_id: int, voter: Member, post_id: int, value: int
) -> VoteOutcome:
    """Cast, switch or withdraw `voter`'s vote. The post row is locked so the score is exact."""
    if value not in (1, -1):
        raise ValidationFailed({"value": "A vote is 1 (up) or -1 (down)."})
    post = await _locked_post(session, tenant_id, post_id)
    if post.author_id == voter.id:
        raise Forbidden("You cannot vote on your own post.")
    rules = await rules_for(session, tenant_id)
    if value == -1 and not rules.allow_downvotes:
        raise Forbidden("Downvotes are turned off in this community.")
    existing = await session.scalar(
        select(Vote).where(Vote.member_id == voter.id, Vote.post_id == post.id)
    )
    old_value = existing.value if existing else 0
    new_value = 0 if old_value == value else value
    if existing:
        await reverse_live_events(session, post_id=post.id, reasons=VOTE_REASONS, actor_id=voter.id)
        if new_value:
            existing.value = new_value
        else:
            await session.delete(existing)
    else:
        session.add(Vote(tenant_id=tenant_id, member_id=voter.id, post_id=post.id, value=value))
    score = await _add_to_score(session, post.id, new_value - old_value)
    if new_value:
        await _award_for_vote(session, tenant_id, post, voter, new_value)
    enqueue_after_commit(session, "check_badges", tenant_id=tenant_id, member_ids=[post.author_id])
    return VoteOutcome(post.id, score, new_value)


async def my_votes(
    session: AsyncSession, voter: Member | None, post_ids: list[int]
) -> dict[int, int]:
    """The viewer's votes on these posts, in one query."""
    if voter is None or not post_ids:
        return {}
    rows = await session.execute(
        select(Vote.post_id, Vote.value).where(
            Vote.member_id == voter.id, Vote.post_id.in_(post_ids)
        )
    )
    return {post_id: value for post_id, value in rows.all()}


async def _locked_post(session: AsyncSession, tenant_id: int, post_id: int) -> Post:
    post = await session.scalar(
        in_tenant(Post, tenant_id).where(Post.id == post_id).with_for_update()
    )
    if post is None or post.deleted_at is not None or post.visibility != Visibility.PUBLISHED:
        raise NotFound("This post does not exist or was deleted.")
    return post


async def _add_to_score(session: AsyncSession, post_id: int, delta: int) -> int:
    score = await session.scalar(
        update(Post)
        .where(Post.id == post_id)
        .values(score=Post.score + delta)
        .returning(Post.score)
        .execution_options(synchronize_session=False)
    )
    return int(score or 0)


async def _award_for_vote(
    session: AsyncSession, tenant_id: int, post: Post, voter: Member, value: int
) -> None:
    author = await session.get(Member, post.author_id)
    category_id = await session.scalar(
        select(Thread.category_id).where(Thread.id == post.thread_id)
    )
    assert author is not None
    if value < 0:
        reason = Reason.DOWNVOTE_RECEIVED
    else:
        reason = Reason.QUESTION_UPVOTED if post.is_opening else Reason.ANSWER_UPVOTED
    rules = await rules_for(session, tenant_id)
    await award(session, rules, author, reason, Cause(voter.id, post.id, category_id))
