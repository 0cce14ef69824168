"""What a member's profile shows, and their influence."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from community.db import in_tenant
from community.errors import NotFound
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.identity.models import Member
from community.scoring.badges import accepted_answers, certified_answers, count, earned_badges
from community.scoring.models import MemberBadge
from community.votes.models import Vote

RECENT = 5
CERTIFIED_WEIGHT, ACCEPTED_WEIGHT = 5, 3


@dataclass(frozen=True)
class Profile:
    member: Member
    badges: list[MemberBadge]
    recent_questions: list[Thread]
    recent_answers: list[Post]
    accepted_answers: int
    certified_answers: int
    net_votes_received: int

    @property
    def influence(self) -> int:
        return influence(self.certified_answers, self.accepted_answers, self.net_votes_received)


def influence(certified: int, accepted: int, net_votes: int) -> int:
    """How much weight a member carries: 5 per certified answer, 3 per accepted answer,
    plus the net votes their posts received (never below zero)."""
    return max(0, CERTIFIED_WEIGHT * certified + ACCEPTED_WEIGHT * accepted + net_votes)


def _net_votes_received(member_id: int) -> Select[int]:
    return (
        select(func.coalesce(func.sum(Vote.value), 0))
        .join(Post, Post.id == Vote.post_id)
        .where(Post.author_id == member_id)
    )


async def member_influence(session: AsyncSession, member_id: int) -> int:
    """A member's influence alone, without the rest of the profile."""
    return influence(
        await count(session, certified_answers(member_id)),
        await count(session, accepted_answers(member_id)),
        await count(session, _net_votes_received(member_id)),
    )


async def member_profile(session: AsyncSession, tenant_id: int, member_id: int) -> Profile:
    member = await session.scalar(in_tenant(Member, tenant_id).where(Member.id == member_id))
    if member is None:
        raise NotFound("No such member.")
    questions = await session.scalars(
        in_tenant(Thread, tenant_id)
        .where(Thread.author_id == member.id, Thread.deleted_at.is_(None))
        .where(Thread.kind == ThreadKind.QUESTION, Thread.visibility == Visibility.PUBLISHED)
        .order_by(Thread.created_at.desc())
        .limit(RECENT)
    )
    answers = await session.scalars(
        in_tenant(Post, tenant_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == member.id, Post.number > 1, Post.deleted_at.is_(None))
        .where(Post.visibility == Visibility.PUBLISHED, Thread.visibility == Visibility.PUBLISHED)
        .where(Thread.kind == ThreadKind.QUESTION)
        .where(Thread.deleted_at.is_(None))
        .options(joinedload(Post.thread))
        .order_by(Post.created_at.desc())
        .limit(RECENT)
    )
    votes = await session.scalar(_net_votes_received(member.id))
    return Profile(
        member=member,
        badges=await earned_badges(session, member.id),
        recent_questions=list(questions.all()),
        recent_answers=list(answers.all()),
        accepted_answers=await count(session, accepted_answers(member.id)),
        certified_answers=await count(session, certified_answers(member.id)),
        net_votes_received=int(votes or 0),
    )
