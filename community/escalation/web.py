"""Escalation pages: the manual action, the moderators' and agents' list, and the callback."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from community.errors import ValidationFailed
from community.escalation import callbacks, queries, services
from community.forums import services as forums
from community.forums.web import thread_url
from community.scope import Scope
from community.web.context import Req, is_htmx
from community.web.inputs import Id
from community.web.openapi import SIGNED_CALLBACK
from community.web.render import form_fields, render, see_other


class EscalationPages(Controller):
    include_in_schema = False

    @post("/t/{thread_id:int}/escalate")
    async def escalate_thread(
        self, request: Req, here: NamedDependency[Scope], thread_id: Id
    ) -> Template | Redirect:
        note = (await form_fields(request, "note"))["note"]
        try:
            escalation = await services.escalate_by_hand(here, thread_id, note)
        except ValidationFailed as exc:
            if not is_htmx(request):
                raise
            return render(request, "escalation/partials/escalate_form.html", status_code=422,
                          box_id=f"escalate-{thread_id}", action=f"/t/{thread_id}/escalate",
                          note=note, errors=exc.errors)  # fmt: skip
        if is_htmx(request):
            return render(request, "escalation/partials/status.html", escalation=escalation)
        return see_other(thread_url(await forums.get_thread(here, thread_id)))

    @post("/mod/queue/{item_id:int}/escalate")
    async def escalate_item(
        self, request: Req, here: NamedDependency[Scope], item_id: Id
    ) -> Template | Redirect:
        note = (await form_fields(request, "note"))["note"]
        escalation = await services.escalate_queue_item(here, item_id, note)
        if is_htmx(request):
            return render(request, "escalation/partials/status.html", escalation=escalation)
        return see_other("/mod/queue")

    @get("/mod/escalations")
    async def list_page(
        self, request: Req, here: NamedDependency[Scope], status: FromQuery[str] = "open"
    ) -> Template:
        views = await queries.list_escalations(here, status)
        counts = await queries.state_counts(here)
        return render(request, "escalation/list.html", views=views, state=status, counts=counts)

    @get("/mod/escalations/{escalation_id:int}")
    async def detail_page(
        self, request: Req, here: NamedDependency[Scope], escalation_id: Id
    ) -> Template:
        view, events = await queries.escalation_detail(here, escalation_id)
        return render(request, "escalation/detail.html", view=view, events=events)

    @post("/mod/escalations/{escalation_id:int}/retry")
    async def retry(self, here: NamedDependency[Scope], escalation_id: Id) -> Redirect:
        await services.retry(here, escalation_id)
        return see_other(f"/mod/escalations/{escalation_id}")


class CallbackEndpoint(Controller):
    """Case updates from the contact centre (signed; no session, no CSRF token)."""

    @post(
        "/hooks/contact-centre/{target_id:int}",
        status_code=200,
        tags=["escalations"],
        **SIGNED_CALLBACK,
    )
    async def callback(
        self, request: Req, here: NamedDependency[Scope], target_id: Id
    ) -> Response[dict[str, Any]]:
        """Take a signed case update: `case.acknowledged`, `case.replied`, `case.resolved` or
        `case.closed`. Signed per Standard Webhooks with the target's callback secret."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        escalation = await callbacks.receive(here, target_id, headers, await request.body())
        return Response(
            {"escalation_id": escalation.id, "state": escalation.state.value}, status_code=200
        )
