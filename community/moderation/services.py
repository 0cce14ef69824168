"""Moderation: what goes to the queue and why, flags, claims, decisions, bans and roles."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import Select, String, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.db import utcnow
from community.errors import Forbidden, NotFound, ValidationFailed
from community.events import EVENTS, FLAG_RAISED, POST_PUBLISHED
from community.forums import services as forums
from community.forums.lifecycle import POSTS, PostRemoved, ThreadView
from community.forums.markdown import render_markdown
from community.forums.models import Category, Post, Thread, Visibility
from community.identity.models import Member, Role
from community.identity.permissions import Permission, has_permission
from community.identity.sessions import end_all_sessions
from community.inputs import refuse_control_characters
from community.l10n import N_
from community.moderation import checks
from community.moderation.audit import record
from community.moderation.models import Flag, FlagOutcome, FlagReason, ItemState, QueueItem
from community.moderation.rules import ModerationRules
from community.notify.events import notify_post
from community.notify.services import notify
from community.qa import services as qa
from community.scope import Scope

# Why a post is in the queue. Those in HOLDING keep it from the public until a decision.
MAX_BAN_DAYS = 3650
BAN_DAYS = N_("A suspension lasts 1 to 3650 days.")
PREMODERATED = "premoderated"
FIRST_POSTS = "first_posts"
LINKS_FROM_NEW_MEMBER = "links_from_new_member"
BLOCKED_DOMAIN = "blocked_domain"
REPEATED_TEXT = "repeated_text"
ABUSIVE_LANGUAGE = "abusive_language"
POSTING_RATE = "posting_rate"
PERSONAL_DATA = "personal_data"
FLAGGED = "flagged"
RESOLUTION_EDITED = "resolution_edited"
HOLDING = {
    PREMODERATED, FIRST_POSTS, LINKS_FROM_NEW_MEMBER, BLOCKED_DOMAIN,
    REPEATED_TEXT, ABUSIVE_LANGUAGE, POSTING_RATE,
}  # fmt: skip
BEHAVIOUR = {PREMODERATED, FIRST_POSTS, REPEATED_TEXT, POSTING_RATE}
REASON_LABELS = {
    PREMODERATED: N_("Pre-moderated category"),
    FIRST_POSTS: N_("New member's first post"),
    LINKS_FROM_NEW_MEMBER: N_("Links from a new member"),
    BLOCKED_DOMAIN: N_("Blocked domain"),
    REPEATED_TEXT: N_("Same text posted again"),
    ABUSIVE_LANGUAGE: N_("Abusive language"),
    POSTING_RATE: N_("Posting too fast"),
    PERSONAL_DATA: N_("Personal data (masked)"),
    FLAGGED: N_("Flagged by members"),
    RESOLUTION_EDITED: N_("Accepted or certified answer edited"),
}
REASONS = (*sorted(HOLDING), PERSONAL_DATA, FLAGGED, RESOLUTION_EDITED)
FLAG_REASON_LABELS = {
    FlagReason.SPAM: N_("Spam"),
    FlagReason.ABUSIVE: N_("Abusive"),
    FlagReason.OFF_TOPIC: N_("Off-topic"),
    FlagReason.OTHER: N_("Something else"),
}
# Why a post is held, as its author reads it (only the reasons that hold a post back).
HELD_EXPLANATIONS = {
    PREMODERATED: N_("Posts in this category are read by a moderator before they appear."),
    FIRST_POSTS: N_("A new member's first posts are read by a moderator before they appear."),
    LINKS_FROM_NEW_MEMBER: N_("Links from new members are checked by a moderator."),
    BLOCKED_DOMAIN: N_("It links to a site this community does not allow."),
    REPEATED_TEXT: N_("The same text was already posted in the last 24 hours."),
    ABUSIVE_LANGUAGE: N_("It contains words this community does not allow."),
    POSTING_RATE: N_("Many posts were sent in a short time."),
}


QUEUE_READERS = N_("Only moderators can see the moderation queue.")
QUEUE_WORKERS = N_("Only moderators can work the moderation queue.")
BANNERS = N_("Only moderators can suspend or ban members.")
ROLE_CHANGERS = N_("Only admins can change roles.")


# ---- may this member post at all ------------------------------------------------------------


def ensure_may_post(member: Member) -> None:
    if member.is_banned(utcnow()):
        raise Forbidden("Your account is suspended: you cannot post.")


# ---- screening at write time ----------------------------------------------------------------


async def screen_post(
    scope: Scope,
    author: Member,
    post: Post,
    category: Category,
    *,
    thread: Thread | None = None,
    edited: bool = False,
    revised: bool = False,
) -> list[str]:
    """Run the write-time checks on a new or edited post; queue it with its reasons.

    Personal data is masked in what the public sees at once (in the body; in the title and
    slug of an opening post's `thread`, which are stored masked); the other reasons hold the
    post back (visible to its author and moderators) until a moderator decides. An edit is
    checked for what it says (language, links, personal data), not for who wrote it when.
    `author` is whom the post is screened as: its writer (for an edit, the editor).
    `revised`: an accepted or certified answer was edited, for staff to confirm it again.
    """
    reasons = await _reasons(scope, scope.settings.moderation, author, post, category)
    if edited:
        reasons = [r for r in reasons if r not in BEHAVIOUR]
    if thread is not None and post.is_opening and mask_title(scope, thread):
        reasons = sorted({*reasons, PERSONAL_DATA})
    if revised:
        reasons.append(RESOLUTION_EDITED)
    masked = checks.mask_personal_data(post.body_md, scope.tenant.locale)
    post.public_html = (
        render_markdown(masked, scope.tenant.locale) if masked != post.body_md else None
    )
    if any(r in HOLDING for r in reasons) and post.visibility == Visibility.PUBLISHED:
        post.visibility = Visibility.PENDING
    if reasons:
        await _queue(scope, post, reasons)
    return reasons


def mask_title(scope: Scope, thread: Thread) -> bool:
    """Mask personal data in the thread's title, and make its slug from the masked title
    (a title is shown everywhere, slug included: it is stored masked). True if it had some."""
    masked = checks.mask_personal_data(thread.title, scope.tenant.locale)
    if masked == thread.title:
        return False
    thread.title = masked[: forums.TITLE_MAX]
    thread.slug = forums.slugify(thread.title)
    return True


async def _reasons(
    scope: Scope, rules: ModerationRules, author: Member, post: Post, category: Category
) -> list[str]:
    if has_permission(author, Permission.SKIP_PREMODERATION):
        return [PERSONAL_DATA] if checks.find_personal_data(post.body_md) else []
    reasons = []
    published = await _published_posts(scope, author, post)
    if category.premoderated:
        reasons.append(PREMODERATED)
    if published < rules.premoderate_first_posts:
        reasons.append(FIRST_POSTS)
    domains = checks.link_domains(post.body_md)
    if domains and published < rules.new_member_posts:
        reasons.append(LINKS_FROM_NEW_MEMBER)
    if any(checks.domain_blocked(d, rules.blocked_domains) for d in domains):
        reasons.append(BLOCKED_DOMAIN)
    if await _repeated(scope, author, post):
        reasons.append(REPEATED_TEXT)
    if checks.abusive_words(post.body_md, rules.abusive_words):
        reasons.append(ABUSIVE_LANGUAGE)
    if await _recent_posts(scope, author, minutes=1) > rules.posts_per_minute:
        reasons.append(POSTING_RATE)
    if checks.find_personal_data(post.body_md):
        reasons.append(PERSONAL_DATA)
    return reasons


async def _published_posts(scope: Scope, author: Member, post: Post) -> int:
    count = await scope.db.scalar(
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


async def _repeated(scope: Scope, author: Member, post: Post) -> bool:
    since = utcnow() - timedelta(hours=24)
    bodies = await scope.db.scalars(
        select(Post.body_md).where(
            Post.author_id == author.id, Post.id != post.id, Post.created_at >= since
        )
    )
    mine = _fingerprint(post.body_md)
    return any(_fingerprint(body) == mine for body in bodies)


async def _recent_posts(scope: Scope, author: Member, minutes: int) -> int:
    since = utcnow() - timedelta(minutes=minutes)
    count = await scope.db.scalar(
        select(func.count()).where(Post.author_id == author.id, Post.created_at >= since)
    )
    return int(count or 0)


async def _queue(scope: Scope, post: Post, reasons: list[str]) -> QueueItem:
    """The post's open queue item, with these reasons added (one open item per post)."""
    item = await scope.db.scalar(
        select(QueueItem).where(QueueItem.post_id == post.id, QueueItem.state == ItemState.OPEN)
    )
    if item is None:
        item = QueueItem(post_id=post.id, reasons=[])
        scope.db.add(item)
    item.reasons = sorted(set(item.reasons) | set(reasons))
    await _sync_thread(scope, post)
    await scope.db.flush()
    return item


async def _sync_thread(scope: Scope, post: Post) -> None:
    """A thread is as visible as its opening post."""
    if post.number == 1:
        await scope.db.execute(
            update(Thread).where(Thread.id == post.thread_id).values(visibility=post.visibility)
        )


# ---- flags ----------------------------------------------------------------------------------


async def flag_post(scope: Scope, post_id: int, reason: str, note: str = "") -> Flag:
    """The actor flags someone else's post; enough open flags hide it pending review."""
    member = scope.actor
    refuse_control_characters(note=note)
    try:
        flag_reason = FlagReason(reason)
    except ValueError as exc:
        raise ValidationFailed({"reason": N_("Choose why you flag this post.")}) from exc
    if flag_reason == FlagReason.OTHER and not note.strip():
        raise ValidationFailed({"note": N_("Tell the moderators what is wrong.")})
    post = await _post(scope, post_id, lock=True)
    # A post hidden by earlier flags still takes flags from those who saw it published.
    if post.visibility not in {Visibility.PUBLISHED, Visibility.HIDDEN}:
        raise NotFound("This post does not exist or was deleted.")
    if post.author_id == member.id:
        raise ValidationFailed({"reason": N_("You cannot flag your own post.")})
    flag = Flag(post_id=post.id, member_id=member.id, reason=flag_reason,
                note=note.strip()[:500], post=post)  # fmt: skip
    try:
        async with scope.db.begin_nested():
            scope.db.add(flag)
    except IntegrityError as exc:
        raise ValidationFailed({"reason": N_("You already flagged this post.")}) from exc
    await notify(scope, [member.id], kind="flag_received", thread_id=post.thread_id,
                 text=_excerpt(post, scope.tenant.locale), url=f"/p/{post.id}")  # fmt: skip
    await _hide_when_flagged_enough(scope, post)
    await _queue(scope, post, [FLAGGED])  # every flag reaches the moderators at once
    await EVENTS.announce(scope, FLAG_RAISED, flag_id=flag.id, post_id=post.id)
    return flag


async def _hide_when_flagged_enough(scope: Scope, post: Post) -> None:
    """At the tenant's threshold of open flags the post is taken down pending review."""
    open_flags = await scope.db.scalar(
        select(func.count()).where(Flag.post_id == post.id, Flag.outcome.is_(None))
    )
    if (
        int(open_flags or 0) >= scope.settings.moderation.flag_threshold
        and post.visibility == Visibility.PUBLISHED
    ):
        post.visibility = Visibility.HIDDEN


async def open_flags(scope: Scope, post_ids: list[int]) -> dict[int, list[Flag]]:
    """The flags not yet settled on each of these posts, with their flaggers, oldest first:
    what the queue item of the post shows (who, why, their note, when)."""
    found = await scope.db.scalars(
        scope.select(Flag)
        .where(Flag.post_id.in_(post_ids), Flag.outcome.is_(None))
        .options(joinedload(Flag.member))
        .order_by(Flag.created_at, Flag.id)
    )
    by_post: dict[int, list[Flag]] = {post_id: [] for post_id in post_ids}
    for flag in found:
        by_post[flag.post_id].append(flag)
    return by_post


def _excerpt(post: Post, locale: str) -> str:
    text = " ".join(checks.mask_personal_data(post.body_md, locale).split())
    return text if len(text) <= 120 else text[:117] + "…"


async def _post(scope: Scope, post_id: int, lock: bool = False) -> Post:
    query = scope.select(Post).where(Post.id == post_id)
    post = await scope.db.scalar(query.with_for_update() if lock else query)
    if post is None or post.deleted_at is not None:
        raise NotFound("This post does not exist or was deleted.")
    return post


# ---- the queue ------------------------------------------------------------------------------


def _open_items(scope: Scope) -> Select[QueueItem]:
    return (
        scope.select(QueueItem)
        .where(QueueItem.state == ItemState.OPEN)
        .options(
            joinedload(QueueItem.post).joinedload(Post.author),
            joinedload(QueueItem.post).joinedload(Post.thread).joinedload(Thread.category),
            joinedload(QueueItem.claimed_by),
        )
    )


async def open_items(
    scope: Scope, *, reason: str = "", category: str = "", limit: int = 50
) -> list[QueueItem]:
    """Open items, oldest first, optionally for one reason or in one category (its slug)."""
    in_category = await forums.get_category(scope, category) if category else None
    return await _open_items_in(scope, reason, in_category, limit)


async def _open_items_in(
    scope: Scope, reason: str, category: Category | None, limit: int = 50
) -> list[QueueItem]:
    scope.require(Permission.MODERATE, QUEUE_READERS)
    query = _open_items(scope).order_by(QueueItem.created_at, QueueItem.id).limit(limit)
    if reason:
        if reason not in REASONS:
            raise ValidationFailed({"reason": N_("Unknown queue reason.")})
        query = query.where(cast(QueueItem.reasons, String).like(f'%"{reason}"%'))
    if category is not None:
        query = (
            query.join(Post, Post.id == QueueItem.post_id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Thread.category_id == category.id)
        )
    return list((await scope.db.scalars(query)).unique().all())


async def queue_listing(
    scope: Scope, *, reason: str = "", category: str = ""
) -> list[tuple[QueueItem, list[Flag]]]:
    """Open items, oldest first, each with its post's open flags (the API's queue)."""
    items = await open_items(scope, reason=reason, category=category)
    flags = await open_flags(scope, [i.post_id for i in items])
    return [(item, flags[item.post_id]) for item in items]


async def open_item(scope: Scope, item_id: int) -> QueueItem | None:
    scope.require(Permission.MODERATE, QUEUE_READERS)
    query = _open_items(scope).where(QueueItem.id == item_id)
    return await scope.db.scalar(query.execution_options(populate_existing=True))


async def open_count(scope: Scope) -> int:
    """How many items wait in the tenant's queue (the moderators' badge; no guard)."""
    count = await scope.db.scalar(
        select(func.count()).select_from(QueueItem).where(QueueItem.state == ItemState.OPEN)
    )
    return int(count or 0)


async def claim(scope: Scope, item_id: int) -> QueueItem:
    """Take an item for a while; exactly one of several concurrent claims wins."""
    moderator = scope.require(Permission.MODERATE, QUEUE_WORKERS)
    rules = scope.settings.moderation
    now = utcnow()
    won = await scope.db.execute(
        update(QueueItem)
        .where(
            QueueItem.id == item_id,
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
    item = await _item(scope, item_id)
    if not won.rowcount:  # type: ignore[attr-defined]
        holder = item.claimed_by.display_name if item.claimed_by else N_("someone")
        raise ValidationFailed({"claim": N_("Already claimed by %(name)s.") % {"name": holder}})
    await scope.db.refresh(item)
    return item


async def release(scope: Scope, item_id: int) -> None:
    moderator = scope.require(Permission.MODERATE, QUEUE_WORKERS)
    item = await _item(scope, item_id)
    if item.claimed_by_id == moderator.id:
        item.claimed_by_id, item.claimed_until = None, None


async def _item(scope: Scope, item_id: int, *, lock: bool = False) -> QueueItem:
    query = (
        scope.select(QueueItem)
        .where(QueueItem.id == item_id)
        .options(joinedload(QueueItem.post), joinedload(QueueItem.claimed_by))
        .execution_options(populate_existing=True)
    )
    item = await scope.db.scalar(query.with_for_update(of=QueueItem) if lock else query)
    if item is None:
        raise NotFound("No such item in the queue.")
    return item


DECISIONS = {
    "approve": (ItemState.APPROVED, Visibility.PUBLISHED, FlagOutcome.DISMISSED),
    "reject": (ItemState.REJECTED, Visibility.REJECTED, FlagOutcome.UPHELD),
    "hide": (ItemState.HIDDEN, Visibility.HIDDEN, FlagOutcome.UPHELD),
    "delete": (ItemState.DELETED, Visibility.HIDDEN, FlagOutcome.UPHELD),
}


REVIEWS = {"keep": ItemState.CONFIRMED, "withdraw": ItemState.WITHDRAWN}
REVIEWERS = N_("Only brand experts and moderators can review an edited answer.")


async def decide(scope: Scope, item_id: int, action: str, note: str = "") -> QueueItem:
    """Approve, reject (with a reason), hide or delete the post; tell its author and flaggers.
    An edited accepted or certified answer is also kept as it stands (`keep`, or `approve`)
    or loses its acceptance and certification (`withdraw`)."""
    moderator = scope.require(Permission.MODERATE, QUEUE_WORKERS)
    refuse_control_characters(note=note)
    if action not in DECISIONS and action not in REVIEWS:
        raise ValidationFailed({"action": N_("Approve, reject, hide or delete.")})
    if action == "reject" and not note.strip():
        raise ValidationFailed({"note": N_("Give the author a reason for the rejection.")})
    item = await _item(scope, item_id, lock=True)  # one decision per item
    _check_open_and_unclaimed(item, moderator)
    if action in REVIEWS:
        return await _settle_review(scope, item, action, note)
    state, visibility, outcome = DECISIONS[action]
    post = item.post
    before = {"visibility": post.visibility.value, "state": item.state.value}
    was_held = post.visibility == Visibility.PENDING
    _close(item, moderator, state, note)
    post.visibility, post.moderation_note = visibility, note.strip()[:500]
    if action == "delete":
        post.deleted_at = item.decided_at
    await _sync_thread(scope, post)
    record(scope, f"queue.{action}", ("post", post.id), before=before,
           after={"visibility": visibility.value, "state": state.value}, reason=note)  # fmt: skip
    await _settle_flags(scope, post, outcome)
    if action == "approve" and RESOLUTION_EDITED in item.reasons:
        await qa.do_reconfirm(scope, post.thread_id, post.id)
    if action == "delete":
        await _removed(scope, post)
    await _tell_author(scope, post, action, note, was_held=was_held)
    if action == "approve" and was_held:  # now public: who it concerns hears of it
        thread = await scope.one(Thread, post.thread_id)
        await notify_post(scope, thread, post)
        await EVENTS.announce(scope, POST_PUBLISHED, post_id=post.id)
    await scope.db.flush()
    return item


def _close(item: QueueItem, moderator: Member, state: ItemState, note: str) -> None:
    item.state, item.decided_by_id, item.decided_at = state, moderator.id, utcnow()
    item.decision_note, item.claimed_by_id, item.claimed_until = note.strip()[:500], None, None


async def _removed(scope: Scope, post: Post) -> None:
    """What rested on a deleted post goes with it (an answer's resolution), as when its
    author deletes it."""
    thread = await scope.one(Thread, post.thread_id, "This thread does not exist or was deleted.")
    await POSTS.after_remove(scope, PostRemoved(thread, post))


async def _tell_author(scope: Scope, post: Post, action: str, note: str, *, was_held: bool) -> None:
    """The author hears of every decision that takes their post down (with the moderator's
    reason), and of the approval of a post that was held back."""
    if action == "approve" and not was_held:
        return
    kind = "post_approved" if action == "approve" else f"post_{DECISIONS[action][0].value}"
    text = (
        note.strip()
        if note.strip() and action != "approve"
        else _excerpt(post, scope.tenant.locale)
    )
    await notify(scope, [post.author_id], kind=kind, thread_id=post.thread_id, text=text,
                 url=f"/p/{post.id}")  # fmt: skip


async def _settle_review(scope: Scope, item: QueueItem, action: str, note: str) -> QueueItem:
    if RESOLUTION_EDITED not in item.reasons:
        raise ValidationFailed({"action": N_("Only an edited accepted or certified answer is kept or withdrawn.")})  # fmt: skip
    if item.post.visibility != Visibility.PUBLISHED:
        raise ValidationFailed({"action": N_("This post is held back: approve or reject it.")})
    await _apply_review(scope, item.post, keep=action == "keep")
    _close(item, scope.actor, REVIEWS[action], note)
    record(scope, f"queue.{action}", ("post", item.post_id), reason=note,
           after={"state": item.state.value})  # fmt: skip
    await _settle_flags(
        scope, item.post, FlagOutcome.DISMISSED if action == "keep" else FlagOutcome.UPHELD
    )
    await scope.db.flush()
    return item


async def _apply_review(scope: Scope, post: Post, *, keep: bool) -> None:
    if keep:
        await qa.do_reconfirm(scope, post.thread_id, post.id)
    else:
        await qa.do_clear_resolution(scope, post.thread_id, post.id, cause="withdrawn after edit")


async def review_answer(scope: Scope, post_id: int, action: str) -> Post:
    """An expert or moderator, on the thread, keeps (`keep`) an edited accepted or certified
    answer as it stands or withdraws (`withdraw`) its resolution; its review item in the
    queue is closed with it."""
    reviewer = scope.require(Permission.CERTIFY, REVIEWERS)
    post = await _post(scope, post_id)
    if action not in REVIEWS:
        raise ValidationFailed({"action": N_("Keep or withdraw.")})
    keep = action == "keep"
    thread = await scope.one(Thread, post.thread_id, "This thread does not exist or was deleted.")
    if not thread.edited_since_resolution(post):
        raise ValidationFailed({"post": N_("This answer was not edited since it was accepted or certified.")})  # fmt: skip
    await _apply_review(scope, post, keep=keep)
    pending = await scope.db.scalars(
        scope.select(QueueItem).where(
            QueueItem.post_id == post.id, QueueItem.state == ItemState.OPEN
        )
    )
    for item in pending:
        if RESOLUTION_EDITED in item.reasons and post.visibility == Visibility.PUBLISHED:
            _close(item, reviewer, REVIEWS[action], "")
    await scope.db.flush()
    return post


def _check_open_and_unclaimed(item: QueueItem, moderator: Member) -> None:
    if item.state != ItemState.OPEN:
        raise ValidationFailed({"item": N_("This item was already decided.")})
    claimed = (
        item.claimed_by_id is not None and item.claimed_until and item.claimed_until > utcnow()
    )
    if claimed and item.claimed_by_id != moderator.id:
        holder = item.claimed_by.display_name if item.claimed_by else N_("another moderator")
        message = N_("Claimed by %(name)s: wait until it is released.")
        raise ValidationFailed({"claim": message % {"name": holder}})


async def _settle_flags(scope: Scope, post: Post, outcome: FlagOutcome) -> None:
    flaggers = list(
        await scope.db.scalars(
            select(Flag.member_id).where(Flag.post_id == post.id, Flag.outcome.is_(None))
        )
    )
    if not flaggers:
        return
    await scope.db.execute(
        update(Flag)
        .where(Flag.post_id == post.id, Flag.outcome.is_(None))
        .values(outcome=outcome)
        .execution_options(synchronize_session=False)
    )
    await notify(scope, flaggers, kind=f"flag_{outcome.value}",
                 thread_id=post.thread_id, text=_excerpt(post, scope.tenant.locale), url=f"/p/{post.id}")  # fmt: skip


# ---- the people -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorHistory:
    posts: int
    flags_received: int
    reputation: int
    banned_until: datetime | None


async def author_histories(scope: Scope, authors: list[Member]) -> dict[int, AuthorHistory]:
    """Each author's history, in two grouped queries however many authors the queue shows."""
    ids = {a.id for a in authors}
    posts = dict(
        (await scope.db.execute(
            select(Post.author_id, func.count()).where(Post.author_id.in_(ids)).group_by(Post.author_id)
        )).all()
    )  # fmt: skip
    flags = dict(
        (await scope.db.execute(
            select(Post.author_id, func.count()).select_from(Flag)
            .join(Post, Post.id == Flag.post_id)
            .where(Post.author_id.in_(ids)).group_by(Post.author_id)
        )).all()
    )  # fmt: skip
    return {
        a.id: AuthorHistory(posts.get(a.id, 0), flags.get(a.id, 0), a.reputation, a.banned_until)
        for a in authors
    }


async def _member(scope: Scope, member_id: int) -> Member:
    return await scope.one(Member, member_id, "No such member.")


async def ban(scope: Scope, member_id: int, *, days: int | None, reason: str) -> Member:
    """Suspend for some days, or ban for good (days=None). The member cannot post or log in."""
    moderator = scope.require(Permission.BAN, BANNERS)
    refuse_control_characters(reason=reason)
    if not reason.strip():
        raise ValidationFailed({"reason": N_("Give the member a reason.")})
    if days is not None and not 1 <= days <= MAX_BAN_DAYS:
        raise ValidationFailed({"days": BAN_DAYS})
    member = await _member(scope, member_id)
    if member.id == moderator.id or has_permission(member, Permission.MODERATE):
        raise Forbidden("Moderators and admins cannot be banned from here.")
    until = utcnow() + timedelta(days=days if days is not None else 365 * 100)
    before = {"banned_until": member.banned_until.isoformat() if member.banned_until else None}
    member.banned_until, member.ban_reason = until, reason.strip()[:500]
    await end_all_sessions(scope, member.id)  # signed out at once, not at their next login
    record(scope, "member.ban", ("member", member.id), before=before,
           after={"banned_until": until.isoformat()}, reason=reason)  # fmt: skip
    await scope.db.flush()
    return member


async def unban(scope: Scope, member_id: int) -> Member:
    scope.require(Permission.BAN, BANNERS)
    member = await _member(scope, member_id)
    record(scope, "member.unban", ("member", member.id),
           before={"banned_until": member.banned_until.isoformat() if member.banned_until else None},
           after={"banned_until": None})  # fmt: skip
    member.banned_until, member.ban_reason = None, ""
    await scope.db.flush()
    return member


async def members_by_role(scope: Scope, limit: int = 500) -> list[Member]:
    """The tenant's members, admins first, for the page where an admin changes roles."""
    scope.require(Permission.MANAGE_ROLES, ROLE_CHANGERS)
    found = await scope.db.scalars(
        scope.select(Member).order_by(Member.role, Member.display_name).limit(limit)
    )
    return list(found)


async def change_role(scope: Scope, member_id: int, role: str) -> Member:
    admin = scope.require(Permission.MANAGE_ROLES, ROLE_CHANGERS)
    try:
        new_role = Role(role)
    except ValueError as exc:
        raise ValidationFailed({"role": N_("Unknown role.")}) from exc
    member = await _member(scope, member_id)
    if member.id == admin.id:
        raise ValidationFailed({"role": N_("You cannot change your own role.")})
    record(scope, "member.role", ("member", member.id),
           before={"role": member.role.value}, after={"role": new_role.value})  # fmt: skip
    member.role = new_role
    await end_all_sessions(scope, member.id)  # they sign in again, under their new role
    await scope.db.flush()
    return member


# ---- figures for the dashboard ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueFigures:
    open_items: int
    oldest_age_minutes: int | None
    median_minutes_to_decision: float | None  # over the last 30 days


async def _minutes_to_decision(scope: Scope) -> list[float]:
    """How long each item decided in the last 30 days waited, in minutes."""
    decided = await scope.db.execute(
        select(QueueItem.created_at, QueueItem.decided_at).where(
            QueueItem.decided_at.is_not(None),
            QueueItem.decided_at >= utcnow() - timedelta(days=30),
        )
    )
    return [(d - c).total_seconds() / 60 for c, d in decided.all() if d is not None]


async def queue_figures(scope: Scope) -> QueueFigures:
    scope.require(Permission.MODERATE, QUEUE_READERS)
    now = utcnow()
    oldest = await scope.db.scalar(
        select(func.min(QueueItem.created_at)).where(QueueItem.state == ItemState.OPEN)
    )
    durations = await _minutes_to_decision(scope)
    return QueueFigures(
        open_items=await open_count(scope),
        oldest_age_minutes=int((now - oldest).total_seconds() // 60) if oldest else None,
        median_minutes_to_decision=round(median(durations), 1) if durations else None,
    )


# ---- the queue as pages show it ------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    """The queue page: its open items with their authors' histories, the filters and figures."""

    items: list[QueueItem]
    histories: dict[int, AuthorHistory]
    flags: dict[int, list[Flag]]  # each item's post's open flags
    reason: str
    category: Category | None
    categories: list[Category]
    figures: QueueFigures
    reasons: tuple[str, ...] = REASONS


async def queue_page(scope: Scope, *, reason: str = "", category: str = "") -> QueuePage:
    in_category = await forums.get_category(scope, category) if category else None
    items = await _open_items_in(scope, reason, in_category)
    return QueuePage(
        items=items,
        histories=await author_histories(scope, [i.post.author for i in items]),
        flags=await open_flags(scope, [i.post_id for i in items]),
        reason=reason,
        category=in_category,
        categories=await forums.list_categories(scope),
        figures=await queue_figures(scope),
    )


@dataclass(frozen=True)
class QueueEntry:
    item: QueueItem
    history: AuthorHistory
    flags: list[Flag]


async def queue_entry(scope: Scope, item_id: int) -> QueueEntry | None:
    """One open item as the queue shows it, or None once it is decided."""
    item = await open_item(scope, item_id)
    if item is None:
        return None
    history = (await author_histories(scope, [item.post.author]))[item.post.author_id]
    flags = (await open_flags(scope, [item.post_id]))[item.post_id]
    return QueueEntry(item, history, flags)


# ---- what the author of a held post is told ----------------------------------------------------

MEASURED_AFTER = 5  # decisions in 30 days before the queue's own figure is quoted


@dataclass(frozen=True)
class ReviewDelay:
    """Roughly when a held post will be looked at: `hours`, either measured (4 in 5 items
    decided in the last 30 days waited no longer) or the tenant's stated `review_hours`."""

    hours: int
    measured: bool


async def review_delay(scope: Scope) -> ReviewDelay:
    waits = sorted(await _minutes_to_decision(scope))
    if len(waits) < MEASURED_AFTER:
        return ReviewDelay(scope.settings.moderation.review_hours, measured=False)
    eightieth = waits[math.ceil(0.8 * len(waits)) - 1]
    return ReviewDelay(max(1, math.ceil(eightieth / 60)), measured=True)


@dataclass(frozen=True)
class HeldNotice:
    """Why one of the viewer's posts is held back (keys of HELD_EXPLANATIONS), and when."""

    reasons: list[str]
    delay: ReviewDelay


async def held_notices(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`held`: for each of the viewer's own posts on the page that waits for a moderator,
    why and roughly when (no one else is told)."""
    me = scope.member
    mine = [
        p.id
        for p in view.posts.items
        if me is not None and p.author_id == me.id and p.visibility == Visibility.PENDING
    ]
    if not mine:
        return {"held": {}}
    items = await scope.db.scalars(
        scope.select(QueueItem).where(
            QueueItem.post_id.in_(mine), QueueItem.state == ItemState.OPEN
        )
    )
    delay = await review_delay(scope)
    return {
        "held": {
            item.post_id: HeldNotice([r for r in item.reasons if r in HELD_EXPLANATIONS], delay)
            for item in items
        }
    }
