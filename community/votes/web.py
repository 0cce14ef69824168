"""The vote control: htmx swaps it in place; without JavaScript the form returns to the post."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from community.forums import services as forums
from community.forums.web import post_url
from community.identity.models import Member
from community.tenancy.services import TenantInfo
from community.votes.services import vote
from community.web.context import is_htmx
from community.web.render import form_fields, render, see_other


class VotePages(Controller):
    include_in_schema = False

    @post("/p/{post_id:int}/vote")
    async def vote_on_post(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Template | Redirect:
        fields = await form_fields(request, "value")
        value = int(fields["value"]) if fields["value"] in {"1", "-1"} else 0
        outcome = await vote(db, tenant.id, member, post_id, value)
        if is_htmx(request):
            return render(
                request,
                "votes/partials/vote_control.html",
                post_id=outcome.post_id,
                score=outcome.score,
                my_vote=outcome.my_vote,
            )
        voted = await forums.get_post(db, tenant.id, post_id)
        thread = await forums.get_thread(db, tenant.id, voted.thread_id, member)
        return see_other(
            await post_url(db, tenant, thread, voted, request.app.state.settings.page_size)
        )
