"""Moderation: what goes to the queue and why, flags, claims, decisions, bans and roles."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import Select, String, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from community.db import in_tenant, utcnow
from community.errors import Forbidden, NotFound, ValidationFailed
from community.forums.markdown import render_markdown
from community.forums.models import Category, Post, Thread, Visibility
from community.identity.models import Member, Role
from community.identity.permissions import Permission, has_permission
from community.moderation import checks
from community.moderation.audit import record
from community.moderation.models import Flag, FlagOutcome, FlagReason, ItemState, QueueItem
from community.moderation.rules import ModerationRules
from community.notify.services import notify
from community.tenancy.models import Tenant

# Why a post is in the queue. Those in HOLDING keep it from the public until a decision.
PREMODERATED = "premoderated"
FIRST_POSTS = "first_posts"
LINKS_FROM_NEW_MEMBER = "links_from_new_member"
BLOCKED_DOMAIN = "blocked_domain"
REPEATED_TEXT = "repeated_text"
ABUSIVE_LANGUAGE = "abusive_language"
POSTING_RATE = "posting_rate"
PERSONAL_DATA = "personal_data"
FLAGGED = "flagged"
HOLDING = {
    PREMODERATED, FIRST_POSTS, LINKS_FROM_NEW_MEMBER, BLOCKED_DOMAIN,
    REPEATED_TEXT, ABUSIVE_LANGUAGE, POSTING_RATE,
}  # fmt: skip
BEHAVIOUR = {PREMODERATED, FIRST_POSTS, REPEATED_TEXT, POSTING_RATE}
REASON_LABELS = {
    PREMODERATED: "Pre-moderated category",
    FIRST_POSTS: "New member's first post",
    LINKS_FROM_NEW_MEMBER: "Links from a new member",
    BLOCKED_DOMAIN: "Blocked domain",
    REPEATED_TEXT: "Same text posted again",
    ABUSIVE_LANGUAGE: "Abusive language",
    POSTING_RATE: "Posting too fast",
    PERSONAL_DATA: "Personal data (masked)",
    FLAGGED: "Flagged by members",
}
REASONS = (*sorted(HOLDING), PERSONAL_DATA, FLAGGED)


async def rules_for(session: AsyncSession, tenant_id: int) -> ModerationRules:
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    return ModerationRules.from_preferences(tenant.preferences)


def _require(actor: Member, permission: Permission, message: str) -> None:
    if not has_permission(actor, permission):
        raise Forbidden(message)


# ---- may this member post at all ------------------------------------------------------------


def ensure_may_post(member: Member) -> None:
    if member.is_banned(utcnow()):
        raise Forbidden("Your account is suspended: you cannot post.")


# ---- screening at write time ----------------------------------------------------------------


async def screen_post(
    session: AsyncSession, author: Member, post: Post, category: Category, *, edited: bool = False
) -> list[str]:
    """Run the write-time checks on a new or edited post; queue it with its reasons.

    Personal data is masked in what the public sees at once; the other reasons hold the
    post back (visible to its author and moderators) until a moderator decides. An edit is
    checked for what it says (language, links, personal data), not for who wrote it when.
    """
    rules = await rules_for(session, post.tenant_id)
    reasons = await _reasons(session, rules, author, post, category)
    if edited:
        reasons = [r for r in reasons if r not in BEHAVIOUR]
    masked = checks.mask_personal_data(post.body_md)
    post.public_html = render_markdown(masked) if masked != post.body_md else None
    if any(r in HOLDING for r in reasons) and post.visibility == Visibility.PUBLISHED:
        post.visibility = Visibility.PENDING
    if reasons:
        await _queue(session, post, reasons)
    return reasons


async def _reasons(
    session: AsyncSession, rules: ModerationRules, author: Member, post: Post, category: Category
) -> list[str]:
    if has_permission(author, Permission.SKIP_PREMODERATION):
        return [PERSONAL_DATA] if checks.find_personal_data(post.body_md) else []
    reasons = []
    published = await _published_posts(session, author, post)
    if category.premoderated:
        reasons.append(PREMODERATED)
    if published < rules.premoderate_first_posts:
        reasons.append(FIRST_POSTS)
    domains = checks.link_domains(post.body_md)
    if domains and published < rules.new_member_posts:
        reasons.append(LINKS_FROM_NEW_MEMBER)
    if any(checks.domain_blocked(d, rules.blocked_domains) for d in domains):
        reasons.append(BLOCKED_DOMAIN)
    if await _repeated(session, author, post):
        reasons.append(REPEATED_TEXT)
    if checks.abusive_words(post.body_md, rules.abusive_words):
        reasons.append(ABUSIVE_LANGUAGE)
    if await _recent_posts(session, author, minutes=1) > rules.posts_per_minute:
        reasons.append(POSTING_RATE)
    if checks.find_personal_data(post.body_md):
        reasons.append(PERSONAL_DATA)
    return reasons


async def _published_posts(session: AsyncSession, author: Member, post: Post) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Post.author_id == author.id,
            Post.id != post.id,
            Post.visibility == Visibility.PUBLISHED,
            Post.deleted_at.is_(None),
        )
    )
    return int(count or 0)


def _fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


async def _repeated(session: AsyncSession, author: Member, post: Post) -> bool:
    since = utcnow() - timedelta(hours=24)
    bodies = await session.scalars(
        select(Post.body_md).where(
            Post.author_id == author.id, Post.id != post.id, Post.created_at >= since
        )
    )
    mine = _fingerprint(post.body_md)
    return any(_fingerprint(body) == mine for body in bodies)


async def _recent_posts(session: AsyncSession, author: Member, minutes: int) -> int:
    since = utcnow() - timedelta(minutes=minutes)
    count = await session.scalar(
        select(func.count()).where(Post.author_id == author.id, Post.created_at >= since)
    )
    return int(count or 0)


async def _queue(session: AsyncSession, post: Post, reasons: list[str]) -> QueueItem:
    """The post's open queue item, with these reasons added (one open item per post)."""
    item = await session.scalar(
        select(QueueItem).where(QueueItem.post_id == post.id, QueueItem.state == ItemState.OPEN)
    )
    if item is None:
        item = QueueItem(tenant_id=post.tenant_id, post_id=post.id, reasons=[])
        session.add(item)
    item.reasons = sorted(set(item.reasons) | set(reasons))
    await _sync_thread(session, post)
    await session.flush()
    return item


async def _sync_thread(session: AsyncSession, post: Post) -> None:
    """A thread is as visible as its opening post."""
    if post.number == 1:
        await session.execute(
            update(Thread).where(Thread.id == post.thread_id).values(visibility=post.visibility)
        )


# ---- flags ----------------------------------------------------------------------------------


async def flag_post(
    session: AsyncSession,
    tenant_id: int,
    member: Member,
    post_id: int,
    reason: str,
    note: str = "",
) -> Flag:
    try:
        flag_reason = FlagReason(reason)
    except ValueError as exc:
        raise ValidationFailed({"reason": "Choose why you flag this post."}) from exc
    if flag_reason == FlagReason.OTHER and not note.strip():
        raise ValidationFailed({"note": "Tell the moderators what is wrong."})
    post = await _post(session, tenant_id, post_id, lock=True)
    # A post hidden by earlier flags still takes flags from those who saw it published.
    if post.visibility not in {Visibility.PUBLISHED, Visibility.HIDDEN}:
        raise NotFound("This post does not exist or was deleted.")
    if post.author_id == member.id:
        raise ValidationFailed({"reason": "You cannot flag your own post."})
    flag = Flag(tenant_id=tenant_id, post_id=post.id, member_id=member.id, reason=flag_reason,
                note=note.strip()[:500], post=post)  # fmt: skip
    try:
        async with session.begin_nested():
            session.add(flag)
    except IntegrityError as exc:
        raise ValidationFailed({"reason": "You already flagged this post."}) from exc
    await notify(session, tenant_id, [member.id], kind="flag_received", thread_id=post.thread_id,
                 text=_excerpt(post), url=f"/p/{post.id}")  # fmt: skip
    await _hide_when_flagged_enough(session, tenant_id, post)
    return flag


async def _hide_when_flagged_enough(session: AsyncSession, tenant_id: int, post: Post) -> None:
    rules = await rules_for(session, tenant_id)
    open_flags = await session.scalar(
        select(func.count()).where(Flag.post_id == post.id, Flag.outcome.is_(None))
    )
    if int(open_flags or 0) >= rules.flag_threshold:
        if post.visibility == Visibility.PUBLISHED:
            post.visibility = Visibility.HIDDEN
        await _queue(session, post, [FLAGGED])


def _excerpt(post: Post) -> str:
    text = " ".join(checks.mask_personal_data(post.body_md).split())
    return text if len(text) <= 120 else text[:117] + "…"


async def _post(session: AsyncSession, tenant_id: int, post_id: int, lock: bool = False) -> Post:
    query = in_tenant(Post, tenant_id).where(Post.id == post_id)
    post = await session.scalar(query.with_for_update() if lock else query)
    if post is None or post.deleted_at is not None:
        raise NotFound("This post does not exist or was deleted.")
    return post


# ---- the queue ------------------------------------------------------------------------------


def _open_items(tenant_id: int) -> Select[QueueItem]:
    return (
        in_tenant(QueueItem, tenant_id)
        .where(QueueItem.state == ItemState.OPEN)
        .options(
            joinedload(QueueItem.post).joinedload(Post.author),
            joinedload(QueueItem.post).joinedload(Post.thread).joinedload(Thread.category),
            joinedload(QueueItem.claimed_by),
        )
    )


async def open_items(
    session: AsyncSession,
    tenant_id: int,
    moderator: Member,
    *,
    reason: str = "",
    category_id: int | None = None,
    limit: int = 50,
) -> list[QueueItem]:
    """Open items, oldest first."""
    _require(moderator, Permission.MODERATE, "Only moderators can see the moderation queue.")
    query = _open_items(tenant_id).order_by(QueueItem.created_at, QueueItem.id).limit(limit)
    if reason:
        if reason not in REASONS:
            raise ValidationFailed({"reason": "Unknown queue reason."})
        query = query.where(cast(QueueItem.reasons, String).like(f'%"{reason}"%'))
    if category_id is not None:
        query = (
            query.join(Post, Post.id == QueueItem.post_id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Thread.category_id == category_id)
        )
    return list((await session.scalars(query)).unique().all())


async def open_item(
    session: AsyncSession, tenant_id: int, moderator: Member, item_id: int
) -> QueueItem | None:
    _require(moderator, Permission.MODERATE, "Only moderators can see the moderation queue.")
    query = _open_items(tenant_id).where(QueueItem.id == item_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def open_count(session: AsyncSession, tenant_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(
            QueueItem.tenant_id == tenant_id, QueueItem.state == ItemState.OPEN
        )
    )
    return int(count or 0)


async def claim(
    session: AsyncSession, tenant_id: int, moderator: Member, item_id: int
) -> QueueItem:
    """Take an item for a while; exactly one of several concurrent claims wins."""
    _require(moderator, Permission.MODERATE, "Only moderators can work the moderation queue.")
    rules = await rules_for(session, tenant_id)
    now = utcnow()
    won = await session.execute(
        update(QueueItem)
        .where(
            QueueItem.id == item_id,
            QueueItem.tenant_id == tenant_id,
            QueueItem.state == ItemState.OPEN,
            or_(
                QueueItem.claimed_by_id.is_(None),
                QueueItem.claimed_until < now,
                QueueItem.claimed_by_id == moderator.id,
            ),
        )
        .values(
            claimed_by_id=moderator.id, claimed_until=now + timedelta(minutes=rules.claim_minutes)
        )
        .execution_options(synchronize_session=False)
    )
    item = await _item(session, tenant_id, item_id)
    if not won.rowcount:  # type: ignore[attr-defined]
        holder = item.claimed_by.display_name if item.claimed_by else "someone"
        raise ValidationFailed({"claim": f"Already claimed by {holder}."})
    await session.refresh(item)
    return item


async def release(session: AsyncSession, tenant_id: int, moderator: Member, item_id: int) -> None:
    _require(moderator, Permission.MODERATE, "Only moderators can work the moderation queue.")
    item = await _item(session, tenant_id, item_id)
    if item.claimed_by_id == moderator.id:
        item.claimed_by_id, item.claimed_until = None, None


async def _item(
    session: AsyncSession, tenant_id: int, item_id: int, *, lock: bool = False
) -> QueueItem:
    query = (
        in_tenant(QueueItem, tenant_id)
        .where(QueueItem.id == item_id)
        .options(joinedload(QueueItem.post), joinedload(QueueItem.claimed_by))
        .execution_options(populate_existing=True)
    )
    item = await session.scalar(query.with_for_update(of=QueueItem) if lock else query)
    if item is None:
        raise NotFound("No such item in the queue.")
    return item


DECISIONS = {
    "approve": (ItemState.APPROVED, Visibility.PUBLISHED, FlagOutcome.DISMISSED),
    "reject": (ItemState.REJECTED, Visibility.REJECTED, FlagOutcome.UPHELD),
    "hide": (ItemState.HIDDEN, Visibility.HIDDEN, FlagOutcome.UPHELD),
    "delete": (ItemState.DELETED, Visibility.HIDDEN, FlagOutcome.UPHELD),
}


async def decide(
    session: AsyncSession,
    tenant_id: int,
    moderator: Member,
    item_id: int,
    action: str,
    note: str = "",
) -> QueueItem:
    """Approve, reject (with a reason), hide or delete the post; tell its author and flaggers."""
    _require(moderator, Permission.MODERATE, "Only moderators can work the moderation queue.")
    if action not in DECISIONS:
        raise ValidationFailed({"action": "Approve, reject, hide or delete."})
    if action == "reject" and not note.strip():
        raise ValidationFailed({"note": "Give the author a reason for the rejection."})
    item = await _item(session, tenant_id, item_id, lock=True)  # one decision per item
    _check_open_and_unclaimed(item, moderator)
    state, visibility, outcome = DECISIONS[action]
    post = item.post
    before = {"visibility": post.visibility.value, "state": item.state.value}
    now = utcnow()
    item.state, item.decided_by_id, item.decided_at = state, moderator.id, now
    item.decision_note, item.claimed_by_id, item.claimed_until = note.strip()[:500], None, None
    post.visibility, post.moderation_note = visibility, note.strip()[:500]
    if action == "delete":
        post.deleted_at = now
    await _sync_thread(session, post)
    record(session, moderator, f"queue.{action}", ("post", post.id), before=before,
           after={"visibility": visibility.value, "state": state.value}, reason=note)  # fmt: skip
    await _settle_flags(session, tenant_id, post, outcome)
    if action != "approve":
        await notify(session, tenant_id, [post.author_id], kind=f"post_{state.value}",
                     thread_id=post.thread_id, text=note.strip() or _excerpt(post),
                     url=f"/p/{post.id}")  # fmt: skip
    await session.flush()
    return item


def _check_open_and_unclaimed(item: QueueItem, moderator: Member) -> None:
    if item.state != ItemState.OPEN:
        raise ValidationFailed({"item": "This item was already decided."})
    claimed = (
        item.claimed_by_id is not None and item.claimed_until and item.claimed_until > utcnow()
    )
    if claimed and item.claimed_by_id != moderator.id:
        holder = item.claimed_by.display_name if item.claimed_by else "another moderator"
        raise ValidationFailed({"claim": f"Claimed by {holder}: wait until it is released."})


async def _settle_flags(
    session: AsyncSession, tenant_id: int, post: Post, outcome: FlagOutcome
) -> None:
    flaggers = list(
        await session.scalars(
            select(Flag.member_id).where(Flag.post_id == post.id, Flag.outcome.is_(None))
        )
    )
    if not flaggers:
        return
    await session.execute(
        update(Flag)
        .where(Flag.post_id == post.id, Flag.outcome.is_(None))
        .values(outcome=outcome)
        .execution_options(synchronize_session=False)
    )
    await notify(session, tenant_id, flaggers, kind=f"flag_{outcome.value}",
                 thread_id=post.thread_id, text=_excerpt(post), url=f"/p/{post.id}")  # fmt: skip


# ---- the people -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorHistory:
    posts: int
    flags_received: int
    reputation: int
    banned_until: datetime | None


async def author_histories(
    session: AsyncSession, authors: list[Member]
) -> dict[int, AuthorHistory]:
    """Each author's history, in two grouped queries however many authors the queue shows."""
    ids = {a.id for a in authors}
    posts = dict(
        (await session.execute(
            select(Post.author_id, func.count()).where(Post.author_id.in_(ids)).group_by(Post.author_id)
        )).all()
    )  # fmt: skip
    flags = dict(
        (await session.execute(
            select(Post.author_id, func.count()).select_from(Flag)
            .join(Post, Post.id == Flag.post_id)
            .where(Post.author_id.in_(ids)).group_by(Post.author_id)
        )).all()
    )  # fmt: skip
    return {
        a.id: AuthorHistory(posts.get(a.id, 0), flags.get(a.id, 0), a.reputation, a.banned_until)
        for a in authors
    }


async def _member(session: AsyncSession, tenant_id: int, member_id: int) -> Member:
    member = await session.scalar(in_tenant(Member, tenant_id).where(Member.id == member_id))
    if member is None:
        raise NotFound("No such member.")
    return member


async def ban(
    session: AsyncSession,
    tenant_id: int,
    moderator: Member,
    member_id: int,
    *,
    days: int | None,
    reason: str,
) -> Member:
    """Suspend for some days, or ban for good (days=None). The member cannot post or log in."""
    _require(moderator, Permission.BAN, "Only moderators can suspend or ban members.")
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the member a reason."})
    if days is not None and not 1 <= days <= 3650:
        raise ValidationFailed({"days": "A suspension lasts 1 to 3650 days."})
    member = await _member(session, tenant_id, member_id)
    if member.id == moderator.id or has_permission(member, Permission.MODERATE):
        raise Forbidden("Moderators and admins cannot be banned from here.")
    until = utcnow() + timedelta(days=days if days is not None else 365 * 100)
    before = {"banned_until": member.banned_until.isoformat() if member.banned_until else None}
    member.banned_until, member.ban_reason = until, reason.strip()[:500]
    record(session, moderator, "member.ban", ("member", member.id), before=before,
           after={"banned_until": until.isoformat()}, reason=reason)  # fmt: skip
    await session.flush()
    return member


async def unban(session: AsyncSession, tenant_id: int, moderator: Member, member_id: int) -> Member:
    _require(moderator, Permission.BAN, "Only moderators can suspend or ban members.")
    member = await _member(session, tenant_id, member_id)
    record(session, moderator, "member.unban", ("member", member.id),
           before={"banned_until": member.banned_until.isoformat() if member.banned_until else None},
           after={"banned_until": None})  # fmt: skip
    member.banned_until, member.ban_reason = None, ""
    await session.flush()
    return member


async def change_role(
    session: AsyncSession, tenant_id: int, admin: Member, member_id: int, role: str
) -> Member:
    _require(admin, Permission.MANAGE_ROLES, "Only admins can change roles.")
    try:
        new_role = Role(role)
    except ValueError as exc:
        raise ValidationFailed({"role": "Unknown role."}) from exc
    member = await _member(session, tenant_id, member_id)
    if member.id == admin.id:
        raise ValidationFailed({"role": "You cannot change your own role."})
    record(session, admin, "member.role", ("member", member.id),
           before={"role": member.role.value}, after={"role": new_role.value})  # fmt: skip
    member.role = new_role
    await session.flush()
    return member


# ---- figures for the dashboard ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueFigures:
    open_items: int
    oldest_age_minutes: int | None
    median_minutes_to_decision: float | None  # over the last 30 days


async def queue_figures(session: AsyncSession, tenant_id: int, moderator: Member) -> QueueFigures:
    _require(moderator, Permission.MODERATE, "Only moderators can see the moderation queue.")
    now = utcnow()
    oldest = await session.scalar(
        select(func.min(QueueItem.created_at)).where(
            QueueItem.tenant_id == tenant_id, QueueItem.state == ItemState.OPEN
        )
    )
    decided = await session.execute(
        select(QueueItem.created_at, QueueItem.decided_at).where(
            QueueItem.tenant_id == tenant_id,
            QueueItem.decided_at.is_not(None),
            QueueItem.decided_at >= now - timedelta(days=30),
        )
    )
    durations = [(d - c).total_seconds() / 60 for c, d in decided.all() if d is not None]
    return QueueFigures(
        open_items=await open_count(session, tenant_id),
        oldest_age_minutes=int((now - oldest).total_seconds() // 60) if oldest else None,
        median_minutes_to_decision=round(median(durations), 1) if durations else None,
    )
