"""Idea boards, idea pages and the roadmap, as pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.ideas import services as ideas
from community.ideas.models import IdeaStatus
from community.scope import Scope
from community.tags import services as tags
from community.web.context import Req, is_htmx, page_size
from community.web.inputs import Id, OptionalId, PageNumber
from community.web.render import form_fields, render, see_other

STATUS_CHOICES = [s for s in IdeaStatus if s != IdeaStatus.MERGED]


class IdeaPages(Controller):
    include_in_schema = False

    @get("/ideas")
    async def board(
        self,
        request: Req,
        here: NamedDependency[Scope],
        sort: FromQuery[str] = "trending",
        status: FromQuery[str] = "",
        board: FromQuery[str] = "",
        page: PageNumber = 1,
    ) -> Template:
        shown = await ideas.list_ideas(
            here, sort=sort, status=status, board=board, page=page,
            page_size=page_size(request), with_boards=True,
        )  # fmt: skip
        return render(
            request, "ideas/list.html", ideas=shown.ideas, sort=sort, status=status,
            board=shown.board, boards=shown.boards, statuses=STATUS_CHOICES,
        )  # fmt: skip

    @get("/ideas/new")
    async def new_form(
        self, request: Req, here: NamedDependency[Scope], board: FromQuery[str] = ""
    ) -> Template:
        values = {"board": board, "title": "", "body": "", "tags": ""}
        return await _idea_form(request, here, values, {}, similar=[])

    @get("/ideas/similar")
    async def similar(
        self, request: Req, here: NamedDependency[Scope], title: FromQuery[str] = ""
    ) -> Template:
        found = await ideas.similar_ideas(here, title)
        return render(request, "ideas/partials/similar.html", similar=found)

    @post("/ideas/new")
    async def submit(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        values = await form_fields(request, "board", "title", "body", "confirmed", "tags")

        async def write() -> ideas.Submission:
            return await ideas.submit_idea(
                here, board=values["board"], title=values["title"], body=values["body"],
                confirmed=values["confirmed"] == "yes",
            )  # fmt: skip

        def thread_id(submitted: ideas.Submission) -> int | None:
            return submitted.idea.thread_id if submitted.idea else None

        try:
            submitted = await tags.write_tagged(here, values["tags"], write, thread_id)
        except ValidationFailed as exc:
            similar = await ideas.similar_ideas(here, values["title"])
            return await _idea_form(request, here, values, exc.errors, similar, status_code=422)
        if submitted.idea is None:
            return await _idea_form(request, here, values, {}, submitted.similar, confirm=True)
        return see_other(f"/ideas/{submitted.idea.id}")

    @get("/ideas/{idea_id:int}")
    async def idea(
        self,
        request: Req,
        here: NamedDependency[Scope],
        idea_id: Id,
        page: PageNumber = 1,
        merged: OptionalId = None,
        show: FromQuery[bool] = False,
    ) -> Template | Redirect:
        shown = await ideas.idea_page(
            here, idea_id, page=page, page_size=page_size(request), merged_from=merged,
            show_merged=show,
        )  # fmt: skip
        if isinstance(shown, ideas.MergedAway):
            return Redirect(path=f"/ideas/{shown.into_id}?merged={shown.idea_id}")
        await request.app.state.views.record(shown.idea.thread_id)
        return render(
            request, "ideas/idea.html", **shown.comments.context(), idea=shown.idea,
            history=shown.history, merged_ideas=shown.merged_ideas,
            merged_from=shown.merged_from, voted=shown.voted, following=shown.following,
            may_set_status=shown.may_set_status, may_merge=shown.may_merge,
            statuses=STATUS_CHOICES,
        )  # fmt: skip

    @get("/ideas/thread/{thread_id:int}")
    async def idea_of_thread(
        self, here: NamedDependency[Scope], thread_id: Id, page: PageNumber = 1
    ) -> Redirect:
        """An idea's thread address (the forum sends idea threads here) leads to the idea."""
        idea_id = await ideas.idea_of_thread(here, thread_id)
        return Redirect(path=f"/ideas/{idea_id}" + (f"?page={page}" if page > 1 else ""))

    @post("/ideas/{idea_id:int}/vote")
    async def vote(
        self, request: Req, here: NamedDependency[Scope], idea_id: Id
    ) -> Template | Redirect:
        action = (await form_fields(request, "action"))["action"]
        change = ideas.unvote if action == "unvote" else ideas.vote
        idea = await change(here, idea_id)
        if is_htmx(request):
            voted = action != "unvote"
            return render(request, "ideas/partials/vote.html", idea=idea, voted=voted)
        return see_other(f"/ideas/{idea.id}")

    @post("/ideas/{idea_id:int}/status")
    async def change_status(
        self, request: Req, here: NamedDependency[Scope], idea_id: Id
    ) -> Redirect:
        fields = await form_fields(request, "status", "response")
        await ideas.change_status(here, idea_id, fields["status"], fields["response"])
        return see_other(f"/ideas/{idea_id}")

    @post("/ideas/{idea_id:int}/merge")
    async def merge(self, request: Req, here: NamedDependency[Scope], idea_id: Id) -> Redirect:
        into = (await form_fields(request, "into"))["into"]
        original = await ideas.merge_by_number(here, idea_id, into)
        return see_other(f"/ideas/{original.id}?merged={idea_id}")

    @post("/ideas/{idea_id:int}/follow")
    async def follow(self, request: Req, here: NamedDependency[Scope], idea_id: Id) -> Redirect:
        following = (await form_fields(request, "action"))["action"] != "unfollow"
        idea = await ideas.follow(here, idea_id, following=following)
        return see_other(f"/ideas/{idea.id}")

    @get("/roadmap")
    async def roadmap(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return render(request, "ideas/roadmap.html", columns=await ideas.roadmap(here))


async def _idea_form(
    request: Req,
    here: Scope,
    values: dict[str, str],
    errors: dict[str, str],
    similar: list[Any],
    confirm: bool = False,
    status_code: int = 200,
) -> Template:
    return render(
        request, "ideas/new.html", status_code=status_code, values=values, errors=errors,
        boards=await ideas.boards_to_submit_on(here), similar=similar, confirm=confirm,
        tag_field=await tags.tag_field(here),
    )  # fmt: skip
