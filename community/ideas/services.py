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
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from community.db import in_tenant, utcnow
from community.errors import Forbidden, NotFound, ValidationFailed
from community.forums import services as forums
from community.forums.markdown import render_markdown
from community.forums.models import Category, Post, Thread, ThreadKind, Visibility
from community.ideas.models import Idea, IdeaStatus, IdeaStatusChange, IdeaVote
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission
from community.jobs import enqueue_after_commit
from community.moderation.audit import record
from community.notify import services as notify
from community.notify.models import Subscription
from community.pagination import Page
from community.scoring.models import Reason, ReputationEvent
from community.scoring.services import Cause, award, rules_for

SORTS = ("trending", "top", "newest", "updated")
ROADMAP = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
REWARDED = {IdeaStatus.PLANNED: Reason.IDEA_PLANNED, IdeaStatus.DONE: Reason.IDEA_DONE}
SIMILAR_LIMIT = 5
RESPONSE_MAX = 5000


# ---- boards and submitting -----------------------------------------------------------------


async def create_idea(
    session: AsyncSession, tenant_id: int, author: Member, *, board: str, title: str, body: str
) -> Idea:
    category = await forums.get_category(session, tenant_id, board)
    if not category.is_idea_board:
        raise ValidationFailed({"board": "Choose an idea board."})
    thread = await forums.create_thread(
        session,
        tenant_id,
        author,
        category_slug=board,
        title=title,
        body=body,
        kind=ThreadKind.IDEA,
    )
    idea = Idea(tenant_id=tenant_id, thread_id=thread.id, status_changed_at=thread.created_at)
    session.add(idea)
    await notify.follow(session, author, thread.id)
    await session.flush()
    return idea


def title_words(title: str) -> list[str]:
    """Significant words of a title, lowercased and without accents."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return sorted({w for w in re.findall(r"[a-z0-9]+", plain) if len(w) >= 4})


SIMILAR_CANDIDATES = 1000


async def similar_ideas(session: AsyncSession, tenant_id: int, title: str) -> list[Idea]:
    """Open ideas sharing the most title words with `title`, so duplicates get votes instead.

    Words are compared without case or accents, in Python over the most voted ideas (SQL
    cannot fold accents portably); the search engine will take this over.
    """
    words = set(title_words(title))
    if not words:
        return []
    candidates = await session.execute(
        select(Idea.id, Thread.title)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(
            Idea.tenant_id == tenant_id,
            Idea.status != IdeaStatus.MERGED,
            Thread.deleted_at.is_(None),
            Thread.visibility == Visibility.PUBLISHED,
        )
        .order_by(Idea.vote_count.desc(), Idea.id.desc())
        .limit(SIMILAR_CANDIDATES)
    )
    scored = [(len(words & set(title_words(t))), i) for i, t in candidates.all()]
    best = [i for score, i in sorted(scored, key=lambda p: -p[0]) if score][:SIMILAR_LIMIT]
    found = {
        idea.id: idea for idea in await session.scalars(_ideas(tenant_id).where(Idea.id.in_(best)))
    }
    return [found[i] for i in best if i in found]


# ---- reading -------------------------------------------------------------------------------


def _ideas(tenant_id: int) -> Select[Idea]:
    return (
        in_tenant(Idea, tenant_id)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Thread.deleted_at.is_(None))
        .options(
            joinedload(Idea.thread).joinedload(Thread.author),
            joinedload(Idea.thread).joinedload(Thread.category),
        )
    )


async def get_idea(
    session: AsyncSession, tenant_id: int, idea_id: int, *, lock: bool = False
) -> Idea:
    query = _ideas(tenant_id).where(Idea.id == idea_id)
    if lock:
        query = query.with_for_update(of=Idea)
    idea = await session.scalar(query)
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


async def list_ideas(
    session: AsyncSession,
    tenant_id: int,
    *,
    sort: str = "trending",
    status: str = "",
    board: Category | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[Idea]:
    if sort not in SORTS:
        raise ValidationFailed({"sort": "Sort by trending, top, newest or updated."})
    conditions = [Thread.visibility == Visibility.PUBLISHED]
    conditions.append(
        Idea.status == _status(status) if status else Idea.status != IdeaStatus.MERGED
    )
    if board is not None:
        conditions.append(Thread.category_id == board.id)
    query = _ideas(tenant_id).where(*conditions)
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
    total = await session.scalar(
        select(func.count())
        .select_from(Idea)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Idea.tenant_id == tenant_id, Thread.deleted_at.is_(None), *conditions)
    )
    result = await session.scalars(
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
        raise ValidationFailed({"status": "Unknown idea status."}) from exc


async def roadmap(session: AsyncSession, tenant_id: int) -> dict[IdeaStatus, list[Idea]]:
    result = await session.scalars(
        _ideas(tenant_id)
        .where(Idea.status.in_(ROADMAP), Thread.visibility == Visibility.PUBLISHED)
        .order_by(Idea.vote_count.desc(), Idea.status_changed_at.desc())
    )
    columns: dict[IdeaStatus, list[Idea]] = {status: [] for status in ROADMAP}
    for idea in result.unique().all():
        columns[idea.status].append(idea)
    return columns


async def status_history(session: AsyncSession, idea: Idea) -> list[IdeaStatusChange]:
    result = await session.scalars(
        select(IdeaStatusChange)
        .where(IdeaStatusChange.idea_id == idea.id)
        .options(joinedload(IdeaStatusChange.actor))
        .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc())
    )
    return list(result.all())


async def merged_into_this(session: AsyncSession, idea: Idea) -> list[Idea]:
    result = await session.scalars(
        select(Idea).where(Idea.merged_into_id == idea.id).options(joinedload(Idea.thread))
    )
    return list(result.all())


async def has_voted(session: AsyncSession, member: Member | None, idea: Idea) -> bool:
    if member is None:
        return False
    found = await session.scalar(
        select(IdeaVote.id).where(IdeaVote.idea_id == idea.id, IdeaVote.member_id == member.id)
    )
    return found is not None


# ---- voting --------------------------------------------------------------------------------


async def vote(session: AsyncSession, tenant_id: int, member: Member, idea_id: int) -> Idea:
    """One vote per member; voting again changes nothing. The idea row is locked."""
    idea = await _open_idea(session, tenant_id, idea_id)
    if not await has_voted(session, member, idea):
        session.add(IdeaVote(tenant_id=tenant_id, idea_id=idea.id, member_id=member.id))
        await _add_votes(session, idea, 1)
    return idea


async def unvote(session: AsyncSession, tenant_id: int, member: Member, idea_id: int) -> Idea:
    idea = await _open_idea(session, tenant_id, idea_id)
    removed = await session.execute(
        delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.member_id == member.id)
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        await _add_votes(session, idea, -1)
    return idea


async def _open_idea(session: AsyncSession, tenant_id: int, idea_id: int) -> Idea:
    idea = await get_idea(session, tenant_id, idea_id, lock=True)
    if idea.status == IdeaStatus.MERGED:
        raise ValidationFailed(
            {"idea": "This idea was merged: vote for the one it was merged into."}
        )
    return idea


async def _add_votes(session: AsyncSession, idea: Idea, delta: int) -> None:
    await session.flush()
    idea.vote_count = (
        await session.scalar(
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


async def change_status(
    session: AsyncSession,
    tenant_id: int,
    actor: Member,
    idea_id: int,
    status: str,
    response: str,
) -> StatusChanged:
    """An official decision: new status plus a response, kept in the history; followers hear."""
    if not has_permission(actor, Permission.SET_IDEA_STATUS):
        raise Forbidden("Only brand experts and moderators can change an idea's status.")
    new_status = _status(status)
    errors = {}
    if new_status == IdeaStatus.MERGED:
        errors["status"] = "Merge an idea with the merge action."
    if not response.strip():
        errors["response"] = "Explain the decision in an official response."
    elif len(response) > RESPONSE_MAX:
        errors["response"] = "The response is too long (5,000 characters at most)."
    if errors:
        raise ValidationFailed(errors)
    idea = await get_idea(session, tenant_id, idea_id, lock=True)
    if idea.status == IdeaStatus.MERGED:
        raise ValidationFailed({"status": "This idea was merged into another one."})
    change = await _record_change(session, actor, idea, new_status, response)
    if reason := REWARDED.get(new_status):
        await _reward_author(session, tenant_id, idea, reason, actor)
    return StatusChanged(idea, change)


async def _record_change(
    session: AsyncSession,
    actor: Member,
    idea: Idea,
    new_status: IdeaStatus,
    response: str,
    also_tell: list[int] | None = None,
) -> IdeaStatusChange:
    now = utcnow()
    change = IdeaStatusChange(
        tenant_id=idea.tenant_id,
        idea_id=idea.id,
        actor_id=actor.id,
        from_status=idea.status,
        to_status=new_status,
        response_md=response,
        response_html=render_markdown(response),
        created_at=now,
    )
    session.add(change)
    record(session, actor, "idea.status", ("idea", idea.id),
           before={"status": idea.status.value}, after={"status": new_status.value})  # fmt: skip
    idea.status, idea.status_changed_at = new_status, now
    idea.thread.last_activity_at = now
    await session.flush()
    enqueue_after_commit(
        session, "notify_idea_status", tenant_id=idea.tenant_id, change_id=change.id,
        also_tell=also_tell or [],
    )  # fmt: skip
    return change


async def _reward_author(
    session: AsyncSession, tenant_id: int, idea: Idea, reason: Reason, actor: Member
) -> None:
    """Points when an idea is planned and when it is done: once each, whatever happens next."""
    opening = await session.scalar(
        select(Post.id).where(Post.thread_id == idea.thread_id, Post.number == 1)
    )
    already = await session.scalar(
        select(ReputationEvent.id).where(
            ReputationEvent.post_id == opening, ReputationEvent.reason == reason
        )
    )
    author = await session.get(Member, idea.thread.author_id)
    if already is None and author is not None:
        rules = await rules_for(session, tenant_id)
        await award(
            session, rules, author, reason, Cause(actor.id, opening, idea.thread.category_id)
        )
        enqueue_after_commit(session, "check_badges", tenant_id=tenant_id, member_ids=[author.id])


async def merge(
    session: AsyncSession, tenant_id: int, actor: Member, duplicate_id: int, original_id: int
) -> Idea:
    """Fold a duplicate into the original: votes move without counting anyone twice."""
    if not has_permission(actor, Permission.MERGE_IDEAS):
        raise Forbidden("Only moderators can merge ideas.")
    if duplicate_id == original_id:
        raise ValidationFailed({"original": "An idea cannot be merged into itself."})
    first, second = sorted([duplicate_id, original_id])  # a fixed lock order
    locked = {i: await get_idea(session, tenant_id, i, lock=True) for i in (first, second)}
    duplicate, original = locked[duplicate_id], locked[original_id]
    if IdeaStatus.MERGED in (duplicate.status, original.status):
        raise ValidationFailed({"original": "Merged ideas cannot be merged again."})
    voters = list(
        await session.scalars(select(IdeaVote.member_id).where(IdeaVote.idea_id == duplicate.id))
    )  # told of the merge, though their votes now sit on the original
    await _move_votes(session, duplicate, original)
    await _move_followers(session, duplicate, original)
    response = f"Merged into [{original.thread.title}](/ideas/{original.id})."
    await _record_change(session, actor, duplicate, IdeaStatus.MERGED, response, voters)
    duplicate.merged_into_id = original.id
    await session.flush()
    return original


async def _move_votes(session: AsyncSession, duplicate: Idea, original: Idea) -> None:
    already = select(IdeaVote.member_id).where(IdeaVote.idea_id == original.id)
    await session.execute(
        insert(IdeaVote).from_select(
            ["tenant_id", "idea_id", "member_id", "created_at"],
            select(
                IdeaVote.tenant_id, literal(original.id), IdeaVote.member_id, IdeaVote.created_at
            ).where(IdeaVote.idea_id == duplicate.id, IdeaVote.member_id.not_in(already)),
        )
    )
    await session.execute(delete(IdeaVote).where(IdeaVote.idea_id == duplicate.id))
    for idea in (duplicate, original):
        idea.vote_count = int(
            await session.scalar(select(func.count()).where(IdeaVote.idea_id == idea.id)) or 0
        )


async def _move_followers(session: AsyncSession, duplicate: Idea, original: Idea) -> None:
    following = select(Subscription.member_id).where(Subscription.thread_id == original.thread_id)
    await session.execute(
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
    session: AsyncSession, tenant_id: int, change_id: int, also_tell: list[int] | None = None
) -> int:
    """A notification for every voter and follower of the idea (and `also_tell`), except
    whoever decided."""
    change = await session.scalar(
        in_tenant(IdeaStatusChange, tenant_id).where(IdeaStatusChange.id == change_id)
    )
    if change is None:
        return 0
    idea = await get_idea(session, tenant_id, change.idea_id)
    voters = await session.scalars(select(IdeaVote.member_id).where(IdeaVote.idea_id == idea.id))
    audience = set(voters.all()) | set(await notify.followers(session, idea.thread_id))
    audience = (audience | set(also_tell or [])) - {change.actor_id}
    return await notify.notify(
        session,
        tenant_id,
        audience,
        kind=f"idea_status:{change.to_status.value}",
        thread_id=idea.thread_id,
        text=idea.thread.title,
        url=f"/ideas/{idea.id}",
    )
