"""A community admin sets up escalation: the rules, the contact centre's business calendar and
the targets cases are delivered to.

A target's secret fields live in its credentials and are only ever shown masked, in pages,
API answers and the audit log alike; a secret left empty on an edit keeps its stored value.
The secrets made here (a webhook's signing secret, the callback secret) are returned once,
at creation, for the admin to copy. Cases go to one target: the first enabled one by id.
"""

from __future__ import annotations

import functools
import math
import zoneinfo
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from community.config import DeliveryOptions
from community.db import utcnow
from community.errors import ValidationFailed, require
from community.escalation.adapters.registry import (
    TARGET_FIELDS,
    TargetField,
    mask,
    new_signing_secret,
    validate_target,
)
from community.escalation.calendar import validate_calendar
from community.escalation.delivery import callback_path, tenant_base_url
from community.escalation.keywords import parse_keywords
from community.escalation.models import EscalationTarget, TargetKind
from community.escalation.rules import EscalationRules
from community.identity.models import Member
from community.identity.permissions import Permission
from community.inputs import parse_int
from community.l10n import N_
from community.moderation.audit import record
from community.net.outbound import Outbound
from community.scope import Scope
from community.tenancy.models import Tenant

LIMITS = {"unresolved_hours": (1, 720), "max_attempts": (1, 20), "case_sla_hours": (1, 720)}
SWITCHES = ("unresolved_enabled", "sentiment_enabled", "complaint_enabled")
CALENDAR_FIELDS = ("timezone", "start", "end", "holidays", "holiday_country")
THRESHOLD_STEPS = 20  # the sentiment threshold moves in steps of 1/20 = 0.05
THRESHOLD_ERROR = N_("Enter a number from -1 to 0, in steps of 0.05, such as -0.5.")
NAME_MAX = 80
# Secrets made for the admin when left empty on a new target of the kind, then shown once.
GENERATED_SECRETS = {TargetKind.WEBHOOK: "signing_secret"}


def require_admin(scope: Scope) -> Member:
    return scope.require(
        Permission.CONFIGURE_COMMUNITY, "Only community admins can change the escalation settings."
    )


@functools.cache
def timezones() -> list[str]:
    """The IANA time zones a calendar may use, sorted, for the form's list."""
    return sorted(zoneinfo.available_timezones())


# ---- rules and calendar ---------------------------------------------------------------------


@dataclass(frozen=True)
class RulesForm:
    """The rules form as submitted: numbers and times as strings, lists one item per line."""

    numbers: dict[str, str]  # LIMITS and sentiment_threshold
    switches: frozenset[str]  # the SWITCHES turned on
    complaint_keywords: str
    calendar: dict[str, str]  # CALENDAR_FIELDS; holidays one ISO date per line
    days: list[str] = field(default_factory=list)  # open weekdays, "0" is Monday

    @classmethod
    def of(cls, rules: EscalationRules) -> RulesForm:
        """The stored rules as the form shows them."""
        calendar = rules.business_calendar
        return cls(
            numbers={name: str(getattr(rules, name)) for name in (*LIMITS, "sentiment_threshold")},
            switches=frozenset(name for name in SWITCHES if getattr(rules, name)),
            complaint_keywords="\n".join(rules.complaint_keywords),
            calendar={
                "timezone": calendar.timezone,
                "start": calendar.start,
                "end": calendar.end,
                "holidays": "\n".join(calendar.holidays),
                "holiday_country": calendar.holiday_country,
            },
            days=[str(day) for day in calendar.days],
        )


def parse_rules_form(
    form: RulesForm, stored: EscalationRules, now: datetime
) -> tuple[EscalationRules, dict[str, str]]:
    """The rules a form asks for, and its problems by field name (save only when none)."""
    numbers, errors = _whole_numbers(form.numbers)
    threshold = parse_threshold(form.numbers.get("sentiment_threshold", ""))
    if threshold is None:
        errors["sentiment_threshold"] = THRESHOLD_ERROR
    keywords, problem = parse_keywords(form.complaint_keywords)
    if problem:
        errors["complaint_keywords"] = problem
    calendar, calendar_errors = validate_calendar({**form.calendar, "days": form.days})
    switches = {name: name in form.switches for name in SWITCHES}
    changes: dict[str, Any] = numbers | switches
    changes |= {
        "sentiment_threshold": stored.sentiment_threshold if threshold is None else threshold,
        "complaint_keywords": keywords,
        "calendar": calendar.to_preferences(),
        "unresolved_since": _unresolved_since(stored, switches["unresolved_enabled"], now),
    }
    return replace(stored, **changes), errors | calendar_errors


def _whole_numbers(typed: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    numbers: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, (low, high) in LIMITS.items():
        number = parse_int(typed.get(name, ""), low, high)
        if number is not None:
            numbers[name] = number
        else:
            message = N_("Enter a whole number from %(low)s to %(high)s.")
            errors[name] = message % {"low": low, "high": high}
    return numbers, errors


def parse_threshold(raw: str) -> float | None:
    """A sentiment threshold from -1 to 0 in steps of 0.05, or None."""
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    steps = value * THRESHOLD_STEPS
    if not math.isfinite(value) or not -1.0 <= value <= 0.0 or abs(steps - round(steps)) > 1e-6:
        return None
    return round(steps) / THRESHOLD_STEPS + 0.0  # + 0.0 turns -0.0 into 0.0


def _unresolved_since(stored: EscalationRules, enabled: bool, now: datetime) -> str:
    """Switching the unresolved rule on starts its clock now: the backlog does not escalate."""
    if enabled and not stored.unresolved_enabled:
        return now.isoformat(timespec="seconds")
    return stored.unresolved_since


def load_rules(scope: Scope) -> EscalationRules:
    require_admin(scope)
    return scope.settings.escalation


async def update_rules(
    scope: Scope, form: RulesForm, now: datetime | None = None
) -> EscalationRules:
    """Save the rules and calendar (audited); ValidationFailed marks the fields in error."""
    require_admin(scope)
    rules, errors = parse_rules_form(form, scope.settings.escalation, now or utcnow())
    require(errors)
    tenant = await scope.one(Tenant, scope.tenant_id)
    before = dict(tenant.preferences)
    tenant.preferences = before | {"escalation": asdict(rules)}
    record(scope, "settings.escalation", ("tenant", tenant.id),
           before=before.get("escalation"), after=asdict(rules))  # fmt: skip
    await scope.db.flush()
    return rules


# ---- targets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetForm:
    """A target as submitted. None keeps the stored name or state; a field missing from
    `values` keeps its stored setting, and a secret left empty its stored value."""

    name: str | None = None
    enabled: bool | None = None
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedTarget:
    target: EscalationTarget
    secrets: dict[str, str]  # made here, shown this once: callback_secret, maybe signing_secret


@dataclass(frozen=True)
class FieldView:
    """One of a kind's fields as a form shows it: never a secret's value, only its mask."""

    field: TargetField
    value: str  # the setting as typed or stored; always "" for a secret
    stored: str  # the stored secret, masked; "" when none


def parse_kind(raw: str) -> TargetKind:
    try:
        return TargetKind(raw)
    except ValueError:
        raise ValidationFailed(
            {
                "kind": N_(
                    "Choose a kind of target: webhook, Zendesk, Salesforce, Freshdesk or email."
                )
            }
        ) from None


def field_views(
    kind: TargetKind, target: EscalationTarget | None, typed: dict[str, str] | None = None
) -> list[FieldView]:
    """The kind's fields with what was typed, or else what is stored (secrets masked)."""
    stored = stored_values(target) if target else {}
    shown = stored | (typed or {})
    credentials = target.credentials if target else {}
    return [
        FieldView(f, "" if f.secret else shown.get(f.name, ""), mask(credentials.get(f.name, "")))
        for f in TARGET_FIELDS[kind]
    ]


def stored_values(target: EscalationTarget) -> dict[str, str]:
    """A target's settings as a form would submit them (a checkbox on is "on")."""
    return {name: as_text(value) for name, value in target.settings.items()}


def as_text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def masked_credentials(target: EscalationTarget) -> dict[str, str]:
    return {name: mask(str(value)) for name, value in target.credentials.items()}


def public_view(target: EscalationTarget) -> dict[str, Any]:
    """What may be shown or audited of a target: no secret in full."""
    return {
        "kind": target.kind.value,
        "name": target.name,
        "enabled": target.enabled,
        "settings": dict(target.settings),
        "credentials": masked_credentials(target),
    }


def in_use(targets: list[EscalationTarget]) -> EscalationTarget | None:
    """The target cases go to: the first enabled one by id (`targets` in id order)."""
    return next((target for target in targets if target.enabled), None)


async def callback_base(scope: Scope, options: DeliveryOptions) -> str:
    """The tenant's public address: a target's callback URL is this + callback_path(id)."""
    return await tenant_base_url(scope, options)


def callback_url(base: str, target: EscalationTarget) -> str:
    return base + callback_path(target.id)


async def list_targets(scope: Scope) -> list[EscalationTarget]:
    """The tenant's targets in id order: the order in which the first enabled one is chosen."""
    require_admin(scope)
    found = await scope.db.scalars(select(EscalationTarget).order_by(EscalationTarget.id))
    return list(found.all())


async def get_target(scope: Scope, target_id: int) -> EscalationTarget:
    require_admin(scope)
    return await scope.one(EscalationTarget, target_id, "No such escalation target.")


def new_target_kind(scope: Scope, raw: str) -> TargetKind:
    """The kind of target an admin is about to add (admins only, before the kind is read)."""
    require_admin(scope)
    return parse_kind(raw)


async def create_target(
    scope: Scope,
    kind: TargetKind,
    form: TargetForm,
    outbound: Outbound,
) -> CreatedTarget:
    """Add a target (audited); the secrets made for it are in the answer, and only there.
    Its addresses must be ones `outbound` would call."""
    require_admin(scope)
    made = _made_secrets(kind, form.values)
    values = form.values | made
    settings, credentials, errors = await validate_target(kind, values, outbound)
    name = _checked_name(form.name or "", errors)
    require(errors)
    callback_secret = new_signing_secret()
    target = EscalationTarget(
        kind=kind, name=name, enabled=form.enabled is not False,
        settings=settings, credentials=credentials, callback_secret=callback_secret,
    )  # fmt: skip
    scope.db.add(target)
    await scope.db.flush()
    record(scope, "escalation.target.create", ("escalation_target", target.id),
           after=public_view(target))  # fmt: skip
    return CreatedTarget(target, made | {"callback_secret": callback_secret})


def _made_secrets(kind: TargetKind, values: dict[str, str]) -> dict[str, str]:
    name = GENERATED_SECRETS.get(kind)
    if name is None or values.get(name, "").strip():
        return {}
    return {name: new_signing_secret()}


def _checked_name(raw: str, errors: dict[str, str]) -> str:
    name = " ".join(raw.split())
    if not name:
        errors["name"] = N_("Give the target a name, such as Support desk.")
    elif len(name) > NAME_MAX:
        errors["name"] = N_("A name has at most 80 characters.")  # NAME_MAX
    return name


async def update_target(
    scope: Scope, target_id: int, form: TargetForm, outbound: Outbound
) -> EscalationTarget:
    """Change a target (audited). Its kind stays; empty secrets keep their stored values."""
    target = await get_target(scope, target_id)
    settings, credentials, errors = await validate_target(
        target.kind, stored_values(target) | form.values, outbound, keep=target.credentials
    )
    name = target.name if form.name is None else _checked_name(form.name, errors)
    require(errors)
    before = public_view(target)
    target.name, target.settings, target.credentials = name, settings, credentials
    target.enabled = target.enabled if form.enabled is None else form.enabled
    record(scope, "escalation.target.update", ("escalation_target", target.id),
           before=before, after=public_view(target))  # fmt: skip
    await scope.db.flush()
    return target


async def delete_target(scope: Scope, target_id: int) -> None:
    """Remove a target (audited); its escalations stay, and go to the target in use next."""
    target = await get_target(scope, target_id)
    record(scope, "escalation.target.delete", ("escalation_target", target.id),
           before=public_view(target))  # fmt: skip
    await scope.db.delete(target)
    await scope.db.flush()


async def rotate_callback_secret(scope: Scope, target_id: int) -> EscalationTarget:
    """A new callback secret (audited, not its value): the old one stops working at once."""
    target = await get_target(scope, target_id)
    target.callback_secret = new_signing_secret()
    record(scope, "escalation.target.rotate_callback_secret",
           ("escalation_target", target.id), reason="callback secret rotated")  # fmt: skip
    await scope.db.flush()
    return target
