"""The vote control: htmx swaps it in place; without JavaScript the form returns to the post."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from community.forums import services as forums
from community.forums.web import post_url
from community.scope import Scope
from community.votes.services import vote
from community.web.context import is_htmx, page_size
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other


class VotePages(Controller):
    include_in_schema = False

    @post("/p/{post_id:int}/vote")
    async def vote_on_post(
        self, request: Request[Any, Any, Any], here: NamedDependency[Scope], post_id: Id
    ) -> Template | Redirect:
        fields = await form_fields(request, "value")
        value = int(fields["value"]) if fields["value"] in {"1", "-1"} else 0
        outcome = await vote(here, post_id, value)
        if is_htmx(request):
            return render(
                request,
                "votes/partials/vote_control.html",
                post_id=outcome.post_id,
                score=outcome.score,
                my_vote=outcome.my_vote,
            )
        voted = await forums.get_post(here, post_id)
        thread = await forums.get_thread(here, voted.thread_id)
        return see_other(await post_url(here, thread, voted, page_size(request)))
