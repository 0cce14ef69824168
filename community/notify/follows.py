"""What members follow, and how closely: a level per thread and per category.

A thread's level is the member's own choice for it if they made one; else muted when they
muted its category, watching when they watch its category, normal otherwise. Watching hears
every new post, normal only replies to the member's own thread and mentions, muted nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.errors import ValidationFailed
from community.forums.models import Thread
from community.l10n import N_
from community.notify.models import CategoryFollow, FollowPreference, Level, Subscription
from community.scope import Scope


def parse_level(value: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise ValidationFailed({"level": N_("Choose watching, normal or muted.")}) from None


async def thread_levels(
    scope: Scope, thread: Thread, member_ids: Iterable[int]
) -> dict[int, Level]:
    """The level of each of these members on the thread (see the module's rule)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    own = await _levels(scope, Subscription, Subscription.thread_id, thread.id, wanted)
    by_category = await _levels(
        scope, CategoryFollow, CategoryFollow.category_id, thread.category_id, wanted - set(own)
    )
    return {m: own.get(m) or by_category.get(m) or Level.NORMAL for m in wanted}


async def level_for(scope: Scope, member_id: int, thread: Thread) -> Level:
    return (await thread_levels(scope, thread, [member_id]))[member_id]


async def _levels(
    scope: Scope,
    model: type[Subscription] | type[CategoryFollow],
    column: object,
    target_id: int,
    member_ids: set[int],
) -> dict[int, Level]:
    if not member_ids:
        return {}
    rows = await scope.db.execute(
        select(model.member_id, model.level).where(
            column == target_id,  # type: ignore[arg-type]
            model.member_id.in_(member_ids),
        )
    )
    return {member_id: Level(level) for member_id, level in rows}


async def watchers_of_thread(scope: Scope, thread: Thread) -> set[int]:
    """Members who hear every new post of the thread (their own choice or their category's)."""
    own = await scope.db.execute(
        select(Subscription.member_id, Subscription.level).where(
            Subscription.thread_id == thread.id
        )
    )
    chosen = {member_id: level for member_id, level in own}
    by_category = await watchers_of_category(scope, thread.category_id)
    return {m for m, level in chosen.items() if level == Level.WATCHING} | (
        by_category - set(chosen)
    )


async def watchers_of_category(
    scope: Scope, category_id: int, levels: Iterable[Level] = (Level.WATCHING,)
) -> set[int]:
    result = await scope.db.scalars(
        select(CategoryFollow.member_id).where(
            CategoryFollow.category_id == category_id, CategoryFollow.level.in_(list(levels))
        )
    )
    return set(result.all())


async def set_thread_level(scope: Scope, thread_id: int, level: Level) -> None:
    """The actor's level on the thread; normal removes their choice (the category's rules)."""
    await _set_level(scope, Subscription, Subscription.thread_id, thread_id, level)


async def set_category_level(scope: Scope, category_id: int, level: Level) -> None:
    await _set_level(scope, CategoryFollow, CategoryFollow.category_id, category_id, level)


async def _set_level(
    scope: Scope,
    model: type[Subscription] | type[CategoryFollow],
    column: object,
    target_id: int,
    level: Level,
) -> None:
    member_id = scope.actor.id
    row = await scope.db.scalar(
        select(model).where(column == target_id, model.member_id == member_id)  # type: ignore[arg-type]
    )
    if row is not None:
        row.level = level
    else:
        key = "thread_id" if model is Subscription else "category_id"
        try:
            async with scope.db.begin_nested():
                scope.db.add(model(member_id=member_id, level=level, **{key: target_id}))
        except IntegrityError:  # a concurrent request chose first; this choice wins
            await _set_level(scope, model, column, target_id, level)
    await scope.db.flush()


async def chosen_thread_level(scope: Scope, thread_id: int) -> Level | None:
    """The level the actor chose on the thread, if any (a guest chose none)."""
    if scope.member is None:
        return None
    level = await scope.db.scalar(
        select(Subscription.level).where(
            Subscription.thread_id == thread_id, Subscription.member_id == scope.member.id
        )
    )
    return Level(level) if level is not None else None


async def category_level(scope: Scope, category_id: int) -> Level:
    """The actor's level on the category (normal for a guest or without a choice)."""
    if scope.member is None:
        return Level.NORMAL
    level = await scope.db.scalar(
        select(CategoryFollow.level).where(
            CategoryFollow.category_id == category_id,
            CategoryFollow.member_id == scope.member.id,
        )
    )
    return Level(level) if level is not None else Level.NORMAL


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
    try:
        async with scope.db.begin_nested():
            scope.db.add(Subscription(member_id=member_id, thread_id=thread_id))
    except IntegrityError:
        pass  # they already chose a level: it stays
