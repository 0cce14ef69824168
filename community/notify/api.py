"""Mention autocompletion over JSON (the members whose name starts with what is typed), and
the member's follow level on a category or a tag."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from community.forums.mentions import mention_handle, suggest_members
from community.notify import follows
from community.notify.models import Level
from community.scope import Scope
from community.web.inputs import Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE

Prefix = Annotated[str, QueryParameter(max_length=80, description="The start of a member name")]


class MemberSuggestion(msgspec.Struct):
    id: int
    name: str
    handle: str  # what to type to mention them, e.g. "@Alice_Martin"


class MentionsApi(Controller):
    path = "/api/v1"
    tags = ["members"]

    @get("/members/suggest", **MEMBER_READ)
    async def suggest(self, here: NamedDependency[Scope], q: Prefix = "") -> list[MemberSuggestion]:
        """Members to mention whose name starts with `q` (signed-in members only)."""
        here.actor  # noqa: B018 (guests are asked to log in)
        return [
            MemberSuggestion(m.id, m.display_name, mention_handle(m.display_name))
            for m in await suggest_members(here, q)
        ]


class LevelIn(Input):
    level: str  # watching | normal | muted


class LevelOut(msgspec.Struct):
    level: Level
    name: str  # the category's or the tag's
    url: str  # its page


async def _level_of(scope: Scope, target: follows.Target) -> LevelOut:
    scope.actor  # noqa: B018 (guests are asked to log in)
    return LevelOut(await follows.target_level(scope, target), target.name, target.url)


async def _set(scope: Scope, target: follows.Target, chosen: str) -> LevelOut:
    await follows.set_target_level(scope, target, follows.parse_level(chosen))
    return await _level_of(scope, target)


class FollowLevelsApi(Controller):
    """The signed-in member's level on a category or a tag, as on their notification pages."""

    path = "/api/v1"
    tags = ["notifications"]

    @get("/categories/{slug:str}/level", **MEMBER_READ)
    async def category_level(self, here: NamedDependency[Scope], slug: FromPath[str]) -> LevelOut:
        """Your level on the category: `watching`, `normal` (no choice) or `muted`."""
        return await _level_of(here, await follows.category_target(here, slug))

    @put("/categories/{slug:str}/level", **MEMBER_WRITE)
    async def set_category_level(
        self, here: NamedDependency[Scope], slug: FromPath[str], data: JSONBody[LevelIn]
    ) -> LevelOut:
        """Choose your level on the category (422 for a level that is not one of the three)."""
        return await _set(here, await follows.category_target(here, slug), data.level)

    @get("/tags/{slug:str}/level", **MEMBER_READ)
    async def tag_level(self, here: NamedDependency[Scope], slug: FromPath[str]) -> LevelOut:
        """Your level on the tag: `watching`, `normal` (no choice) or `muted`."""
        return await _level_of(here, await follows.tag_target(here, slug))

    @put("/tags/{slug:str}/level", **MEMBER_WRITE)
    async def set_tag_level(
        self, here: NamedDependency[Scope], slug: FromPath[str], data: JSONBody[LevelIn]
    ) -> LevelOut:
        """Choose your level on the tag (422 for a level that is not one of the three)."""
        return await _set(here, await follows.tag_target(here, slug), data.level)
