"""Accept / certify buttons on answers (plain forms: the order of answers changes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from community.forums import services as forums
from community.forums.models import Thread
from community.forums.web import post_url
from community.identity.models import Member
from community.qa import services as qa
from community.tenancy.services import TenantInfo
from community.web.render import form_fields, see_other

Change = Callable[[AsyncSession, int, Member, int], Awaitable[Thread]]


async def _change_and_return(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    tenant: TenantInfo,
    member: Member,
    post_id: int,
    change: Change,
) -> Redirect:
    await change(db, tenant.id, member, post_id)
    answer = await forums.get_post(db, tenant.id, post_id)
    thread = await forums.get_thread(db, tenant.id, answer.thread_id, member)
    return see_other(
        await post_url(db, tenant, thread, answer, request.app.state.settings.page_size)
    )


class AnswerPages(Controller):
    include_in_schema = False

    @post("/p/{post_id:int}/accept")
    async def accept(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Redirect:
        return await _change_and_return(request, db, tenant, member, post_id, qa.accept)

    @post("/p/{post_id:int}/unaccept")
    async def unaccept(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Redirect:
        return await _change_and_return(request, db, tenant, member, post_id, qa.unaccept)

    @post("/p/{post_id:int}/certify")
    async def certify(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Redirect:
        note = (await form_fields(request, "note"))["note"]

        async def certify_with_note(s: AsyncSession, t: int, m: Member, p: int) -> Thread:
            return await qa.certify(s, t, m, p, note)

        return await _change_and_return(request, db, tenant, member, post_id, certify_with_note)

    @post("/p/{post_id:int}/uncertify")
    async def uncertify(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Redirect:
        return await _change_and_return(request, db, tenant, member, post_id, qa.uncertify)
