"""Mention autocompletion over JSON: the members whose name starts with what is typed."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from community.forums.mentions import mention_handle, suggest_members
from community.scope import Scope
from community.web.openapi import MEMBER_READ

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
