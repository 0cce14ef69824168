"""Voting on posts: one vote per member per post; the same value again withdraws it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from community.errors import Forbidden, NotFound, ValidationFailed
from community.forums.models import Post, Thread, Visibility
from community.identity.models import Member
from community.jobs import enqueue_after_commit
from community.l10n import N_
from community.scope import Scope
from community.scoring.models import VOTE_REASONS, Reason
from community.scoring.services import Cause, award, reverse_live_events
from community.search.queue import touch
from community.votes.models import Vote


@dataclass(frozen=True)
class VoteOutcome:
    post_id: int
    score: int
    my_vote: int  # -1, 0 (none) or 1


async def vote(scope: Scope, post_id: int, value: int) -> VoteOutcome:
    """Cast, switch or withdraw the actor's vote. The post row is locked so the score is exact."""
    voter = scope.actor
    if value not in (1, -1):
        raise ValidationFailed({"value": N_("A vote is 1 (up) or -1 (down).")})
    post = await _locked_post(scope, post_id)
    if post.author_id == voter.id:
        raise Forbidden("You cannot vote on your own post.")
    if value == -1 and not scope.settings.allow_downvotes:
        raise Forbidden("Downvotes are turned off in this community.")
    session = scope.db
    existing = await session.scalar(
        select(Vote).where(Vote.member_id == voter.id, Vote.post_id == post.id)
    )
    old_value = existing.value if existing else 0
    new_value = 0 if old_value == value else value
    if existing:
        await reverse_live_events(scope, post_id=post.id, reasons=VOTE_REASONS, actor_id=voter.id)
        if new_value:
            existing.value = new_value
        else:
            await session.delete(existing)
    else:
        session.add(Vote(member_id=voter.id, post_id=post.id, value=value))
    score = await _add_to_score(scope, post.id, new_value - old_value)
    if post.is_opening:  # a thread's votes rank it in search
        touch(session, scope.tenant_id, post.thread_id, "votes")
    if new_value:
        await _award_for_vote(scope, post, voter, new_value)
    enqueue_after_commit(
        session, "check_badges", tenant_id=scope.tenant_id, member_ids=[post.author_id]
    )
    return VoteOutcome(post.id, score, new_value)


async def my_votes(scope: Scope, post_ids: list[int]) -> dict[int, int]:
    """The actor's votes on these posts, in one query (none for a guest)."""
    if scope.member is None or not post_ids:
        return {}
    rows = await scope.db.execute(
        select(Vote.post_id, Vote.value).where(
            Vote.member_id == scope.member.id, Vote.post_id.in_(post_ids)
        )
    )
    return {post_id: value for post_id, value in rows.all()}


async def _locked_post(scope: Scope, post_id: int) -> Post:
    post = await scope.db.scalar(select(Post).where(Post.id == post_id).with_for_update())
    if post is None or post.deleted_at is not None or post.visibility != Visibility.PUBLISHED:
        raise NotFound("This post does not exist or was deleted.")
    return post


async def _add_to_score(scope: Scope, post_id: int, delta: int) -> int:
    score = await scope.db.scalar(
        update(Post)
        .where(Post.id == post_id)
        .values(score=Post.score + delta)
        .returning(Post.score)
        .execution_options(synchronize_session=False)
    )
    return int(score or 0)


async def _award_for_vote(scope: Scope, post: Post, voter: Member, value: int) -> None:
    category_id = await scope.db.scalar(
        select(Thread.category_id).where(Thread.id == post.thread_id)
    )
    if value < 0:
        reason = Reason.DOWNVOTE_RECEIVED
    else:
        reason = Reason.QUESTION_UPVOTED if post.is_opening else Reason.ANSWER_UPVOTED
    cause = Cause(voter.id, post.id, category_id)
    await award(scope, post.author_id, reason, cause)
