"""Tags: the words a community files its threads under.

A community manager (moderator or admin) defines them; members whose reputation reaches
the tenant's threshold (`TagRules.member_creation_reputation`) may also create one while
tagging. A thread carries at most `MAX_TAGS_PER_THREAD`. `Tag.thread_count` counts the
live (not deleted) threads that carry the tag: every change of a thread's tags, and the
deletion of a thread, moves it; `recompute_tag_counts` rebuilds it from the facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload

from community.errors import NotFound, ValidationFailed, require
from community.forums.lifecycle import PostWritten
from community.forums.models import Thread, Visibility
from community.identity.permissions import Permission
from community.inputs import CONTROL_MESSAGE, has_control_characters, normalise_line
from community.l10n import N_
from community.moderation.audit import record
from community.pagination import Page
from community.scope import Scope
from community.search.queue import touch
from community.tags.lifecycle import TAGGING, ThreadTagged
from community.tags.models import Tag, ThreadTag
from community.tags.rules import MAX_TAGS_PER_THREAD
from community.tenancy.models import Tenant

NAME_MAX = 40
DESCRIPTION_MAX = 500
TAG_MANAGERS = N_("Only moderators and admins manage tags.")
TAG_SETTINGS_ADMINS = N_("Only community admins can change who creates tags.")
NO_SUCH_TAG = N_("No such tag.")


def tag_slug(name: str) -> str:
    """The tag's address: lower case, a-z 0-9 and hyphens ("Wi-Fi" → "wi-fi")."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:NAME_MAX].rstrip("-")


def parse_names(text: str) -> list[str]:
    """Comma-separated names as typed, tidied, one per slug, in the order typed."""
    names: dict[str, str] = {}
    for part in text.split(","):
        name = normalise_line(part)
        if name:
            names.setdefault(tag_slug(name) or name, name)
    return list(names.values())


def check_name(name: str, field: str = "name") -> dict[str, str]:
    if has_control_characters(name):
        return {field: CONTROL_MESSAGE}
    line = normalise_line(name)
    if len(line) > NAME_MAX:
        return {field: N_("A tag is 40 characters at most: %(name)s") % {"name": line[:NAME_MAX]}}
    if not tag_slug(line):
        return {field: N_("A tag needs letters or digits: %(name)s") % {"name": line or "—"}}
    return {}


def check_names(names: Sequence[str]) -> dict[str, str]:
    if len(names) > MAX_TAGS_PER_THREAD:
        return {"tags": N_("Choose at most 5 tags.")}
    for name in names:
        if errors := check_name(name, "tags"):
            return errors
    return {}


# ---- reading --------------------------------------------------------------------------------


async def list_tags(scope: Scope) -> list[Tag]:
    found = await scope.db.scalars(scope.select(Tag).order_by(Tag.name, Tag.id))
    return list(found.all())


async def get_tag(scope: Scope, slug: str) -> Tag:
    tag = await scope.db.scalar(scope.select(Tag).where(Tag.slug == slug))
    if tag is None:
        raise NotFound("No such tag.")
    return tag


def tagged_thread_ids(tag: Tag) -> Select[int]:
    """The ids of the threads carrying `tag`, for a thread listing to filter on."""
    return select(ThreadTag.thread_id).where(ThreadTag.tag_id == tag.id)


async def tags_of_threads(scope: Scope, thread_ids: Iterable[int]) -> dict[int, list[Tag]]:
    """Each thread's tags by name, in one query (threads without tags are left out)."""
    ids = list(thread_ids)
    if not ids:
        return {}
    rows = await scope.db.execute(
        select(ThreadTag.thread_id, Tag)
        .join(Tag, Tag.id == ThreadTag.tag_id)
        .where(ThreadTag.thread_id.in_(ids))
        .order_by(Tag.name)
    )
    found: dict[int, list[Tag]] = {}
    for thread_id, tag in rows:
        found.setdefault(thread_id, []).append(tag)
    return found


async def tag_names(scope: Scope, thread_id: int) -> str:
    """A thread's tags as the tag field of a form shows them: "Billing, Wi-Fi"."""
    found = await tags_of_threads(scope, [thread_id])
    return ", ".join(tag.name for tag in found.get(thread_id, []))


def may_create_tags(scope: Scope) -> bool:
    """Managers always; members from the tenant's reputation threshold, when it has one."""
    if scope.can(Permission.MODERATE):
        return True
    threshold = scope.settings.tags.member_creation_reputation
    return (
        scope.member is not None
        and threshold is not None
        and (scope.member.reputation >= threshold)
    )


@dataclass(frozen=True)
class TagField:
    """What a form's tag field needs: the tags to suggest and whether new ones are welcome."""

    suggestions: list[Tag]
    may_create: bool
    limit: int = MAX_TAGS_PER_THREAD


async def tag_field(scope: Scope) -> TagField:
    return TagField(await list_tags(scope), may_create_tags(scope))


# ---- tagging threads ------------------------------------------------------------------------


async def resolve_tags(scope: Scope, text: str) -> list[Tag]:
    """The tags named in `text`: known ones, and new ones when the actor may create tags.
    Refuses (ValidationFailed on "tags") too many, too long, or unknown names."""
    names = parse_names(text)
    require(check_names(names))
    if not names:
        return []
    slugs = {tag_slug(name): name for name in names}
    known = {
        tag.slug: tag
        for tag in await scope.db.scalars(scope.select(Tag).where(Tag.slug.in_(list(slugs))))
    }
    unknown = [name for slug, name in slugs.items() if slug not in known]
    if unknown and not may_create_tags(scope):
        message = N_("Unknown tag: %(names)s. Choose among the suggested tags.")
        require({"tags": message % {"names": ", ".join(unknown)}})
    for name in unknown:
        tag = Tag(slug=tag_slug(name), name=name)
        scope.db.add(tag)
        known[tag.slug] = tag
    await scope.db.flush()
    return [known[slug] for slug in slugs]


async def set_thread_tags(
    scope: Scope, thread: Thread, tags: Sequence[Tag], *, new_thread: bool = False
) -> bool:
    """Give the thread exactly these tags, keeping the counts; True when they changed.

    Rows are added and deleted through the session, never by a bulk DELETE: the search
    index queue hears of each ThreadTag the session flushes."""
    current = {
        row.tag_id: row
        for row in await scope.db.scalars(
            scope.select(ThreadTag).where(ThreadTag.thread_id == thread.id)
        )
    }
    wanted = {tag.id for tag in tags}
    added, removed = wanted - set(current), set(current) - wanted
    if not added and not removed:
        return False
    for tag_id in removed:
        await scope.db.delete(current[tag_id])
    scope.db.add_all(ThreadTag(thread_id=thread.id, tag_id=tag_id) for tag_id in added)
    if thread.deleted_at is None:
        await _move_counts(scope, added, +1)
        await _move_counts(scope, removed, -1)
    await scope.db.flush()
    if added:
        await TAGGING.after_tagging(scope, ThreadTagged(thread, frozenset(added), new_thread))
    return True


Written = TypeVar("Written")
PENDING_TAGS = "tags.pending"  # in the session's info, while write_tagged writes


async def write_tagged(
    scope: Scope,
    text: str,
    write: Callable[[], Awaitable[Written]],
    thread_id_of: Callable[[Written], int | None],
) -> Written:
    """Write a thread or its opening post (`write`, which checks who may) and give the
    thread the tags of its tag field: the problems of both are answered together.

    The tags wait in the session for the opening post's reactions (`tag_opening_post`, which
    runs before the notifications'): who hears of a new thread depends on its tags."""
    errors: dict[str, str] = {}
    tags: list[Tag] = []
    try:
        tags = await resolve_tags(scope, text)
    except ValidationFailed as exc:
        errors = exc.errors
    if not errors:
        scope.db.info[PENDING_TAGS] = tags
    try:
        written = await write()
    except ValidationFailed as exc:
        raise ValidationFailed(exc.errors | errors) from None
    finally:
        pending = scope.db.info.pop(PENDING_TAGS, None)
    require(errors)
    if pending is not None and (thread_id := thread_id_of(written)) is not None:
        await set_thread_tags(scope, await scope.one(Thread, thread_id), tags)
    return written


async def tag_opening_post(scope: Scope, written: PostWritten) -> None:
    """A POSTS reaction: the opening post written through `write_tagged` gets its tags now."""
    if written.post.is_opening and PENDING_TAGS in scope.db.info:
        tags: list[Tag] = scope.db.info.pop(PENDING_TAGS)
        await set_thread_tags(scope, written.thread, tags, new_thread=not written.edited)


async def untag_deleted_thread(scope: Scope, thread: Thread) -> None:
    """A deleted thread no longer counts for its tags (it keeps them, should it come back)."""
    tag_ids = set(
        await scope.db.scalars(select(ThreadTag.tag_id).where(ThreadTag.thread_id == thread.id))
    )
    await _move_counts(scope, tag_ids, -1)


async def _move_counts(scope: Scope, tag_ids: set[int], step: int) -> None:
    if tag_ids:
        await scope.db.execute(
            update(Tag).where(Tag.id.in_(tag_ids)).values(thread_count=Tag.thread_count + step)
        )


async def _reindex_tagged(scope: Scope, tag: Tag) -> None:
    """A renamed tag changes the documents of its threads, though no ThreadTag row changes
    (the index queue sees those by itself): queue them by hand."""
    for thread_id in await scope.db.scalars(tagged_thread_ids(tag)):
        touch(scope.db, scope.tenant_id, thread_id, "tag:renamed")


async def recompute_tag_counts(scope: Scope) -> None:
    """Rebuild every tag's thread_count from the threads that carry it."""
    await scope.db.execute(
        update(Tag).values(
            thread_count=select(func.count())
            .select_from(ThreadTag)
            .join(Thread, Thread.id == ThreadTag.thread_id)
            .where(ThreadTag.tag_id == Tag.id, Thread.deleted_at.is_(None))
            .scalar_subquery()
        )
    )


async def threads_with_tag(
    scope: Scope, tag: Tag, *, page: int = 1, page_size: int = 20
) -> Page[Thread]:
    """The live published threads (ideas included) carrying the tag, newest activity first."""
    conditions = [
        Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLISHED,
        Thread.id.in_(tagged_thread_ids(tag)),
    ]
    total = await scope.db.scalar(select(func.count()).select_from(Thread).where(*conditions))
    found = await scope.db.scalars(
        scope.select(Thread)
        .where(*conditions)
        .options(joinedload(Thread.author), joinedload(Thread.category))
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    listing = Page(list(found.all()), page, page_size, total or 0)
    if page > listing.count:
        raise NotFound("There is no such page.")
    return listing


# ---- managing tags --------------------------------------------------------------------------


def _check_description(description: str) -> dict[str, str]:
    if has_control_characters(description):
        return {"description": CONTROL_MESSAGE}
    if len(description) > DESCRIPTION_MAX:
        return {"description": N_("The description is 500 characters at most.")}
    return {}


async def _refuse_taken(scope: Scope, slug: str, keep: int | None = None) -> None:
    taken = await scope.db.scalar(scope.select(Tag).where(Tag.slug == slug))
    if taken is not None and taken.id != keep:
        require(
            {"name": N_("A tag with this name already exists: %(name)s") % {"name": taken.name}}
        )


async def create_tag(scope: Scope, name: str, description: str = "") -> Tag:
    scope.require(Permission.MODERATE, TAG_MANAGERS)
    require(check_name(name) | _check_description(description))
    name = normalise_line(name)
    await _refuse_taken(scope, tag_slug(name))
    tag = Tag(slug=tag_slug(name), name=name, description=description.strip())
    scope.db.add(tag)
    await scope.db.flush()
    record(scope, "tag.create", ("tag", tag.id), after=_audited(tag))
    return tag


async def update_tag(scope: Scope, tag_id: int, name: str, description: str) -> Tag:
    """Rename a tag (its address follows the name) or change its description."""
    scope.require(Permission.MODERATE, TAG_MANAGERS)
    tag = await scope.one(Tag, tag_id, NO_SUCH_TAG)
    require(check_name(name) | _check_description(description))
    name = normalise_line(name)
    await _refuse_taken(scope, tag_slug(name), keep=tag.id)
    before = _audited(tag)
    renamed = tag.name != name
    tag.name, tag.slug, tag.description = name, tag_slug(name), description.strip()
    await scope.db.flush()
    record(scope, "tag.update", ("tag", tag.id), before=before, after=_audited(tag))
    if renamed:
        await _reindex_tagged(scope, tag)
    return tag


async def delete_tag(scope: Scope, tag_id: int) -> None:
    """Take a tag off every thread (row by row, for the search index queue) and forget it."""
    scope.require(Permission.MODERATE, TAG_MANAGERS)
    tag = await scope.one(Tag, tag_id, NO_SUCH_TAG)
    record(scope, "tag.delete", ("tag", tag.id), before=_audited(tag))
    for row in await scope.db.scalars(scope.select(ThreadTag).where(ThreadTag.tag_id == tag.id)):
        await scope.db.delete(row)
    await scope.db.flush()
    await scope.db.delete(tag)
    await scope.db.flush()


def _audited(tag: Tag) -> dict[str, str]:
    return {"name": tag.name, "slug": tag.slug, "description": tag.description}


async def set_member_creation(scope: Scope, threshold: int | None) -> None:
    """Let members from this reputation create tags while tagging (None: managers only)."""
    scope.require(Permission.CONFIGURE_COMMUNITY, TAG_SETTINGS_ADMINS)
    tenant = await scope.db.get(Tenant, scope.tenant_id)
    assert tenant is not None
    before = dict(tenant.preferences)
    after = {"member_creation_reputation": threshold}
    tenant.preferences = before | {"tags": after}
    record(scope, "settings.tags", ("tenant", scope.tenant_id),
           before=before.get("tags"), after=after)  # fmt: skip
    await scope.db.flush()
