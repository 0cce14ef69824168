"""What the widgets show a brand's page: top questions, certified answers, an idea board and
the ask box's suggestions. Each reads through the services of the capability it shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from community.deflection import services as deflection
from community.deflection.services import Suggestions
from community.forums import services as forums
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.ideas import services as ideas
from community.ideas.models import Idea, IdeaVote
from community.inputs import parse_int
from community.scope import Scope
from community.tags import services as tags

DEFAULT_LIMIT = 5
MAX_LIMIT = 10


def widget_limit(text: str) -> int:
    """How many rows a widget shows: its `limit` parameter, 1 to 10 (else the default)."""
    number = parse_int(text, 1, MAX_LIMIT)
    return DEFAULT_LIMIT if number is None else number


def _listed_threads(scope: Scope) -> Select[Thread]:
    """Published questions (the widgets show no discussions, and ideas have their own)."""
    return (
        scope.select(Thread)
        .where(
            Thread.deleted_at.is_(None),
            Thread.visibility == Visibility.PUBLISHED,
            Thread.kind == ThreadKind.QUESTION,
        )
        .options(joinedload(Thread.category))
    )


async def top_questions(
    scope: Scope, *, category: str = "", tag: str = "", limit: int
) -> list[Thread]:
    """The questions with the most votes (then views), of a category or a tag (slugs)."""
    query = _listed_threads(scope).join(Post, (Post.thread_id == Thread.id) & (Post.number == 1))
    if category:
        query = query.where(Thread.category_id == (await forums.get_category(scope, category)).id)
    if tag:
        query = query.where(Thread.id.in_(tags.tagged_thread_ids(await tags.get_tag(scope, tag))))
    ordered = query.order_by(Post.score.desc(), Thread.view_count.desc(), Thread.id.desc())
    return list((await scope.db.scalars(ordered.limit(limit))).all())


async def certified_answers(scope: Scope, *, category: str = "", limit: int) -> list[Thread]:
    """The threads whose answer staff certified most recently, of a category (slug)."""
    query = _listed_threads(scope).where(Thread.certified_post_id.is_not(None))
    if category:
        query = query.where(Thread.category_id == (await forums.get_category(scope, category)).id)
    ordered = query.order_by(Thread.certified_at.desc(), Thread.id.desc())
    return list((await scope.db.scalars(ordered.limit(limit))).all())


@dataclass(frozen=True)
class IdeaWidget:
    ideas: list[Idea]
    voted: frozenset[int]  # the ideas the scope's member voted for


async def top_ideas(scope: Scope, *, board: str = "", limit: int) -> IdeaWidget:
    """The board's (or every board's) ideas with the most votes, and the member's votes."""
    listed = (await ideas.list_ideas(scope, sort="top", board=board, page_size=limit)).ideas.items
    return IdeaWidget(listed, await _voted(scope, [idea.id for idea in listed]))


async def _voted(scope: Scope, idea_ids: list[int]) -> frozenset[int]:
    if scope.member is None or not idea_ids:
        return frozenset()
    found = await scope.db.scalars(
        select(IdeaVote.idea_id).where(
            IdeaVote.member_id == scope.member.id, IdeaVote.idea_id.in_(idea_ids)
        )
    )
    return frozenset(found.all())


async def vote_on_idea(scope: Scope, idea_id: int, *, withdraw: bool) -> Idea:
    """The widget's vote button: the idea board's own rules (members only, open ideas)."""
    return await (ideas.unvote if withdraw else ideas.vote)(scope, idea_id)


async def ask_suggestions(scope: Scope, question: str, key: str) -> Suggestions:
    """The ask box's answered questions like the one typed (the ask form's suggestions)."""
    return await deflection.suggest(scope, question, key)
