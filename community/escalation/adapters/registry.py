"""The kinds of target: the fields each takes, their validation, and the adapter for a target.

A field marked `secret` goes to the target's credentials (never shown back, only `mask`ed),
the others to its settings. `validate_target` turns a submitted form into both, with errors
keyed by field name; `adapter_for` builds the adapter that delivers to a saved target.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from community.escalation.adapters import Adapter, CaseReceipt, DeliveryFailed
from community.escalation.adapters.email import DEFAULT_TIMEOUT, EmailAdapter
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

Check = Callable[[str, bool], Any]  # (value, allow_private_hosts) -> clean value; ValueError


def _is_private(host: str) -> bool:
    """Loopback, private or link-local literals and "localhost": not for tenants to reach.

    Only literal addresses are caught here; a name that resolves to a private address needs a
    guard at connection time."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def _host(host: str, allow_private: bool) -> str:
    if not allow_private and _is_private(host.lower()):
        raise ValueError(N_("Enter a public address, not a local or private one."))
    return host


def _check_url(value: str, allow_private: bool) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(N_("Enter an http(s) URL, such as https://example.com/path."))
    _host(parts.hostname, allow_private)
    return value


def _check_email(value: str, allow_private: bool) -> str:
    if not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+", value):
        raise ValueError(N_("Enter an email address, such as support@example.com."))
    return value


def _check_port(value: str, allow_private: bool) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValueError(N_("Enter a port from 1 to 65535."))
    return int(value)


def _check_flag(value: str, allow_private: bool) -> bool:
    flags = {"on": True, "true": True, "1": True, "yes": True}
    flags |= {"off": False, "false": False, "0": False, "no": False}
    if value.lower() not in flags:
        raise ValueError(N_("Enter yes or no."))
    return flags[value.lower()]


def _check_signing_secret(value: str, allow_private: bool) -> str:
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
    def check(value: str, allow_private: bool) -> str:
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
    "smtp_host": lambda value, allow: _host(value, allow),
    "smtp_port": _check_port,
    "starttls": _check_flag,
    "signing_secret": _check_signing_secret,
    "api_version": _pattern(r"v\d+\.\d+", N_("Enter a version such as v62.0.")),
    "external_id_field": _pattern(r"[A-Za-z]\w{0,79}", N_("Enter a field API name.")),
}


@dataclass(frozen=True)
class _Invalid:
    message: str


def _clean(field: TargetField, raw: str, allow_private: bool) -> Any:
    check = CHECKS.get(field.name)
    if check is None:
        return raw
    try:
        return check(raw, allow_private)
    except ValueError as exc:
        return _Invalid(str(exc))


def validate_target(
    kind: TargetKind | str,
    values: Mapping[str, str],
    *,
    keep: Mapping[str, Any] | None = None,
    allow_private_hosts: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """A submitted form as (settings, credentials, errors by field name).

    A blank secret field keeps its value from `keep` (the target's current credentials), so
    an edit form need not show secrets again. Unknown keys are ignored. Local and private
    hosts are refused unless `allow_private_hosts` (for development and tests).
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
        elif isinstance(value := _clean(field, raw, allow_private_hosts), _Invalid):
            errors[field.name] = value.message
        else:
            store[field.name] = value
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
    http: httpx.AsyncClient,
) -> Adapter:
    match kind:
        case TargetKind.WEBHOOK:
            return WebhookAdapter(settings, credentials, http)
        case TargetKind.ZENDESK:
            return ZendeskAdapter(settings, credentials, http)
        case TargetKind.SALESFORCE:
            return SalesforceAdapter(settings, credentials, http)
        case TargetKind.FRESHDESK:
            return FreshdeskAdapter(settings, credentials, http)
        case TargetKind.EMAIL:
            timeout = http.timeout.read or DEFAULT_TIMEOUT
            return EmailAdapter(settings, credentials, timeout=timeout)
    raise BadSetting(f"unknown kind {kind}")  # pragma: no cover


def adapter_for(target: EscalationTarget, http: httpx.AsyncClient) -> Adapter:
    """The adapter delivering to `target` through `http` (whose timeout applies to email too).

    Never raises: a target missing a setting gets an adapter whose deliveries fail, not
    retryable, saying what is missing."""
    try:
        return _build(
            TargetKind(target.kind), target.settings or {}, target.credentials or {}, http
        )
    except BadSetting as exc:
        return Misconfigured(f"The target {target.name!r} is misconfigured: {exc}")
