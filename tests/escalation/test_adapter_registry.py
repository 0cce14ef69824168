"""Target kinds: their fields, form validation, masking, and the adapter for a saved target."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from community.escalation.adapters import DeliveryFailed
from community.escalation.adapters.email import EmailAdapter
from community.escalation.adapters.freshdesk import FreshdeskAdapter
from community.escalation.adapters.registry import (
    TARGET_FIELDS,
    Misconfigured,
    adapter_for,
    mask,
    new_signing_secret,
    validate_target,
)
from community.escalation.adapters.salesforce import SalesforceAdapter
from community.escalation.adapters.webhook import WebhookAdapter
from community.escalation.adapters.zendesk import ZendeskAdapter
from community.escalation.models import EscalationTarget, TargetKind
from community.net.outbound import PRIVATE, Outbound
from tests.conftest import TEST_OUTBOUND
from tests.escalation.test_adapter_support import Reply, Vendor, client, make_payload

pytestmark = pytest.mark.anyio

SECRET = new_signing_secret()
NOT_AN_EMAIL = "Enter an email address, such as support@example.com."


def test_every_kind_has_fields_and_secrets_go_to_credentials() -> None:
    assert set(TARGET_FIELDS) == set(TargetKind)
    secrets = {kind: {f.name for f in fields if f.secret} for kind, fields in TARGET_FIELDS.items()}
    assert secrets == {
        TargetKind.WEBHOOK: {"signing_secret"},
        TargetKind.ZENDESK: {"api_token"},
        TargetKind.SALESFORCE: {"client_secret"},
        TargetKind.FRESHDESK: {"api_key"},
        TargetKind.EMAIL: {"username", "password"},
    }


async def test_a_valid_webhook_form_splits_into_settings_and_credentials() -> None:
    form = {"url": " https://cc.example.com/hooks ", "signing_secret": SECRET, "extra": "x"}
    assert (await validate_target("webhook", form, TEST_OUTBOUND)) == (
        {"url": "https://cc.example.com/hooks"},
        {"signing_secret": SECRET},
        {},
    )


async def test_a_new_signing_secret_is_valid_for_us_and_for_standardwebhooks() -> None:
    assert SECRET.startswith("whsec_") and len(base64.b64decode(SECRET[6:])) == 32
    assert new_signing_secret() != SECRET
    Webhook(SECRET)  # accepted by the reference implementation
    assert (
        await validate_target(
            TargetKind.WEBHOOK, {"url": "https://x.test", "signing_secret": SECRET}, TEST_OUTBOUND
        )
    )[2] == {}


@pytest.mark.parametrize(
    ("kind", "form", "errors"),
    [
        ("webhook", {}, {"url": "Required.", "signing_secret": "Required."}),
        ("webhook", {"url": "ftp://cc.test/x", "signing_secret": "s3cret"},
         {"url": "Enter an http(s) URL, such as https://example.com/path.",
          "signing_secret": "A signing secret starts with whsec_."}),
        ("webhook", {"url": "https:///nohost", "signing_secret": "whsec_!!not-base64!!"},
         {"url": "Enter an http(s) URL, such as https://example.com/path.",
          "signing_secret": "A signing secret is whsec_ followed by base64."}),
        ("webhook", {"url": "http://10.0.0.1:8080/x",
                     "signing_secret": "whsec_" + base64.b64encode(b"short").decode()},
         {"url": PRIVATE % {"host": "10.0.0.1"},
          "signing_secret": "A signing secret holds at least 24 bytes."}),
        ("zendesk", {"base_url": "https://acme.zendesk.com", "email": "not-an-email",
                     "api_token": "t"}, {"email": NOT_AN_EMAIL}),
        ("salesforce", {"instance_url": "https://acme.my.salesforce.com", "client_id": "id",
                        "client_secret": "s", "api_version": "62", "external_id_field": "1bad"},
         {"api_version": "Enter a version such as v62.0.",
          "external_id_field": "Enter a field API name."}),
        ("email", {"to": "cases@helpdesk.test", "from_address": "p@acme.test",
                   "smtp_host": "mail server", "smtp_port": "70000", "starttls": "maybe"},
         {"smtp_host": "Enter a host name, such as smtp.example.com.",
          "smtp_port": "Enter a port from 1 to 65535.", "starttls": "Enter yes or no."}),
        ("email", {"to": "cases@helpdesk.test", "from_address": "p@acme.test",
                   "smtp_host": "localhost", "smtp_port": "587"},
         {"smtp_host": PRIVATE % {"host": "localhost"}}),
        ("email", {"to": "a@b.test, c@d.test", "from_address": "p@acme.test",
                   "smtp_host": "smtp.acme.test", "smtp_port": "0"},
         {"to": NOT_AN_EMAIL,
          "smtp_port": "Enter a port from 1 to 65535."}),
    ],
    ids=["required", "scheme-prefix", "no-host-not-base64", "private-short", "email",
         "salesforce-names", "email-kind", "email-localhost", "email-list-port-0"],
)  # fmt: skip
async def test_invalid_forms(kind: str, form: dict[str, str], errors: dict[str, str]) -> None:
    assert (await validate_target(kind, form, TEST_OUTBOUND))[2] == errors


async def test_hosts_the_operator_allows_are_accepted() -> None:
    form = {"url": "http://127.0.0.1:8080/x", "signing_secret": SECRET}
    assert (await validate_target("webhook", form, TEST_OUTBOUND))[2] == {}  # allowed in tests
    refused = Outbound()  # nothing allowed
    assert (await validate_target("webhook", form, refused))[2] == {
        "url": PRIVATE % {"host": "127.0.0.1"}
    }


async def test_an_email_form_is_typed_and_optional_fields_may_stay_blank() -> None:
    form = {"to": "cases@helpdesk.test", "from_address": "p@acme.test",
            "smtp_host": "smtp.acme.test", "smtp_port": "587", "starttls": "on",
            "username": "parvis", "password": "hunter22"}  # fmt: skip
    settings, credentials, errors = await validate_target("email", form, TEST_OUTBOUND)
    assert errors == {}
    typed = {"smtp_port": 587, "starttls": True}
    assert settings == {k: form[k] for k in ("to", "from_address", "smtp_host")} | typed
    assert credentials == {"username": "parvis", "password": "hunter22"}
    minimal = {k: form[k] for k in ("to", "from_address", "smtp_host")}
    assert (await validate_target("email", minimal, TEST_OUTBOUND))[:2] == (
        {**minimal, "starttls": False},
        {},
    )


async def test_a_blank_secret_keeps_the_current_one() -> None:
    form = {"base_url": "https://acme.freshdesk.com", "api_key": ""}
    kept = await validate_target("freshdesk", form, TEST_OUTBOUND, keep={"api_key": "old-key"})
    assert kept == (
        {"base_url": "https://acme.freshdesk.com"},
        {"api_key": "old-key"},
        {},
    )
    assert (await validate_target("freshdesk", form, TEST_OUTBOUND))[2] == {"api_key": "Required."}


@pytest.mark.parametrize(
    ("value", "shown"),
    [("whsec_abcdefghijklmnopqrstuvwxyzabcd", "••••abcd"), ("short-secret", "••••cret"),
     ("hunter22", "••••"), ("abc", "••••"), ("", "")],
)  # fmt: skip
def test_mask_shows_at_most_the_last_four_characters(value: str, shown: str) -> None:
    assert mask(value) == shown


def target(
    kind: TargetKind, settings: dict[str, Any], credentials: dict[str, Any]
) -> EscalationTarget:
    return EscalationTarget(name="Contact centre", kind=kind, settings=settings,
                            credentials=credentials, callback_secret=SECRET)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "settings", "credentials", "adapter_type"),
    [
        (TargetKind.WEBHOOK, {"url": "https://x.test"}, {"signing_secret": SECRET}, WebhookAdapter),
        (TargetKind.ZENDESK, {"base_url": "https://a.zendesk.com", "email": "a@b.test"},
         {"api_token": "t"}, ZendeskAdapter),
        (TargetKind.SALESFORCE, {"instance_url": "https://a.my.salesforce.com", "client_id": "c"},
         {"client_secret": "s"}, SalesforceAdapter),
        (TargetKind.FRESHDESK, {"base_url": "https://a.freshdesk.com"}, {"api_key": "k"},
         FreshdeskAdapter),
        (TargetKind.EMAIL, {"to": "a@b.test", "from_address": "p@b.test",
                            "smtp_host": "smtp.b.test"}, {}, EmailAdapter),
    ],
)  # fmt: skip
async def test_adapter_for_each_kind(
    kind: TargetKind, settings: dict[str, Any], credentials: dict[str, Any], adapter_type: type
) -> None:
    http = client()
    assert isinstance(adapter_for(target(kind, settings, credentials), http), adapter_type)


@pytest.mark.parametrize(
    ("settings", "credentials", "says"),
    [
        ({}, {"signing_secret": SECRET}, "url is not set"),
        (
            {"url": "https://x.test"},
            {"signing_secret": "whsec_!!"},
            "not 'whsec_' followed by base64",
        ),
    ],
)
async def test_a_misconfigured_target_fails_for_good(
    settings: dict[str, Any], credentials: dict[str, Any], says: str
) -> None:
    http = client()
    adapter = adapter_for(target(TargetKind.WEBHOOK, settings, credentials), http)
    assert isinstance(adapter, Misconfigured)
    with pytest.raises(DeliveryFailed) as excinfo:
        await adapter.create_case(make_payload())
    assert excinfo.value.retryable is False
    assert (
        "'Contact centre' is misconfigured" in excinfo.value.message
        and says in excinfo.value.message
    )


async def test_a_validated_target_delivers() -> None:
    with Vendor(lambda seen: Reply(202)) as vendor:
        form = {"url": f"{vendor.url}/hook", "signing_secret": SECRET}
        settings, credentials, errors = await validate_target("webhook", form, TEST_OUTBOUND)
        assert errors == {}
        http = client()
        await adapter_for(target(TargetKind.WEBHOOK, settings, credentials), http).create_case(
            make_payload()
        )
    Webhook(SECRET).verify(vendor.seen[0].body, vendor.seen[0].headers)
