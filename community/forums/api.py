"""JSON API of the forum, under /api/v1, over the same services as the pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from community.forums import services
from community.forums.schemas import (
    PageInfo,
    PostOut,
    ReplyCreate,
    ThreadCreate,
    ThreadList,
    ThreadOut,
    ThreadWithPosts,
)
from community.identity.models import Member
from community.pagination import Page
from community.tenancy.services import TenantInfo

PageNumber = Annotated[int, QueryParameter(ge=1, description="Page number, from 1")]


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(page=page.number, pages=page.count, total=page.total)


class ThreadsApi(Controller):
    path = "/api/v1/threads"
    tags = ["threads"]

    @get("/")
    async def list_threads(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        page: PageNumber = 1,
        category: Annotated[str | None, QueryParameter(description="Category slug")] = None,
    ) -> ThreadList:
        """Threads of this community, newest activity first."""
        in_category = await services.get_category(db, tenant.id, category) if category else None
        listing = await services.list_threads(
            db,
            tenant.id,
            category=in_category,
            page=page,
            page_size=request.app.state.settings.page_size,
        )
        return ThreadList([ThreadOut.of(t) for t in listing.items], page_info(listing))

    @post("/")
    async def create_thread(
        self,
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        data: JSONBody[ThreadCreate],
    ) -> ThreadOut:
        """Ask a question or start a discussion."""
        thread = await services.create_thread(
            db,
            tenant.id,
            member,
            category_slug=data.category,
            title=data.title,
            body=data.body,
            kind=data.kind,
        )
        return ThreadOut.of(await services.get_thread(db, tenant.id, thread.id, member))

    @get("/{thread_id:int}")
    async def get_thread(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        thread_id: FromPath[int],
        page: PageNumber = 1,
    ) -> ThreadWithPosts:
        """A thread and one page of its posts."""
        view = await services.thread_page(
            db,
            tenant.id,
            thread_id,
            page=page,
            page_size=request.app.state.settings.page_size,
            viewer=viewer,
        )
        return ThreadWithPosts(
            ThreadOut.of(view.thread),
            [PostOut.of(p, viewer) for p in view.posts.items],
            page_info(view.posts),
        )

    @post("/{thread_id:int}/posts")
    async def reply(
        self,
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        thread_id: FromPath[int],
        data: JSONBody[ReplyCreate],
    ) -> PostOut:
        """Reply to a thread."""
        return PostOut.of(await services.reply(db, tenant.id, member, thread_id, data.body), member)
