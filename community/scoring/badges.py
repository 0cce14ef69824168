"""Badges: rules over the facts, awarded once each by a background job."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from community.forums.models import Post, Thread, ThreadKind
from community.identity.models import Member
from community.scoring.models import MemberBadge

Rule = Callable[[AsyncSession, int], Awaitable[bool]]

POPULAR_QUESTION_VIEWS = 1000
GREAT_ANSWER_SCORE = 10


@dataclass(frozen=True)
class Badge:
    code: str
    name: dict[str, str]
    description: dict[str, str]
    rule: Rule

    def text(self, locale: str) -> tuple[str, str]:
        return self.name.get(locale, self.name["en"]), self.description.get(
            locale, self.description["en"]
        )


async def count(session: AsyncSession, query: Select[int]) -> int:
    return int(await session.scalar(query) or 0)


def _questions_asked(member_id: int) -> Select[int]:
    return select(func.count()).where(
        Thread.author_id == member_id,
        Thread.kind == ThreadKind.QUESTION,
        Thread.deleted_at.is_(None),
    )


def _answers_given(member_id: int) -> Select[int]:
    return (
        select(func.count())
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.author_id == member_id,
            Post.number > 1,
            Post.deleted_at.is_(None),
            Thread.kind == ThreadKind.QUESTION,
        )
    )


def _answers_marked(member_id: int, marker: InstrumentedAttribute[int | None]) -> Select[int]:
    return (
        select(func.count())
        .select_from(Thread)
        .join(Post, Post.id == marker)
        .where(Post.author_id == member_id)
    )


def at_least(count_query: Callable[[int], Select[int]], n: int) -> Rule:
    async def rule(session: AsyncSession, member_id: int) -> bool:
        return await count(session, count_query(member_id)) >= n

    return rule


def accepted_answers(member_id: int) -> Select[int]:
    """Answers accepted by someone else: accepting your own answer earns nothing."""
    return _answers_marked(member_id, Thread.accepted_post_id).where(Thread.author_id != member_id)


def certified_answers(member_id: int) -> Select[int]:
    return _answers_marked(member_id, Thread.certified_post_id)


def _popular_questions(member_id: int) -> Select[int]:
    return select(func.count()).where(
        Thread.author_id == member_id, Thread.view_count >= POPULAR_QUESTION_VIEWS
    )


def _great_answers(member_id: int) -> Select[int]:
    return select(func.count()).where(
        Post.author_id == member_id, Post.number > 1, Post.score >= GREAT_ANSWER_SCORE
    )


BADGES: list[Badge] = [
    Badge("first_question", {"en": "Curious", "fr": "Curieux"},
          {"en": "Asked a first question.", "fr": "A posé une première question."},
          at_least(_questions_asked, 1)),
    Badge("first_answer", {"en": "Helping hand", "fr": "Coup de main"},
          {"en": "Answered a first question.", "fr": "A répondu à une première question."},
          at_least(_answers_given, 1)),
    Badge("first_accepted", {"en": "Problem solver", "fr": "Solutionneur"},
          {"en": "Had a first answer accepted.", "fr": "A vu une première réponse acceptée."},
          at_least(accepted_answers, 1)),
    Badge("certified", {"en": "Certified", "fr": "Certifié"},
          {"en": "Had an answer certified by the brand.",
           "fr": "A vu une réponse certifiée par la marque."},
          at_least(certified_answers, 1)),
    Badge("accepted_10", {"en": "Trusted advisor", "fr": "Conseiller de confiance"},
          {"en": "Had 10 answers accepted.", "fr": "A vu 10 réponses acceptées."},
          at_least(accepted_answers, 10)),
    Badge("accepted_50", {"en": "Guru", "fr": "Gourou"},
          {"en": "Had 50 answers accepted.", "fr": "A vu 50 réponses acceptées."},
          at_least(accepted_answers, 50)),
    Badge("popular_question", {"en": "Popular question", "fr": "Question populaire"},
          {"en": f"Asked a question viewed {POPULAR_QUESTION_VIEWS} times.",
           "fr": f"A posé une question vue {POPULAR_QUESTION_VIEWS} fois."},
          at_least(_popular_questions, 1)),
    Badge("great_answer", {"en": "Great answer", "fr": "Excellente réponse"},
          {"en": f"Wrote an answer scored {GREAT_ANSWER_SCORE} or more.",
           "fr": f"A écrit une réponse notée {GREAT_ANSWER_SCORE} ou plus."},
          at_least(_great_answers, 1)),
]  # fmt: skip
BADGES_BY_CODE = {badge.code: badge for badge in BADGES}


async def earned_badges(session: AsyncSession, member_id: int) -> list[MemberBadge]:
    result = await session.scalars(
        select(MemberBadge)
        .where(MemberBadge.member_id == member_id)
        .order_by(MemberBadge.awarded_at)
    )
    return list(result.all())


async def check_badges(session: AsyncSession, tenant_id: int, member_id: int) -> list[str]:
    """Award every badge whose rule the member now meets; returns the new ones' codes."""
    member = await session.get(Member, member_id)
    if member is None or member.tenant_id != tenant_id:
        return []
    held = {b.badge for b in await earned_badges(session, member_id)}
    awarded = []
    for badge in BADGES:
        if badge.code not in held and await badge.rule(session, member_id):
            try:
                async with session.begin_nested():
                    session.add(
                        MemberBadge(tenant_id=tenant_id, member_id=member_id, badge=badge.code)
                    )
            except IntegrityError:  # a concurrent job awarded it first
                continue
            awarded.append(badge.code)
    return awarded


async def badge_holders(session: AsyncSession, tenant_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(MemberBadge.badge, func.count())
        .where(MemberBadge.tenant_id == tenant_id)
        .group_by(MemberBadge.badge)
    )
    return {code: int(n) for code, n in rows.all()}
