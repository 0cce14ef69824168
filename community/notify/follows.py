"""What members follow, and how closely: a level per thread, per category and per tag.

A thread's level is the member's own choice for it if they made one; else muted when they
muted its category or one of its tags, watching when they watch its category or one of its
tags, normal otherwise. Watching hears every new post, normal only replies to the member's
own thread and mentions, muted nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from community.db import insert_missing, utcnow
from community.errors import ValidationFailed
from community.forums import services as forums
from community.forums.models import Thread
from community.l10n import N_
from community.notify.models import CategoryFollow, FollowPreference, Level, Subscription, TagFollow
from community.scope import Scope
from community.tags import services as tags
from community.tags.models import ThreadTag

Followed = type[Subscription] | type[CategoryFollow] | type[TagFollow]


def _target(model: Followed) -> InstrumentedAttribute[int]:
    """The column naming what the member follows: the thread, the category or the tag."""
    if model is Subscription:
        return Subscription.thread_id
    return CategoryFollow.category_id if model is CategoryFollow else TagFollow.tag_id


def parse_level(value: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise ValidationFailed({"level": N_("Choose watching, normal or muted.")}) from None


async def thread_tag_ids(scope: Scope, thread_id: int) -> list[int]:
    found = await scope.db.scalars(select(ThreadTag.tag_id).where(ThreadTag.thread_id == thread_id))
    return list(found.all())


async def thread_levels(
    scope: Scope, thread: Thread, member_ids: Iterable[int]
) -> dict[int, Level]:
    """The level of each of these members on the thread (see the module's rule)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    own = await _levels(scope, Subscription, [thread.id], wanted)
    rest = wanted - set(own)
    inherited = await _levels(scope, CategoryFollow, [thread.category_id], rest)
    tag_ids = await thread_tag_ids(scope, thread.id)
    for member_id, level in (await _levels(scope, TagFollow, tag_ids, rest)).items():
        inherited[member_id] = _louder(inherited.get(member_id), level)
    return {m: own.get(m) or inherited.get(m) or Level.NORMAL for m in wanted}


def _louder(first: Level | None, second: Level) -> Level:
    """Of two inherited levels, muted wins over watching, and either over normal."""
    order = (Level.MUTED, Level.WATCHING, Level.NORMAL)
    return second if first is None else min(first, second, key=order.index)


async def level_for(scope: Scope, member_id: int, thread: Thread) -> Level:
    return (await thread_levels(scope, thread, [member_id]))[member_id]


async def _levels(
    scope: Scope, model: Followed, target_ids: list[int], member_ids: set[int]
) -> dict[int, Level]:
    """Each member's level on these targets, muted winning where they chose several."""
    if not member_ids or not target_ids:
        return {}
    rows = await scope.db.execute(
        select(model.member_id, model.level).where(
            _target(model).in_(target_ids), model.member_id.in_(member_ids)
        )
    )
    found: dict[int, Level] = {}
    for member_id, level in rows:
        found[member_id] = _louder(found.get(member_id), Level(level))
    return found


async def watchers_of_thread(scope: Scope, thread: Thread) -> set[int]:
    """Members who hear every new post of the thread: their own choice, else its category's
    or its tags' (thread_levels then leaves out whoever muted one of them)."""
    own = await scope.db.execute(
        select(Subscription.member_id, Subscription.level).where(
            Subscription.thread_id == thread.id
        )
    )
    chosen = {member_id: level for member_id, level in own}
    inherited = await watchers_of_category(scope, thread.category_id)
    inherited |= await watchers_of_tags(scope, await thread_tag_ids(scope, thread.id))
    return {m for m, level in chosen.items() if level == Level.WATCHING} | (inherited - set(chosen))


async def watchers_of_category(
    scope: Scope, category_id: int, levels: Iterable[Level] = (Level.WATCHING,)
) -> set[int]:
    return await followers_of_categories(scope, [category_id], levels)


async def followers_of_categories(
    scope: Scope, category_ids: Iterable[int], levels: Iterable[Level]
) -> set[int]:
    return await _followers(scope, CategoryFollow, list(category_ids), levels)


async def watchers_of_tags(scope: Scope, tag_ids: Iterable[int]) -> set[int]:
    return await _followers(scope, TagFollow, list(tag_ids), (Level.WATCHING,))


async def _followers(
    scope: Scope, model: Followed, target_ids: list[int], levels: Iterable[Level]
) -> set[int]:
    if not target_ids:
        return set()
    found = await scope.db.scalars(
        select(model.member_id).where(_target(model).in_(target_ids), model.level.in_(list(levels)))
    )
    return set(found.all())


async def set_thread_level(scope: Scope, thread_id: int, level: Level) -> None:
    """The actor's level on the thread; normal removes their choice (the category's rules)."""
    await set_level(scope, Subscription, thread_id, level)


async def set_level(scope: Scope, model: Followed, target_id: int, level: Level) -> None:
    """The actor's level on a thread, a category or a tag (the caller found it visible)."""
    member_id = scope.actor.id
    column = _target(model)
    row: Subscription | CategoryFollow | TagFollow | None = await scope.db.scalar(
        select(model).where(column == target_id, model.member_id == member_id)
    )
    if row is not None:
        row.level = level
    else:
        try:
            async with scope.db.begin_nested():
                scope.db.add(model(member_id=member_id, level=level, **{column.key: target_id}))
        except IntegrityError:  # a concurrent request chose first; this choice wins
            await set_level(scope, model, target_id, level)
    await scope.db.flush()


@dataclass(frozen=True)
class Target:
    """A category or a tag a member sets a level on, with what its level page shows."""

    model: type[CategoryFollow] | type[TagFollow]
    id: int
    name: str
    url: str  # its page; its level page is under it, at /notifications
    crumbs: tuple[tuple[str, str], ...]  # (label, url) between Home and the target
    explanation: str


async def category_target(scope: Scope, slug: str) -> Target:
    category = await forums.get_category(scope, slug)
    explanation = N_(
        "Watching tells you of every new thread and post in the category. Announcements "
        "reach watching and normal followers. A level chosen on a thread wins over the "
        "category's."
    )
    url = f"/c/{category.slug}"
    return Target(CategoryFollow, category.id, category.name, url, (), explanation)


async def tag_target(scope: Scope, slug: str) -> Target:
    tag = await tags.get_tag(scope, slug)
    explanation = N_(
        "Watching tells you of every new thread with this tag and of every post in it. "
        "Muting the tag silences its threads, even in a category you watch. A level chosen "
        "on a thread wins over the tag's."
    )
    crumbs = ((N_("Tags"), "/tags"),)
    return Target(TagFollow, tag.id, tag.name, f"/tags/{tag.slug}", crumbs, explanation)


async def set_target_level(scope: Scope, target: Target, level: Level) -> None:
    await set_level(scope, target.model, target.id, level)


async def target_level(scope: Scope, target: Target) -> Level:
    """The actor's level on the category or tag (normal for a guest or without a choice)."""
    return await chosen_level(scope, target.model, target.id) or Level.NORMAL


async def chosen_thread_level(scope: Scope, thread_id: int) -> Level | None:
    """The level the actor chose on the thread, if any (a guest chose none)."""
    return await chosen_level(scope, Subscription, thread_id)


async def chosen_level(scope: Scope, model: Followed, target_id: int) -> Level | None:
    """The level the actor chose on a thread, a category or a tag, if any."""
    if scope.member is None:
        return None
    level = await scope.db.scalar(
        select(model.level).where(_target(model) == target_id, model.member_id == scope.member.id)
    )
    return Level(level) if level is not None else None


async def auto_follows(scope: Scope, member_id: int) -> bool:
    """Whether asking or answering follows the thread for this member (on unless switched off)."""
    chosen = await scope.db.scalar(
        select(FollowPreference.auto_follow).where(FollowPreference.member_id == member_id)
    )
    return chosen is None or bool(chosen)


async def set_auto_follow(scope: Scope, enabled: bool) -> None:
    member_id = scope.actor.id
    row = await scope.db.scalar(
        select(FollowPreference).where(FollowPreference.member_id == member_id)
    )
    if row is None:
        scope.db.add(FollowPreference(member_id=member_id, auto_follow=enabled))
    else:
        row.auto_follow = enabled
    await scope.db.flush()


async def follow_on_writing(scope: Scope, member_id: int, thread_id: int) -> None:
    """The writer watches the thread, when they let writing follow and chose nothing yet."""
    if not await auto_follows(scope, member_id):
        return
    # They already chose a level: it stays.
    await insert_missing(scope.db, Subscription, [
        {"tenant_id": scope.tenant_id, "member_id": member_id, "thread_id": thread_id,
         "level": Level.WATCHING, "created_at": utcnow()},
    ])  # fmt: skip
