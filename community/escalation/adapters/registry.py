"""The kinds of target: the fields each takes, their validation, and the adapter for a target.

A field marked `secret` goes to the target's credentials (never shown back, only `mask`ed),
the others to its settings. `validate_target` turns a submitted form into both, with errors
keyed by field name; `adapter_for` builds the adapter that delivers to a saved target.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from community.escalation.adapters import Adapter, CaseReceipt, DeliveryFailed
from community.escalation.adapters.email import DEFAULT_PORT, EmailAdapter
from community.escalation.adapters.freshdesk import FreshdeskAdapter
from community.escalation.adapters.http import BadSetting
from community.escalation.adapters.salesforce import (
    DEFAULT_API_VERSION,
    DEFAULT_EXTERNAL_ID_FIELD,
    SalesforceAdapter,
)
from community.escalation.adapters.webhook import SECRET_PREFIX, WebhookAdapter, secret_key
from community.escalation.adapters.zendesk import ZendeskAdapter
from community.escalation.models import EscalationTarget, TargetKind
from community.escalation.payload import CasePayload
from community.l10n import N_
from community.net.outbound import Destination, Outbound, RefusedDestination, parse_url

MASK = "••••"
MIN_SECRET_BYTES = 24


@dataclass(frozen=True)
class TargetField:
    name: str
    label: str
    secret: bool  # True: kept in credentials, never shown back in full
    required: bool
    help: str = ""
    input_type: str = "text"  # the HTML input type a form should use


def _url(name: str, label: str, help: str) -> TargetField:
    return TargetField(name, label, secret=False, required=True, help=help, input_type="url")


def _secret(name: str, label: str, help: str = "", required: bool = True) -> TargetField:
    return TargetField(name, label, True, required, help, input_type="password")


TARGET_FIELDS: dict[TargetKind, tuple[TargetField, ...]] = {
    TargetKind.WEBHOOK: (
        _url("url", N_("Endpoint URL"), N_("Where cases are POSTed, as signed JSON.")),
        _secret(
            "signing_secret",
            N_("Signing secret"),
            N_("whsec_… (Standard Webhooks). Give it to the receiver to verify our signatures."),
        ),
    ),
    TargetKind.ZENDESK: (
        _url("base_url", N_("Zendesk URL"), N_("Such as https://yourcompany.zendesk.com")),
        TargetField(
            "email", N_("Agent email"), False, True, N_("The agent the API token acts as."), "email"
        ),
        _secret(
            "api_token", N_("API token"), N_("Admin Center › Apps and integrations › Zendesk API.")
        ),
    ),
    TargetKind.SALESFORCE: (
        _url(
            "instance_url", N_("My Domain URL"), N_("Such as https://yourcompany.my.salesforce.com")
        ),
        TargetField(
            "client_id", N_("Consumer key"), False, True, N_("Of the external client app.")
        ),
        _secret(
            "client_secret",
            N_("Consumer secret"),
            N_("The app must allow the client credentials flow."),
        ),
        TargetField(
            "api_version",
            N_("API version"),
            False,
            False,
            N_("Default %(version)s.") % {"version": DEFAULT_API_VERSION},
        ),
        TargetField(
            "external_id_field",
            N_("External ID field on Case"),
            False,
            False,
            N_("A unique External ID text field; default %(field)s.")
            % {"field": DEFAULT_EXTERNAL_ID_FIELD},
        ),
    ),
    TargetKind.FRESHDESK: (
        _url("base_url", N_("Freshdesk URL"), N_("Such as https://yourcompany.freshdesk.com")),
        _secret("api_key", N_("API key"), N_("Profile settings › Your API key.")),
    ),
    TargetKind.EMAIL: (
        TargetField("to", N_("Send cases to"), False, True, N_("The helpdesk's address."), "email"),
        TargetField("from_address", N_("From address"), False, True, "", "email"),
        TargetField("smtp_host", N_("SMTP server"), False, True),
        TargetField("smtp_port", N_("SMTP port"), False, False, N_("Default 25."), "number"),
        TargetField("starttls", N_("Use STARTTLS"), False, False, "", "checkbox"),
        _secret("username", N_("SMTP username"), required=False),
        _secret("password", N_("SMTP password"), required=False),
    ),
}


# ---- validation ----------------------------------------------------------------------------

Check = Callable[[str], Any]  # value -> clean value; ValueError with the message for the form
URL_FIELDS = ("url", "base_url", "instance_url")
HOST_NAME = re.compile(r"[\w.-]+|\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+")


def _check_url(value: str) -> str:
    try:
        parse_url(value)
    except RefusedDestination as exc:
        raise ValueError(exc.message) from None
    return value


def _check_host(value: str) -> str:
    if not HOST_NAME.fullmatch(value):
        raise ValueError(N_("Enter a host name, such as smtp.example.com."))
    return value


def _check_email(value: str) -> str:
    if not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+", value):
        raise ValueError(N_("Enter an email address, such as support@example.com."))
    return value


def _check_port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValueError(N_("Enter a port from 1 to 65535."))
    return int(value)


def _check_flag(value: str) -> bool:
    flags = {"on": True, "true": True, "1": True, "yes": True}
    flags |= {"off": False, "false": False, "0": False, "no": False}
    if value.lower() not in flags:
        raise ValueError(N_("Enter yes or no."))
    return flags[value.lower()]


def _check_signing_secret(value: str) -> str:
    if not value.startswith(SECRET_PREFIX):
        raise ValueError(N_("A signing secret starts with whsec_."))
    try:
        key = secret_key(value)
    except ValueError:
        raise ValueError(N_("A signing secret is whsec_ followed by base64.")) from None
    if len(key) < MIN_SECRET_BYTES:
        message = N_("A signing secret holds at least %(bytes)s bytes.")
        raise ValueError(message % {"bytes": MIN_SECRET_BYTES})
    return value


def _pattern(regex: str, message: str) -> Check:
    def check(value: str) -> str:
        if not re.fullmatch(regex, value):
            raise ValueError(message)
        return value

    return check


CHECKS: dict[str, Check] = {
    "url": _check_url,
    "base_url": _check_url,
    "instance_url": _check_url,
    "email": _check_email,
    "to": _check_email,
    "from_address": _check_email,
    "smtp_host": _check_host,
    "smtp_port": _check_port,
    "starttls": _check_flag,
    "signing_secret": _check_signing_secret,
    "api_version": _pattern(r"v\d+\.\d+", N_("Enter a version such as v62.0.")),
    "external_id_field": _pattern(r"[A-Za-z]\w{0,79}", N_("Enter a field API name.")),
}


@dataclass(frozen=True)
class _Invalid:
    message: str


def _clean(field: TargetField, raw: str) -> Any:
    check = CHECKS.get(field.name)
    if check is None:
        return raw
    try:
        return check(raw)
    except ValueError as exc:
        return _Invalid(str(exc))


async def _refusal(check: Awaitable[Destination]) -> str | None:
    try:
        await check
    except RefusedDestination as exc:
        return exc.message
    return None


async def _check_destinations(
    settings: Mapping[str, Any], errors: dict[str, str], outbound: Outbound
) -> None:
    """Resolve where the target's requests would go, now: a local or private address, or a
    name that does not resolve, is refused before it is saved (and again at every send)."""
    for name in URL_FIELDS:
        if name in settings and (problem := await _refusal(outbound.check_url(settings[name]))):
            errors[name] = problem
    if "smtp_host" in settings and "smtp_port" not in errors:
        port = settings.get("smtp_port") or DEFAULT_PORT
        if problem := await _refusal(outbound.check_host(settings["smtp_host"], port)):
            errors["smtp_host"] = problem


async def validate_target(
    kind: TargetKind | str,
    values: Mapping[str, str],
    outbound: Outbound,
    *,
    keep: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """A submitted form as (settings, credentials, errors by field name).

    A blank secret field keeps its value from `keep` (the target's current credentials), so
    an edit form need not show secrets again. Unknown keys are ignored. Hosts are checked
    by `outbound`: public ones only, unless the operator allows them.
    """
    settings: dict[str, Any] = {}
    credentials: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in TARGET_FIELDS[TargetKind(kind)]:
        raw = (values.get(field.name) or "").strip()
        store = credentials if field.secret else settings
        if not raw and field.secret and keep and keep.get(field.name):
            store[field.name] = keep[field.name]
        elif not raw:
            if field.required:
                errors[field.name] = N_("Required.")
            elif field.input_type == "checkbox":
                store[field.name] = False
        elif isinstance(value := _clean(field, raw), _Invalid):
            errors[field.name] = value.message
        else:
            store[field.name] = value
    await _check_destinations(settings, errors, outbound)
    return settings, credentials, errors


def new_signing_secret() -> str:
    """A fresh Standard Webhooks secret: whsec_ + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def mask(value: str) -> str:
    """A secret as a form shows it: the last 4 characters, or none of a short secret (fewer
    than 12 characters, where 4 would give too much away). Empty stays empty: "not set"."""
    if not value:
        return ""
    return MASK + (value[-4:] if len(value) >= 12 else "")


# ---- adapters ------------------------------------------------------------------------------


class Misconfigured:
    """Stands in for a target that cannot work as configured: every delivery fails, for good."""

    def __init__(self, message: str) -> None:
        self.message = message

    async def create_case(self, payload: CasePayload) -> CaseReceipt:
        raise DeliveryFailed(self.message, retryable=False)


def _build(
    kind: TargetKind,
    settings: Mapping[str, Any],
    credentials: Mapping[str, Any],
    outbound: Outbound,
) -> Adapter:
    match kind:
        case TargetKind.WEBHOOK:
            return WebhookAdapter(settings, credentials, outbound)
        case TargetKind.ZENDESK:
            return ZendeskAdapter(settings, credentials, outbound)
        case TargetKind.SALESFORCE:
            return SalesforceAdapter(settings, credentials, outbound)
        case TargetKind.FRESHDESK:
            return FreshdeskAdapter(settings, credentials, outbound)
        case TargetKind.EMAIL:
            return EmailAdapter(settings, credentials, outbound)
    raise BadSetting(f"unknown kind {kind}")  # pragma: no cover


def adapter_for(target: EscalationTarget, outbound: Outbound) -> Adapter:
    """The adapter delivering to `target` through `outbound` (its timeout applies to email too).

    Never raises: a target missing a setting gets an adapter whose deliveries fail, not
    retryable, saying what is missing."""
    try:
        return _build(
            TargetKind(target.kind), target.settings or {}, target.credentials or {}, outbound
        )
    except BadSetting as exc:
        return Misconfigured(f"The target {target.name!r} is misconfigured: {exc}")
