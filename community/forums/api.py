"""JSON API of the forum, under /api/v1, over the same services as the pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from community.forums import services
from community.forums.models import Thread
from community.forums.schemas import (
    PageInfo,
    PostOut,
    ReplyCreate,
    ThreadCreate,
    ThreadList,
    ThreadOut,
    ThreadWithPosts,
)
from community.pagination import Page
from community.scope import Scope
from community.tags import services as tags
from community.web.inputs import Id, PageNumber
from community.web.openapi import MEMBER_WRITE, PUBLIC_READ


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(page=page.number, pages=page.count, total=page.total)


class ThreadsApi(Controller):
    path = "/api/v1/threads"
    tags = ["threads"]

    @get("/", **PUBLIC_READ)
    async def list_threads(
        self,
        request: Request[Any, Any, Any],
        here: NamedDependency[Scope],
        page: PageNumber = 1,
        category: Annotated[str | None, QueryParameter(description="Category slug")] = None,
    ) -> ThreadList:
        """Threads of this community, newest activity first."""
        in_category = await services.get_category(here, category) if category else None
        listing = await services.list_threads(
            here, category=in_category, page=page, page_size=request.app.state.settings.page_size
        )
        found = await tags.tags_of_threads(here, [t.id for t in listing.items])
        items = [ThreadOut.of(t, found.get(t.id, [])) for t in listing.items]
        return ThreadList(items, page_info(listing))

    @post("/", **MEMBER_WRITE)
    async def create_thread(
        self, here: NamedDependency[Scope], data: JSONBody[ThreadCreate]
    ) -> ThreadOut:
        """Ask a question or start a discussion, with up to 5 tags (by name)."""

        async def write() -> Thread:
            return await services.create_thread(
                here, category_slug=data.category, title=data.title, body=data.body, kind=data.kind
            )

        thread = await tags.write_tagged(here, ", ".join(data.tags), write, lambda t: t.id)
        return await _thread_out(here, await services.get_thread(here, thread.id))

    @get("/{thread_id:int}", **PUBLIC_READ)
    async def get_thread(
        self,
        request: Request[Any, Any, Any],
        here: NamedDependency[Scope],
        thread_id: Id,
        page: PageNumber = 1,
    ) -> ThreadWithPosts:
        """A thread and one page of its posts, in the order its page shows them."""
        view = await services.thread_view(
            here, thread_id, page, request.app.state.settings.page_size, extras=False
        )
        return ThreadWithPosts(
            await _thread_out(here, view.thread),
            [PostOut.of(p, view.actions[p.id]) for p in view.posts.items],
            page_info(view.posts),
        )

    @post("/{thread_id:int}/posts", **MEMBER_WRITE)
    async def reply(
        self, here: NamedDependency[Scope], thread_id: Id, data: JSONBody[ReplyCreate]
    ) -> PostOut:
        """Reply to a thread."""
        written = await services.reply(here, thread_id, data.body)
        return PostOut.of(written, services.post_actions(here, written.thread, written))


async def _thread_out(scope: Scope, thread: Thread) -> ThreadOut:
    found = await tags.tags_of_threads(scope, [thread.id])
    return ThreadOut.of(thread, found.get(thread.id, []))
