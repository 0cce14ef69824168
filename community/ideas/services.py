"""Idea boards: submit, find similar, vote, decide a status with an official response, merge.

Trending (documented in the README): each vote weighs 4 in its first 7 days, 2 until it is
30 days old, then 1 — that is `all votes + votes of the last 30 days + 2 × votes of the last
7 days`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, insert, literal, select, update
from sqlalchemy.orm import joinedload

from community.db import utcnow
from community.errors import NotFound, ValidationFailed
from community.events import EVENTS, IDEA_STATUS_CHANGED
from community.forums import services as forums
from community.forums.lifecycle import ThreadView
from community.forums.markdown import render_markdown
from community.forums.models import Category, CategoryKind, Post, Thread, ThreadKind, Visibility
from community.ideas.models import Idea, IdeaStatus, IdeaStatusChange, IdeaVote
from community.identity.permissions import Permission
from community.inputs import parse_id, refuse_control_characters
from community.jobs import enqueue_after_commit
from community.l10n import N_, gettext
from community.moderation.audit import record
from community.notify import services as notify
from community.notify.models import Subscription
from community.pagination import Page
from community.scope import Scope
from community.scoring.models import Reason, ReputationEvent
from community.scoring.services import Cause, award
from community.search import service as search
from community.search.port import SearchQuery

SORTS = ("trending", "top", "newest", "updated")
ROADMAP = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
REWARDED = {IdeaStatus.PLANNED: Reason.IDEA_PLANNED, IdeaStatus.DONE: Reason.IDEA_DONE}
SIMILAR_LIMIT = 5
RESPONSE_MAX = 5000
STATUS_SETTERS = N_("Only brand experts and moderators can change an idea's status.")
MERGERS = N_("Only moderators can merge ideas.")


# ---- boards and submitting -----------------------------------------------------------------


async def create_idea(scope: Scope, *, board: str, title: str, body: str) -> Idea:
    """The actor submits an idea on a board, and follows it."""
    _ = scope.actor  # guests are asked to log in before the board is looked at
    category = await forums.get_category(scope, board)
    if not category.is_idea_board:
        raise ValidationFailed({"board": N_("Choose an idea board.")})
    thread = await forums.create_thread(
        scope, category_slug=board, title=title, body=body, kind=ThreadKind.IDEA
    )
    idea = Idea(thread_id=thread.id, status_changed_at=thread.created_at)
    scope.db.add(idea)
    await notify.follow(scope, thread.id)
    await scope.db.flush()
    return idea


async def idea_boards(scope: Scope) -> list[Category]:
    return await forums.list_categories(scope, CategoryKind.IDEAS)


async def boards_to_submit_on(scope: Scope) -> list[Category]:
    """The boards of the submission form (guests are asked to log in first)."""
    _ = scope.actor
    return await idea_boards(scope)


@dataclass(frozen=True)
class Submission:
    """A submitted idea, or the similar ideas to look at before confirming it."""

    idea: Idea | None
    similar: list[Idea]


async def submit_idea(
    scope: Scope, *, board: str, title: str, body: str, confirmed: bool = False
) -> Submission:
    """The actor's idea, unless similar ones exist and the submission is not `confirmed`
    (then the similar ones, so that duplicates get votes instead)."""
    _ = scope.actor  # guests are asked to log in before anything else
    similar = await similar_ideas(scope, title)
    if similar and not confirmed:
        return Submission(None, similar)
    return Submission(await create_idea(scope, board=board, title=title, body=body), similar)


def title_words(title: str) -> list[str]:
    """Significant words of a title, lowercased and without accents."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return sorted({w for w in re.findall(r"[a-z0-9]+", plain) if len(w) >= 4})


SIMILAR_CANDIDATES = 1000


async def similar_ideas(scope: Scope, title: str) -> list[Idea]:
    """Open ideas like `title`, so duplicates get votes instead: what the search engine finds
    (misspellings, missing accents, the tenant's synonyms), then the ideas sharing the most
    title words with it (compared without case or accents)."""
    words = set(title_words(title))
    if not words:
        return []
    ids = list(dict.fromkeys([*await _searched(scope, title), *await _sharing(scope, words)]))
    query = _ideas().where(Idea.id.in_(ids), Idea.status != IdeaStatus.MERGED)
    found = {idea.id: idea for idea in await scope.db.scalars(query)}
    return [found[i] for i in ids if i in found][:SIMILAR_LIMIT]


async def _searched(scope: Scope, title: str) -> list[int]:
    query = SearchQuery(text=title[:200], kinds=(ThreadKind.IDEA.value,), limit=SIMILAR_LIMIT)
    thread_ids = [hit.thread_id for hit in (await search.search(scope, query)).hits]
    rows = await scope.db.execute(
        select(Idea.thread_id, Idea.id).where(Idea.thread_id.in_(thread_ids))
    )
    by_thread = dict(rows.tuples().all())
    return [by_thread[t] for t in thread_ids if t in by_thread]


async def _sharing(scope: Scope, words: set[str]) -> list[int]:
    """In Python over the most voted ideas (SQL cannot fold accents portably)."""
    candidates = await scope.db.execute(
        select(Idea.id, Thread.title)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(
            Idea.status != IdeaStatus.MERGED,
            Thread.deleted_at.is_(None),
            Thread.visibility == Visibility.PUBLISHED,
        )
        .order_by(Idea.vote_count.desc(), Idea.id.desc())
        .limit(SIMILAR_CANDIDATES)
    )
    scored = [(len(words & set(title_words(t))), i) for i, t in candidates.all()]
    return [i for score, i in sorted(scored, key=lambda p: -p[0]) if score][:SIMILAR_LIMIT]


# ---- reading -------------------------------------------------------------------------------


def _ideas() -> Select[Idea]:
    """The ideas not deleted, with their thread, its author and board (the session keeps
    them to its tenant)."""
    return (
        select(Idea)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Thread.deleted_at.is_(None))
        .options(
            joinedload(Idea.thread).joinedload(Thread.author),
            joinedload(Idea.thread).joinedload(Thread.category),
        )
    )


async def get_idea(scope: Scope, idea_id: int, *, lock: bool = False) -> Idea:
    query = _ideas().where(Idea.id == idea_id)
    if lock:
        query = query.with_for_update(of=Idea)
    idea = await scope.db.scalar(query)
    if idea is None:
        raise NotFound("This idea does not exist or was deleted.")
    return idea


def _trending_score() -> Select[tuple[int, int]]:
    now = utcnow()
    weight = case(
        (IdeaVote.created_at >= now - timedelta(days=7), 4),
        (IdeaVote.created_at >= now - timedelta(days=30), 2),
        else_=1,
    )
    return select(IdeaVote.idea_id, func.sum(weight).label("trending")).group_by(IdeaVote.idea_id)  # type: ignore[return-value]


@dataclass(frozen=True)
class IdeaBoard:
    """The ideas page: one page of ideas, the board chosen (if any) and the boards."""

    ideas: Page[Idea]
    board: Category | None
    boards: list[Category]  # to choose from (empty unless asked for)


async def list_ideas(
    scope: Scope,
    *,
    sort: str = "trending",
    status: str = "",
    board: str = "",
    page: int = 1,
    page_size: int = 20,
    with_boards: bool = False,
) -> IdeaBoard:
    """One page of ideas, sorted; by default of every status but merged, on every board
    (`board` is a board's slug); `with_boards`, the idea boards to choose from as well."""
    in_board = await forums.get_category(scope, board) if board else None
    listing = await _listing(
        scope, sort=sort, status=status, board=in_board, page=page, page_size=page_size
    )
    return IdeaBoard(listing, in_board, await idea_boards(scope) if with_boards else [])


async def _listing(
    scope: Scope,
    *,
    sort: str,
    status: str,
    board: Category | None,
    page: int,
    page_size: int,
) -> Page[Idea]:
    if sort not in SORTS:
        raise ValidationFailed({"sort": N_("Sort by trending, top, newest or updated.")})
    conditions = [Thread.visibility == Visibility.PUBLISHED]
    conditions.append(
        Idea.status == _status(status) if status else Idea.status != IdeaStatus.MERGED
    )
    if board is not None:
        conditions.append(Thread.category_id == board.id)
    query = _ideas().where(*conditions)
    if sort == "trending":
        scores = _trending_score().subquery()
        query = query.outerjoin(scores, scores.c.idea_id == Idea.id).order_by(
            func.coalesce(scores.c.trending, 0).desc(), Idea.vote_count.desc()
        )
    orders: dict[str, list[Any]] = {
        "trending": [Idea.id.desc()],
        "top": [Idea.vote_count.desc(), Idea.id.desc()],
        "newest": [Thread.created_at.desc(), Idea.id.desc()],
        "updated": [Thread.last_activity_at.desc(), Idea.id.desc()],
    }
    order = orders[sort]
    total = await scope.db.scalar(
        select(func.count())
        .select_from(Idea)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Thread.deleted_at.is_(None), *conditions)
    )
    result = await scope.db.scalars(
        query.order_by(*order).offset((page - 1) * page_size).limit(page_size)
    )
    listing = Page(list(result.unique().all()), page, page_size, int(total or 0))
    if page > listing.count:
        raise NotFound("There is no such page.")
    return listing


def _status(raw: str) -> IdeaStatus:
    try:
        return IdeaStatus(raw)
    except ValueError as exc:
        raise ValidationFailed({"status": N_("Unknown idea status.")}) from exc


async def roadmap(scope: Scope) -> dict[IdeaStatus, list[Idea]]:
    result = await scope.db.scalars(
        _ideas()
        .where(Idea.status.in_(ROADMAP), Thread.visibility == Visibility.PUBLISHED)
        .order_by(Idea.vote_count.desc(), Idea.status_changed_at.desc())
    )
    columns: dict[IdeaStatus, list[Idea]] = {status: [] for status in ROADMAP}
    for idea in result.unique().all():
        columns[idea.status].append(idea)
    return columns


async def status_history(scope: Scope, idea: Idea) -> list[IdeaStatusChange]:
    result = await scope.db.scalars(
        select(IdeaStatusChange)
        .where(IdeaStatusChange.idea_id == idea.id)
        .options(joinedload(IdeaStatusChange.actor))
        .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc())
    )
    return list(result.all())


async def merged_into_this(scope: Scope, idea: Idea) -> list[Idea]:
    result = await scope.db.scalars(
        select(Idea).where(Idea.merged_into_id == idea.id).options(joinedload(Idea.thread))
    )
    return list(result.all())


async def has_voted(scope: Scope, idea: Idea) -> bool:
    """Whether the scope's member voted for the idea (a guest has not)."""
    if scope.member is None:
        return False
    found = await scope.db.scalar(
        select(IdeaVote.id).where(
            IdeaVote.idea_id == idea.id, IdeaVote.member_id == scope.member.id
        )
    )
    return found is not None


@dataclass(frozen=True)
class IdeaPage:
    """An idea's page: the idea, one page of its comments, its story, and what the scope's
    member did and may do with it."""

    idea: Idea
    comments: ThreadView
    history: list[IdeaStatusChange]
    merged_ideas: list[Idea]  # the duplicates merged into this idea
    merged_from: Idea | None  # the duplicate the reader came from, after a redirect
    voted: bool
    following: bool
    may_set_status: bool
    may_merge: bool


@dataclass(frozen=True)
class MergedAway:
    """The idea was merged: its address leads to the one it was merged into."""

    idea_id: int
    into_id: int


async def idea_page(
    scope: Scope,
    idea_id: int,
    *,
    page: int = 1,
    page_size: int = 20,
    merged_from: int | None = None,
    show_merged: bool = False,
) -> IdeaPage | MergedAway:
    """The idea's page, or where a merged idea now lives (unless asked to `show_merged`)."""
    idea = await get_idea(scope, idea_id)
    if idea.merged_into_id and not show_merged:
        return MergedAway(idea.id, idea.merged_into_id)
    comments = await forums.thread_view(scope, idea.thread_id, page, page_size)
    return IdeaPage(
        idea=idea,
        comments=comments,
        history=await status_history(scope, idea),
        merged_ideas=await merged_into_this(scope, idea),
        merged_from=await get_idea(scope, merged_from) if merged_from else None,
        voted=await has_voted(scope, idea),
        following=await notify.is_following(scope, idea.thread_id),
        may_set_status=scope.can(Permission.SET_IDEA_STATUS) and idea.status != IdeaStatus.MERGED,
        may_merge=scope.can(Permission.MERGE_IDEAS),
    )


async def idea_of_thread(scope: Scope, thread_id: int) -> int:
    """The id of the idea a thread is (NotFound when the thread is no idea)."""
    idea_id = await scope.db.scalar(select(Idea.id).where(Idea.thread_id == thread_id))
    if idea_id is None:
        raise NotFound("This idea does not exist or was deleted.")
    return idea_id


async def follow(scope: Scope, idea_id: int, *, following: bool = True) -> Idea:
    """The actor follows the idea (or, not `following`, stops following it)."""
    _ = scope.actor
    idea = await get_idea(scope, idea_id)
    if following:
        await notify.follow(scope, idea.thread_id)
    else:
        await notify.unfollow(scope, idea.thread_id)
    return idea


# ---- voting --------------------------------------------------------------------------------


async def vote(scope: Scope, idea_id: int) -> Idea:
    """The actor's vote, one per member; voting again changes nothing. The idea row is locked."""
    voter = scope.actor
    idea = await _open_idea(scope, idea_id)
    if not await has_voted(scope, idea):
        scope.db.add(IdeaVote(idea_id=idea.id, member_id=voter.id))
        await _add_votes(scope, idea, 1)
    return idea


async def unvote(scope: Scope, idea_id: int) -> Idea:
    voter = scope.actor
    idea = await _open_idea(scope, idea_id)
    removed = await scope.db.execute(
        delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.member_id == voter.id)
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        await _add_votes(scope, idea, -1)
    return idea


async def _open_idea(scope: Scope, idea_id: int) -> Idea:
    idea = await get_idea(scope, idea_id, lock=True)
    if idea.status == IdeaStatus.MERGED:
        raise ValidationFailed(
            {"idea": N_("This idea was merged: vote for the one it was merged into.")}
        )
    return idea


async def _add_votes(scope: Scope, idea: Idea, delta: int) -> None:
    await scope.db.flush()
    idea.vote_count = (
        await scope.db.scalar(
            update(Idea)
            .where(Idea.id == idea.id)
            .values(vote_count=Idea.vote_count + delta)
            .returning(Idea.vote_count)
            .execution_options(synchronize_session=False)
        )
        or 0
    )


# ---- decisions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChanged:
    idea: Idea
    change: IdeaStatusChange


async def change_status(scope: Scope, idea_id: int, status: str, response: str) -> StatusChanged:
    """An official decision: new status plus a response, kept in the history; followers hear."""
    scope.require(Permission.SET_IDEA_STATUS, STATUS_SETTERS)
    refuse_control_characters(response=response)
    new_status = _status(status)
    errors = {}
    if new_status == IdeaStatus.MERGED:
        errors["status"] = N_("Merge an idea with the merge action.")
    if not response.strip():
        errors["response"] = N_("Explain the decision in an official response.")
    elif len(response) > RESPONSE_MAX:
        errors["response"] = N_("The response is too long (5,000 characters at most).")
    if errors:
        raise ValidationFailed(errors)
    idea = await get_idea(scope, idea_id, lock=True)
    if idea.status == IdeaStatus.MERGED:
        raise ValidationFailed({"status": "This idea was merged into another one."})
    change = await _record_change(scope, idea, new_status, response)
    if reason := REWARDED.get(new_status):
        await _reward_author(scope, idea, reason)
    return StatusChanged(idea, change)


async def _record_change(
    scope: Scope,
    idea: Idea,
    new_status: IdeaStatus,
    response: str,
    also_tell: list[int] | None = None,
) -> IdeaStatusChange:
    now = utcnow()
    change = IdeaStatusChange(
        idea_id=idea.id,
        actor_id=scope.actor.id,
        from_status=idea.status,
        to_status=new_status,
        response_md=response,
        response_html=render_markdown(response, scope.tenant.locale),
        created_at=now,
    )
    scope.db.add(change)
    record(scope, "idea.status", ("idea", idea.id),
           before={"status": idea.status.value}, after={"status": new_status.value})  # fmt: skip
    idea.status, idea.status_changed_at = new_status, now
    idea.thread.last_activity_at = now
    await scope.db.flush()
    await EVENTS.announce(scope, IDEA_STATUS_CHANGED, idea_id=idea.id, change_id=change.id)
    enqueue_after_commit(
        scope.db, "notify_idea_status", tenant_id=scope.tenant_id, change_id=change.id,
        also_tell=also_tell or [],
    )  # fmt: skip
    return change


async def _reward_author(scope: Scope, idea: Idea, reason: Reason) -> None:
    """Points when an idea is planned and when it is done: once each, whatever happens next."""
    opening = await scope.db.scalar(
        select(Post.id).where(Post.thread_id == idea.thread_id, Post.number == 1)
    )
    already = await scope.db.scalar(
        select(ReputationEvent.id).where(
            ReputationEvent.post_id == opening, ReputationEvent.reason == reason
        )
    )
    author_id = idea.thread.author_id
    if already is None:
        cause = Cause(scope.actor.id, opening, idea.thread.category_id)
        await award(scope, author_id, reason, cause)
        enqueue_after_commit(
            scope.db, "check_badges", tenant_id=scope.tenant_id, member_ids=[author_id]
        )


async def merge_by_number(scope: Scope, duplicate_id: int, into: str) -> Idea:
    """`merge`, the original given as typed in the form ("42" or "#42")."""
    scope.require(Permission.MERGE_IDEAS, MERGERS)
    number = parse_id(into.strip().lstrip("#"))
    if number is None:
        raise ValidationFailed({"into": N_("Give the number of the idea to merge into.")})
    return await merge(scope, duplicate_id, number)


async def merge(scope: Scope, duplicate_id: int, original_id: int) -> Idea:
    """Fold a duplicate into the original: votes move without counting anyone twice."""
    scope.require(Permission.MERGE_IDEAS, MERGERS)
    if duplicate_id == original_id:
        raise ValidationFailed({"original": N_("An idea cannot be merged into itself.")})
    first, second = sorted([duplicate_id, original_id])  # a fixed lock order
    locked = {i: await get_idea(scope, i, lock=True) for i in (first, second)}
    duplicate, original = locked[duplicate_id], locked[original_id]
    if IdeaStatus.MERGED in (duplicate.status, original.status):
        raise ValidationFailed({"original": N_("Merged ideas cannot be merged again.")})
    voters = list(
        await scope.db.scalars(select(IdeaVote.member_id).where(IdeaVote.idea_id == duplicate.id))
    )  # told of the merge, though their votes now sit on the original
    await _move_votes(scope, duplicate, original)
    await _move_followers(scope, duplicate, original)
    # The official response is stored as written, in the community's language.
    merged = gettext(scope.tenant.locale, N_("Merged into [%(title)s](/ideas/%(id)s)."))
    response = merged % {"title": original.thread.title, "id": original.id}
    await _record_change(scope, duplicate, IdeaStatus.MERGED, response, voters)
    duplicate.merged_into_id = original.id
    await scope.db.flush()
    return original


async def _move_votes(scope: Scope, duplicate: Idea, original: Idea) -> None:
    already = select(IdeaVote.member_id).where(IdeaVote.idea_id == original.id)
    await scope.db.execute(
        insert(IdeaVote).from_select(
            ["tenant_id", "idea_id", "member_id", "created_at"],
            select(
                IdeaVote.tenant_id, literal(original.id), IdeaVote.member_id, IdeaVote.created_at
            ).where(IdeaVote.idea_id == duplicate.id, IdeaVote.member_id.not_in(already)),
        )
    )
    await scope.db.execute(delete(IdeaVote).where(IdeaVote.idea_id == duplicate.id))
    for idea in (duplicate, original):
        idea.vote_count = int(
            await scope.db.scalar(select(func.count()).where(IdeaVote.idea_id == idea.id)) or 0
        )


async def _move_followers(scope: Scope, duplicate: Idea, original: Idea) -> None:
    following = select(Subscription.member_id).where(Subscription.thread_id == original.thread_id)
    await scope.db.execute(
        insert(Subscription).from_select(
            ["tenant_id", "member_id", "thread_id", "created_at"],
            select(
                Subscription.tenant_id,
                Subscription.member_id,
                literal(original.thread_id),
                func.now(),
            ).where(
                and_(
                    Subscription.thread_id == duplicate.thread_id,
                    Subscription.member_id.not_in(following),
                )
            ),
        )
    )


# ---- telling voters and followers -------------------------------------------------------------


async def notify_status_change(
    scope: Scope, change_id: int, also_tell: list[int] | None = None
) -> int:
    """A notification for every voter and follower of the idea (and `also_tell`), except
    whoever decided."""
    change = await scope.get(IdeaStatusChange, change_id)
    if change is None:
        return 0
    idea = await get_idea(scope, change.idea_id)
    voters = await scope.db.scalars(select(IdeaVote.member_id).where(IdeaVote.idea_id == idea.id))
    audience = set(voters.all()) | set(await notify.followers(scope, idea.thread_id))
    audience = (audience | set(also_tell or [])) - {change.actor_id}
    return await notify.notify(
        scope,
        audience,
        kind=f"idea_status:{change.to_status.value}",
        thread_id=idea.thread_id,
        text=idea.thread.title,
        url=f"/ideas/{idea.id}",
    )
