"""The escalation settings and contact-centre targets through the JSON API (community admins).

Secrets are never answered in full: a target's credentials and callback secret come back
masked, except the secrets made by the call that created them (or rotated the callback
secret), which that one answer holds under `secrets`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from community.errors import ValidationFailed
from community.escalation import settings as escalation
from community.escalation.adapters.registry import mask
from community.escalation.models import EscalationTarget
from community.escalation.rules import EscalationRules
from community.escalation.settings import (
    CALENDAR_FIELDS,
    LIMITS,
    SWITCHES,
    CreatedTarget,
    RulesForm,
    TargetForm,
)
from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE

Value = str | int | bool
CALENDAR_KEYS = (*CALENDAR_FIELDS, "days")


class CalendarIO(Input):
    """Business hours: `days` 0 (Monday) to 6, times as HH:MM, holidays as ISO dates."""

    timezone: str = "UTC"
    days: list[int] = msgspec.field(default_factory=lambda: [0, 1, 2, 3, 4])
    start: str = "09:00"
    end: str = "18:00"
    holidays: list[str] = msgspec.field(default_factory=list)
    holiday_country: str = ""  # such as "FR"; "" for none


class SettingsIn(Input):
    unresolved_enabled: bool
    unresolved_hours: int
    sentiment_enabled: bool
    sentiment_threshold: float
    complaint_enabled: bool
    complaint_keywords: list[str]
    max_attempts: int
    case_sla_hours: int
    calendar: CalendarIO = msgspec.field(default_factory=CalendarIO)


class SettingsOut(msgspec.Struct):
    unresolved_enabled: bool
    unresolved_hours: int
    unresolved_since: str  # ISO 8601: questions asked before never breach; "" since creation
    sentiment_enabled: bool
    sentiment_threshold: float
    complaint_enabled: bool
    complaint_keywords: list[str]
    max_attempts: int
    case_sla_hours: int
    calendar: CalendarIO

    @classmethod
    def of(cls, rules: EscalationRules) -> SettingsOut:
        calendar = rules.business_calendar.to_preferences()
        fields = {name: getattr(rules, name) for name in cls.__struct_fields__}
        return cls(**fields | {"calendar": msgspec.convert(calendar, CalendarIO)})


class TargetIn(Input):
    kind: str  # webhook, zendesk, salesforce, freshdesk or email
    name: str
    enabled: bool = True
    values: dict[str, Value] = msgspec.field(default_factory=dict)  # the kind's fields


class TargetPatch(Input):
    """Only what changes: a field left out, or a secret given as "", keeps its value."""

    name: str | None = None
    enabled: bool | None = None
    values: dict[str, Value] = msgspec.field(default_factory=dict)


class TargetOut(msgspec.Struct):
    id: int
    kind: str
    name: str
    enabled: bool
    in_use: bool  # the target cases go to: the first enabled one by id
    settings: dict[str, Any]
    credentials: dict[str, str]  # masked
    callback_url: str
    callback_secret: str  # masked
    created_at: datetime


class TargetWithSecrets(TargetOut):
    secrets: dict[str, str]  # made by this call, shown this once


class EscalationSettingsApi(Controller):
    path = "/api/v1/escalation"
    tags = ["escalation settings"]

    @get("/settings", **MEMBER_READ)
    async def get_settings(self, here: NamedDependency[Scope]) -> SettingsOut:
        """The escalation rules and business calendar (community admins)."""
        return SettingsOut.of(escalation.load_rules(here))

    @put("/settings", **MEMBER_WRITE)
    async def put_settings(
        self, request: Req, here: NamedDependency[Scope], data: JSONBody[SettingsIn]
    ) -> SettingsOut:
        """Replace the rules and calendar; 422 with `errors` by field (`calendar.…` for the
        calendar's). Switching the unresolved rule on sets `unresolved_since` to now."""
        try:
            rules = await escalation.update_rules(here, _rules_form(data))
        except ValidationFailed as exc:
            raise ValidationFailed(_api_errors(exc.errors)) from None
        request.app.state.tenants.forget()
        return SettingsOut.of(rules)

    @get("/targets", **MEMBER_READ)
    async def targets(self, request: Req, here: NamedDependency[Scope]) -> list[TargetOut]:
        """The contact-centre targets in id order; cases go to the first enabled one."""
        return await _outs(request, here)

    @post("/targets", status_code=201, **MEMBER_WRITE)
    async def create_target(
        self, request: Req, here: NamedDependency[Scope], data: JSONBody[TargetIn]
    ) -> TargetWithSecrets:
        """Add a target. A webhook given no `signing_secret` gets one; it and the callback
        secret are in `secrets`, in this answer only."""
        kind = escalation.new_target_kind(here, data.kind)
        form = TargetForm(data.name, data.enabled, _texts(data.values))
        created = await escalation.create_target(here, kind, form, request.app.state.outbound)
        return await _with_secrets(request, here, created)

    @patch("/targets/{target_id:int}", **MEMBER_WRITE)
    async def update_target(
        self,
        request: Req,
        here: NamedDependency[Scope],
        target_id: Id,
        data: JSONBody[TargetPatch],
    ) -> TargetOut:
        """Change a target's name, state or fields; its kind stays."""
        form = TargetForm(data.name, data.enabled, _texts(data.values))
        await escalation.update_target(here, target_id, form, request.app.state.outbound)
        return await _out(request, here, target_id)

    @post("/targets/{target_id:int}/callback-secret", status_code=200, **MEMBER_WRITE)
    async def rotate_callback_secret(
        self, request: Req, here: NamedDependency[Scope], target_id: Id
    ) -> TargetWithSecrets:
        """A new callback secret, in `secrets` of this answer only; the old one stops working."""
        target = await escalation.rotate_callback_secret(here, target_id)
        created = CreatedTarget(target, {"callback_secret": target.callback_secret})
        return await _with_secrets(request, here, created)

    @delete("/targets/{target_id:int}", status_code=204, **MEMBER_WRITE)
    async def delete_target(self, here: NamedDependency[Scope], target_id: Id) -> None:
        """Remove a target; its escalations go to the target in use from then on."""
        await escalation.delete_target(here, target_id)


def _rules_form(data: SettingsIn) -> RulesForm:
    calendar = data.calendar
    return RulesForm(
        numbers={name: str(getattr(data, name)) for name in (*LIMITS, "sentiment_threshold")},
        switches=frozenset(name for name in SWITCHES if getattr(data, name)),
        complaint_keywords="\n".join(data.complaint_keywords),
        calendar={name: getattr(calendar, name) for name in CALENDAR_FIELDS if name != "holidays"}
        | {"holidays": "\n".join(calendar.holidays)},
        days=[str(day) for day in calendar.days],
    )


def _api_errors(errors: dict[str, str]) -> dict[str, str]:
    """The calendar's fields are nested in the API: `calendar.timezone`."""
    return {f"calendar.{k}" if k in CALENDAR_KEYS else k: v for k, v in errors.items()}


def _texts(values: dict[str, Value]) -> dict[str, str]:
    return {name: escalation.as_text(value) for name, value in values.items()}


def _target_out(target: EscalationTarget, base: str, in_use: EscalationTarget | None) -> TargetOut:
    return TargetOut(
        id=target.id, kind=target.kind.value, name=target.name, enabled=target.enabled,
        in_use=in_use is not None and in_use.id == target.id, settings=dict(target.settings),
        credentials=escalation.masked_credentials(target),
        callback_url=escalation.callback_url(base, target),
        callback_secret=mask(target.callback_secret), created_at=target.created_at,
    )  # fmt: skip


async def _outs(request: Req, scope: Scope) -> list[TargetOut]:
    targets = await escalation.list_targets(scope)
    base = await escalation.callback_base(scope, request.app.state.settings.delivery)
    in_use = escalation.in_use(targets)
    return [_target_out(target, base, in_use) for target in targets]


async def _out(request: Req, scope: Scope, target_id: int) -> TargetOut:
    return next(out for out in await _outs(request, scope) if out.id == target_id)


async def _with_secrets(request: Req, scope: Scope, created: CreatedTarget) -> TargetWithSecrets:
    out = await _out(request, scope, created.target.id)
    return TargetWithSecrets(**msgspec.structs.asdict(out), secrets=created.secrets)
