"""Escalations through the JSON API: the manual action, the list, one with its history, retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from community.escalation import queries, services
from community.escalation.models import Escalation, EscalationEvent
from community.scope import Scope
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE


class EscalateIn(Input):
    note: Annotated[str, msgspec.Meta(max_length=1000)]


class EventOut(msgspec.Struct):
    at: datetime
    kind: str
    detail: str
    actor: str


class EscalationOut(msgspec.Struct):
    id: int
    thread_id: int
    state: str
    rules: list[str]
    priority: int
    priority_label: str
    note: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    case_id: str
    case_url: str
    created_at: datetime
    business_hours_open: float | None = None
    sla_hours: int | None = None
    history: list[EventOut] | None = None

    @classmethod
    def of(
        cls, escalation: Escalation, view: queries.EscalationView | None = None
    ) -> EscalationOut:
        return cls(
            id=escalation.id,
            thread_id=escalation.thread_id,
            state=escalation.state.value,
            rules=list(escalation.rules),
            priority=escalation.priority,
            priority_label=services.priority_label(escalation.priority),
            note=escalation.note,
            attempts=escalation.attempts,
            next_attempt_at=escalation.next_attempt_at,
            last_error=escalation.last_error,
            case_id=escalation.external_id,
            case_url=escalation.external_url,
            created_at=escalation.created_at,
            business_hours_open=view.business_hours if view else None,
            sla_hours=view.sla_hours if view else None,
        )


def _events(events: list[EscalationEvent]) -> list[EventOut]:
    return [EventOut(e.created_at, e.kind, e.detail, e.actor) for e in events]


class EscalationsApi(Controller):
    path = "/api/v1"
    tags = ["escalations"]

    @post("/threads/{thread_id:int}/escalate", status_code=201, **MEMBER_WRITE)
    async def escalate(
        self, here: NamedDependency[Scope], thread_id: Id, data: JSONBody[EscalateIn]
    ) -> EscalationOut:
        """Send a thread to the contact centre with a note (moderators and experts). A thread
        with an open escalation gets the note added to it instead of a second one."""
        return EscalationOut.of(await services.escalate_by_hand(here, thread_id, data.note))

    @get("/escalations", **MEMBER_READ)
    async def list_escalations(
        self, here: NamedDependency[Scope], status: FromQuery[str] = "open"
    ) -> list[EscalationOut]:
        """Escalations by status (`?status=`): `open` (most urgent first), `failed` or `resolved`."""
        views = await queries.list_escalations(here, status)
        return [EscalationOut.of(v.escalation, v) for v in views]

    @get("/escalations/{escalation_id:int}", **MEMBER_READ)
    async def get_escalation(
        self, here: NamedDependency[Scope], escalation_id: Id
    ) -> EscalationOut:
        """One escalation with its history (moderators and agents)."""
        view, events = await queries.escalation_detail(here, escalation_id)
        out = EscalationOut.of(view.escalation, view)
        out.history = _events(events)
        return out

    @post("/escalations/{escalation_id:int}/retry", status_code=200, **MEMBER_WRITE)
    async def retry(self, here: NamedDependency[Scope], escalation_id: Id) -> EscalationOut:
        """Send a failed escalation again from its first attempt."""
        return EscalationOut.of(await services.retry(here, escalation_id))
