"""Badges: rules over the facts, awarded once each by a background job."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from community.forums.models import Post, Thread, ThreadKind
from community.identity.models import Member
from community.l10n import N_, NC_, context_gettext, translate
from community.notify.services import notify
from community.scope import Scope
from community.scoring.models import MemberBadge

Rule = Callable[[Scope, int], Awaitable[bool]]

POPULAR_QUESTION_VIEWS = 1000
GREAT_ANSWER_SCORE = 10


@dataclass(frozen=True)
class Badge:
    code: str
    name: str  # in English, marked for translation in the "badge" context
    description: str
    rule: Rule

    def text(self, locale: str) -> tuple[str, str]:
        """The name and description in the locale."""
        return context_gettext(locale, "badge", self.name), translate(locale, self.description)


async def count(scope: Scope, query: Select[int]) -> int:
    return int(await scope.db.scalar(query) or 0)


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
    async def rule(scope: Scope, member_id: int) -> bool:
        return await count(scope, count_query(member_id)) >= n

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
    Badge("first_question", NC_("badge", "Curious"), N_("Asked a first question."),
          at_least(_questions_asked, 1)),
    Badge("first_answer", NC_("badge", "Helping hand"), N_("Answered a first question."),
          at_least(_answers_given, 1)),
    Badge("first_accepted", NC_("badge", "Problem solver"), N_("Had a first answer accepted."),
          at_least(accepted_answers, 1)),
    Badge("certified", NC_("badge", "Certified"), N_("Had an answer certified by the brand."),
          at_least(certified_answers, 1)),
    Badge("accepted_10", NC_("badge", "Trusted advisor"), N_("Had 10 answers accepted."),
          at_least(accepted_answers, 10)),
    Badge("accepted_50", NC_("badge", "Guru"), N_("Had 50 answers accepted."),
          at_least(accepted_answers, 50)),
    Badge("popular_question", NC_("badge", "Popular question"),
          N_("Asked a question viewed %(views)s times.") % {"views": POPULAR_QUESTION_VIEWS},
          at_least(_popular_questions, 1)),
    Badge("great_answer", NC_("badge", "Great answer"),
          N_("Wrote an answer scored %(score)s or more.") % {"score": GREAT_ANSWER_SCORE},
          at_least(_great_answers, 1)),
]  # fmt: skip
BADGES_BY_CODE = {badge.code: badge for badge in BADGES}


async def earned_badges(scope: Scope, member_id: int) -> list[MemberBadge]:
    result = await scope.db.scalars(
        scope.select(MemberBadge)
        .where(MemberBadge.member_id == member_id)
        .order_by(MemberBadge.awarded_at)
    )
    return list(result.all())


async def check_badges(scope: Scope, member_id: int) -> list[str]:
    """Award every badge whose rule the member now meets; returns the new ones' codes."""
    if await scope.get(Member, member_id) is None:  # gone, or of another tenant
        return []
    held = {b.badge for b in await earned_badges(scope, member_id)}
    awarded = []
    for badge in BADGES:
        if badge.code not in held and await badge.rule(scope, member_id):
            try:
                async with scope.db.begin_nested():
                    scope.db.add(MemberBadge(member_id=member_id, badge=badge.code))
            except IntegrityError:  # a concurrent job awarded it first
                continue
            awarded.append(badge.code)
            await _tell(scope, member_id, badge)
    return awarded


async def _tell(scope: Scope, member_id: int, badge: Badge) -> None:
    name, _ = badge.text(scope.tenant.locale)
    await notify(scope, [member_id], kind="badge_earned", text=name, url="/badges",
                 event_key=f"badge:{badge.code}")  # fmt: skip


@dataclass(frozen=True)
class BadgeBoard:
    """The badge list as a member sees it: how many hold each, and which the viewer holds."""

    holders: dict[str, int]
    mine: set[str]


async def badge_board(scope: Scope) -> BadgeBoard:
    rows = await scope.db.execute(
        select(MemberBadge.badge, func.count()).group_by(MemberBadge.badge)
    )
    mine = {b.badge for b in await earned_badges(scope, scope.member.id)} if scope.member else set()
    return BadgeBoard({code: int(n) for code, n in rows.all()}, mine)
