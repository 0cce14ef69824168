"""Ideas through the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from community.forums.schemas import PageInfo
from community.ideas import services as ideas
from community.ideas.models import Idea, IdeaStatus
from community.scope import Scope
from community.web.inputs import Id, Input, JsonId, PageNumber
from community.web.openapi import MEMBER_WRITE, PUBLIC_READ


class IdeaOut(msgspec.Struct):
    id: int
    title: str
    board: str
    status: IdeaStatus
    votes: int
    author_id: int
    created_at: datetime
    status_changed_at: datetime
    merged_into: int | None
    url: str

    @classmethod
    def of(cls, idea: Idea) -> IdeaOut:
        return cls(
            id=idea.id,
            title=idea.thread.title,
            board=idea.thread.category.slug,
            status=idea.status,
            votes=idea.vote_count,
            author_id=idea.thread.author_id,
            created_at=idea.thread.created_at,
            status_changed_at=idea.status_changed_at,
            merged_into=idea.merged_into_id,
            url=f"/ideas/{idea.id}",
        )


class IdeaList(msgspec.Struct):
    items: list[IdeaOut]
    pagination: PageInfo


class IdeaCreate(Input):
    board: str
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=50_000)]


class StatusChange(Input):
    status: IdeaStatus
    response: Annotated[str, msgspec.Meta(max_length=5000)]


class MergeInto(Input):
    into: JsonId


class IdeasApi(Controller):
    path = "/api/v1/ideas"
    tags = ["ideas"]

    @get("/", **PUBLIC_READ)
    async def list_ideas(
        self,
        request: Request[Any, Any, Any],
        here: NamedDependency[Scope],
        sort: FromQuery[Literal["trending", "top", "newest", "updated"]] = "trending",
        status: FromQuery[IdeaStatus | None] = None,
        board: FromQuery[str | None] = None,
        page: PageNumber = 1,
    ) -> IdeaList:
        """Ideas, sorted; by default every status but merged."""
        listing = (
            await ideas.list_ideas(
                here,
                sort=sort,
                status=status.value if status else "",
                board=board or "",
                page=page,
                page_size=request.app.state.settings.page_size,
            )
        ).ideas
        info = PageInfo(page=listing.number, pages=listing.count, total=listing.total)
        return IdeaList([IdeaOut.of(i) for i in listing.items], info)

    @post("/", **MEMBER_WRITE)
    async def create(self, here: NamedDependency[Scope], data: JSONBody[IdeaCreate]) -> IdeaOut:
        """Submit an idea on a board."""
        idea = await ideas.create_idea(here, board=data.board, title=data.title, body=data.body)
        return IdeaOut.of(await ideas.get_idea(here, idea.id))

    @get("/{idea_id:int}", **PUBLIC_READ)
    async def get_idea(self, here: NamedDependency[Scope], idea_id: Id) -> IdeaOut:
        """One idea (a merged one names the idea it was merged into)."""
        return IdeaOut.of(await ideas.get_idea(here, idea_id))

    @post("/{idea_id:int}/vote", status_code=200, **MEMBER_WRITE)
    async def vote(self, here: NamedDependency[Scope], idea_id: Id) -> IdeaOut:
        """Vote for the idea (once; again changes nothing)."""
        return IdeaOut.of(await ideas.vote(here, idea_id))

    @delete("/{idea_id:int}/vote", status_code=200, **MEMBER_WRITE)
    async def unvote(self, here: NamedDependency[Scope], idea_id: Id) -> IdeaOut:
        """Withdraw your vote."""
        return IdeaOut.of(await ideas.unvote(here, idea_id))

    @post("/{idea_id:int}/status", status_code=200, **MEMBER_WRITE)
    async def change_status(
        self, here: NamedDependency[Scope], idea_id: Id, data: JSONBody[StatusChange]
    ) -> IdeaOut:
        """Set the status with an official response (experts, moderators, admins)."""
        changed = await ideas.change_status(here, idea_id, data.status.value, data.response)
        return IdeaOut.of(changed.idea)

    @post("/{idea_id:int}/merge", status_code=200, **MEMBER_WRITE)
    async def merge(
        self, here: NamedDependency[Scope], idea_id: Id, data: JSONBody[MergeInto]
    ) -> IdeaOut:
        """Merge this idea into another (moderators, admins); returns the original."""
        return IdeaOut.of(await ideas.merge(here, idea_id, data.into))
