"""Escalation pages: the manual action, the moderators' and agents' list, and the callback."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import ValidationFailed
from community.escalation import callbacks, queries, services
from community.forums import services as forums
from community.forums.web import thread_url
from community.identity.models import Member
from community.tenancy.services import TenantInfo
from community.web.context import is_htmx
from community.web.render import form_fields, render, see_other


class EscalationPages(Controller):
    include_in_schema = False

    @post("/t/{thread_id:int}/escalate")
    async def escalate_thread(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        thread_id: FromPath[int],
    ) -> Template | Redirect:
        note = (await form_fields(request, "note"))["note"]
        thread = await forums.get_thread(db, tenant.id, thread_id, member)
        try:
            escalation = await services.escalate_by_hand(db, tenant.id, member, thread_id, note)
        except ValidationFailed as exc:
            if not is_htmx(request):
                raise
            return render(request, "escalation/partials/escalate_form.html", status_code=422,
                          thread=thread, action=f"/t/{thread.id}/escalate", note=note,
                          errors=exc.errors)  # fmt: skip
        if is_htmx(request):
            return render(request, "escalation/partials/status.html", escalation=escalation)
        return see_other(thread_url(thread))

    @post("/mod/queue/{item_id:int}/escalate")
    async def escalate_item(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        item_id: FromPath[int],
    ) -> Template | Redirect:
        note = (await form_fields(request, "note"))["note"]
        escalation = await services.escalate_queue_item(db, tenant.id, member, item_id, note)
        if is_htmx(request):
            return render(request, "escalation/partials/status.html", escalation=escalation)
        return see_other("/mod/queue")

    @get("/mod/escalations")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        status: FromQuery[str] = "open",
    ) -> Template:
        views = await queries.list_escalations(db, tenant.id, member, status)
        counts = await queries.state_counts(db, tenant.id)
        return render(request, "escalation/list.html", views=views, state=status, counts=counts)

    @get("/mod/escalations/{escalation_id:int}")
    async def detail_page(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        escalation_id: FromPath[int],
    ) -> Template:
        view, events = await queries.escalation_detail(db, tenant.id, member, escalation_id)
        return render(request, "escalation/detail.html", view=view, events=events)

    @post("/mod/escalations/{escalation_id:int}/retry")
    async def retry(
        self,
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        escalation_id: FromPath[int],
    ) -> Redirect:
        await services.retry(db, tenant.id, member, escalation_id)
        return see_other(f"/mod/escalations/{escalation_id}")


class CallbackEndpoint(Controller):
    """Case updates from the contact centre (signed; no session, no CSRF token)."""

    @post("/hooks/contact-centre/{target_id:int}", status_code=200, tags=["escalations"])
    async def callback(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        target_id: FromPath[int],
    ) -> Response[dict[str, Any]]:
        """Take a signed case update: `case.acknowledged`, `case.replied`, `case.resolved` or
        `case.closed`. Signed per Standard Webhooks with the target's callback secret."""
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        escalation = await callbacks.receive(db, tenant.id, target_id, headers, body)
        return Response(
            {"escalation_id": escalation.id, "state": escalation.state.value}, status_code=200
        )
