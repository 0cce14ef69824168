"""What a member's profile shows, and their influence."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission
from community.scope import Scope
from community.scoring.badges import accepted_answers, certified_answers, count, earned_badges
from community.scoring.models import MemberBadge
from community.votes.models import Vote

RECENT = 5
CERTIFIED_WEIGHT, ACCEPTED_WEIGHT = 5, 3


@dataclass(frozen=True)
class Profile:
    """A member's profile as the scope's viewer may see it."""

    member: Member
    badges: list[MemberBadge]
    recent_questions: list[Thread]
    recent_answers: list[Post]
    accepted_answers: int
    certified_answers: int
    net_votes_received: int
    influence: int | None  # None unless the viewer may see influence (moderators, admins)
    sees_ban_reason: bool = False  # the viewer may read why the member is suspended
    may_suspend: bool = False  # the viewer may suspend or ban this member from the profile


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


async def member_influence(scope: Scope, member_id: int) -> int:
    """A member's influence alone, without the rest of the profile (for the services that
    weigh it; unlike the profile, it does not ask whether the actor may see it)."""
    return influence(
        await count(scope, certified_answers(member_id)),
        await count(scope, accepted_answers(member_id)),
        await count(scope, _net_votes_received(member_id)),
    )


async def member_profile(scope: Scope, member_id: int) -> Profile:
    member = await scope.one(Member, member_id, "No such member.")
    questions = await scope.db.scalars(
        scope.select(Thread)
        .where(Thread.author_id == member.id, Thread.deleted_at.is_(None))
        .where(Thread.kind == ThreadKind.QUESTION, Thread.visibility == Visibility.PUBLISHED)
        .order_by(Thread.created_at.desc())
        .limit(RECENT)
    )
    answers = await scope.db.scalars(
        scope.select(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == member.id, Post.number > 1, Post.deleted_at.is_(None))
        .where(Post.visibility == Visibility.PUBLISHED, Thread.visibility == Visibility.PUBLISHED)
        .where(Thread.kind == ThreadKind.QUESTION)
        .where(Thread.deleted_at.is_(None))
        .options(joinedload(Post.thread))
        .order_by(Post.created_at.desc())
        .limit(RECENT)
    )
    accepted = await count(scope, accepted_answers(member.id))
    certified = await count(scope, certified_answers(member.id))
    votes = await count(scope, _net_votes_received(member.id))
    moderates = scope.can(Permission.BAN)
    return Profile(
        member=member,
        badges=await earned_badges(scope, member.id),
        recent_questions=list(questions.all()),
        recent_answers=list(answers.all()),
        accepted_answers=accepted,
        certified_answers=certified,
        net_votes_received=votes,
        influence=influence(certified, accepted, votes)
        if scope.can(Permission.SEE_INFLUENCE)
        else None,
        sees_ban_reason=moderates,
        # Moderators and admins are not suspended from here, nor is anyone by themselves.
        may_suspend=moderates
        and not scope.is_actor(member.id)
        and not has_permission(member, Permission.MODERATE),
    )
