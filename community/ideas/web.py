"""Idea boards, idea pages, the roadmap and notifications, as pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import ValidationFailed
from community.forums import services as forums
from community.forums.models import CategoryKind
from community.ideas import services as ideas
from community.ideas.models import IdeaStatus
from community.identity.models import Member
from community.notify import services as notify
from community.tenancy.services import TenantInfo
from community.votes.services import my_votes
from community.web.context import is_htmx
from community.web.render import form_fields, render, see_other

PageNumber = Annotated[int, QueryParameter(ge=1, description="Page number, from 1")]
STATUS_CHOICES = [s for s in IdeaStatus if s != IdeaStatus.MERGED]


class IdeaPages(Controller):
    include_in_schema = False

    @get("/ideas")
    async def board(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        sort: FromQuery[str] = "trending",
        status: FromQuery[str] = "",
        board: FromQuery[str] = "",
        page: PageNumber = 1,
    ) -> Template:
        in_board = await forums.get_category(db, tenant.id, board) if board else None
        listing = await ideas.list_ideas(
            db, tenant.id, sort=sort, status=status, board=in_board, page=page,
            page_size=request.app.state.settings.page_size,
        )  # fmt: skip
        return render(
            request, "ideas/list.html", ideas=listing, sort=sort, status=status, board=in_board,
            boards=await forums.list_categories(db, tenant.id, CategoryKind.IDEAS),
            statuses=STATUS_CHOICES,
        )  # fmt: skip

    @get("/ideas/new")
    async def new_form(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        board: FromQuery[str] = "",
    ) -> Template:
        values = {"board": board, "title": "", "body": ""}
        return await _idea_form(request, db, tenant, values, {}, similar=[])

    @get("/ideas/similar")
    async def similar(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        title: FromQuery[str] = "",
    ) -> Template:
        found = await ideas.similar_ideas(db, tenant.id, title)
        return render(request, "ideas/partials/similar.html", similar=found)

    @post("/ideas/new")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
    ) -> Template | Redirect:
        values = await form_fields(request, "board", "title", "body", "confirmed")
        similar = await ideas.similar_ideas(db, tenant.id, values["title"])
        if similar and values["confirmed"] != "yes":
            return await _idea_form(request, db, tenant, values, {}, similar, confirm=True)
        try:
            idea = await ideas.create_idea(
                db, tenant.id, member, board=values["board"], title=values["title"],
                body=values["body"],
            )  # fmt: skip
        except ValidationFailed as exc:
            return await _idea_form(
                request, db, tenant, values, exc.errors, similar, status_code=422
            )
        return see_other(f"/ideas/{idea.id}")

    @get("/ideas/{idea_id:int}")
    async def idea(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        idea_id: FromPath[int],
        page: PageNumber = 1,
        merged: FromQuery[int | None] = None,
        show: FromQuery[bool] = False,
    ) -> Template | Redirect:
        idea = await ideas.get_idea(db, tenant.id, idea_id)
        if idea.merged_into_id and not show:
            return Redirect(path=f"/ideas/{idea.merged_into_id}?merged={idea.id}")
        comments = await forums.thread_page(
            db, tenant.id, idea.thread_id, page=page,
            page_size=request.app.state.settings.page_size, viewer=viewer,
        )  # fmt: skip
        await request.app.state.views.record(idea.thread_id)
        merged_from = await ideas.get_idea(db, tenant.id, merged) if merged else None
        return render(
            request, "ideas/idea.html", idea=idea, thread=comments.thread, posts=comments.posts,
            votes=await my_votes(db, viewer, [p.id for p in comments.posts.items]),
            history=await ideas.status_history(db, idea),
            merged_ideas=await ideas.merged_into_this(db, idea), merged_from=merged_from,
            voted=await ideas.has_voted(db, viewer, idea),
            following=await notify.is_following(db, viewer, idea.thread_id),
            statuses=STATUS_CHOICES,
        )  # fmt: skip

    @post("/ideas/{idea_id:int}/vote")
    async def vote(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        idea_id: FromPath[int],
    ) -> Template | Redirect:
        action = (await form_fields(request, "action"))["action"]
        change = ideas.unvote if action == "unvote" else ideas.vote
        idea = await change(db, tenant.id, member, idea_id)
        if is_htmx(request):
            voted = action != "unvote"
            return render(request, "ideas/partials/vote.html", idea=idea, voted=voted)
        return see_other(f"/ideas/{idea.id}")

    @post("/ideas/{idea_id:int}/status")
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        idea_id: FromPath[int],
    ) -> Redirect:
        fields = await form_fields(request, "status", "response")
        await ideas.change_status(
            db, tenant.id, member, idea_id, fields["status"], fields["response"]
        )
        return see_other(f"/ideas/{idea_id}")

    @post("/ideas/{idea_id:int}/merge")
    async def merge(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        idea_id: FromPath[int],
    ) -> Redirect:
        into = (await form_fields(request, "into"))["into"].strip().lstrip("#")
        if not into.isdigit():
            raise ValidationFailed({"into": "Give the number of the idea to merge into."})
        original = await ideas.merge(db, tenant.id, member, idea_id, int(into))
        return see_other(f"/ideas/{original.id}?merged={idea_id}")

    @post("/ideas/{idea_id:int}/follow")
    async def follow(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        idea_id: FromPath[int],
    ) -> Redirect:
        idea = await ideas.get_idea(db, tenant.id, idea_id)
        if (await form_fields(request, "action"))["action"] == "unfollow":
            await notify.unfollow(db, member, idea.thread_id)
        else:
            await notify.follow(db, member, idea.thread_id)
        return see_other(f"/ideas/{idea.id}")

    @get("/roadmap")
    async def roadmap(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
    ) -> Template:
        return render(request, "ideas/roadmap.html", columns=await ideas.roadmap(db, tenant.id))

    @get("/notifications")
    async def notifications(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        member: NamedDependency[Member],
    ) -> Template:
        recent = await notify.recent_notifications(db, member)
        return render(request, "notify/notifications.html", notifications=recent)

    @post("/notifications/read")
    async def mark_read(
        self, db: NamedDependency[AsyncSession], member: NamedDependency[Member]
    ) -> Redirect:
        await notify.mark_all_read(db, member)
        return see_other("/notifications")


async def _idea_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    tenant: TenantInfo,
    values: dict[str, str],
    errors: dict[str, str],
    similar: list[Any],
    confirm: bool = False,
    status_code: int = 200,
) -> Template:
    boards = await forums.list_categories(db, tenant.id, CategoryKind.IDEAS)
    return render(
        request, "ideas/new.html", status_code=status_code, values=values, errors=errors,
        boards=boards, similar=similar, confirm=confirm,
    )  # fmt: skip
