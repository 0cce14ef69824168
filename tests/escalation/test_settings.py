"""A community admin sets up escalation from /admin/escalation and /api/v1/escalation."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.escalation.adapters.registry import mask
from community.escalation.models import EscalationTarget
from community.escalation.rules import EscalationRules
from community.identity.models import Role
from community.moderation.models import AuditEntry
from community.tenancy.models import Tenant
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio
Sessions = async_sessionmaker[AsyncSession]

RULES: dict[str, Any] = {
    "unresolved_enabled": "on",
    "unresolved_hours": "12",
    "sentiment_enabled": "on",
    "sentiment_threshold": "-0.35",
    "complaint_keywords": "Refund*\narnaque\nrefund*",
    "max_attempts": "5",
    "case_sla_hours": "16",
    "timezone": "Europe/Paris",
    "days": ["0", "1", "2"],
    "start": "08:30",
    "end": "17:00",
    "holidays": "2026-12-24\n2026-12-31",
    "holiday_country": "fr",
}
API_RULES: dict[str, Any] = {
    "unresolved_enabled": True,
    "unresolved_hours": 48,
    "sentiment_enabled": False,
    "sentiment_threshold": -0.6,
    "complaint_enabled": True,
    "complaint_keywords": ["chargeback*", "lawyer"],
    "max_attempts": 3,
    "case_sla_hours": 4,
    "calendar": {
        "timezone": "America/New_York",
        "days": [0, 1, 2, 3, 4, 5],
        "start": "07:00",
        "end": "24:00",
        "holidays": ["2026-07-04"],
        "holiday_country": "US",
    },
}
SECRET_TOKEN = "zd-token-0123456789abcdef"
VALID_TARGETS: dict[str, dict[str, str]] = {
    "webhook": {"url": "https://hooks.example.com/parvis", "signing_secret": ""},
    "zendesk": {
        "base_url": "https://acme.zendesk.com",
        "email": "agent@acme.example",
        "api_token": SECRET_TOKEN,
    },
    "salesforce": {
        "instance_url": "https://acme.my.salesforce.com",
        "client_id": "3MVG9consumer",
        "client_secret": "sf-secret-abcdef123456",
        "api_version": "v62.0",
    },
    "freshdesk": {"base_url": "https://acme.freshdesk.com", "api_key": "fd-key-abcdef1234567890"},
    "email": {
        "to": "help@acme.example",
        "from_address": "parvis@acme.example",
        "smtp_host": "smtp.acme.example",
        "smtp_port": "587",
        "starttls": "on",
        "username": "mailer",
        "password": "smtp-password-123456",
    },
}
TYPED_SECRETS = {  # the secret typed for each kind (the webhook's is made for the admin)
    "zendesk": SECRET_TOKEN,
    "salesforce": "sf-secret-abcdef123456",
    "freshdesk": "fd-key-abcdef1234567890",
    "email": "smtp-password-123456",
}
INVALID_TARGETS = {  # kind: (fields, field in error)
    "webhook": ({"url": "ftp://hooks.example.com", "signing_secret": "not-a-secret"}, "url"),
    "zendesk": ({"base_url": "https://acme.zendesk.com", "email": "nobody"}, "email"),
    "salesforce": ({"instance_url": "https://10.0.0.1", "client_id": "x"}, "instance_url"),
    "freshdesk": ({"base_url": "https://acme.freshdesk.com", "api_key": ""}, "api_key"),
    "email": (
        {
            "to": "help@acme.example",
            "from_address": "x@y.z",
            "smtp_host": "smtp.x.y",
            "smtp_port": "99999",
        },
        "smtp_port",
    ),
}


async def admin(client: Client, world: World, tenant: str = "acme") -> Client:
    await world.member(tenant, f"boss@{tenant}.example", Role.ADMIN)
    await client.login(f"boss@{tenant}.example")
    return client


async def api(client: Client, method: str, url: str, payload: Any = None) -> httpx.Response:
    headers = {"x-csrftoken": await client.ensure_csrf()}
    return await client.request(method, url, json=payload, headers=headers)


async def stored_rules(sessions: Sessions, world: World) -> EscalationRules:
    async with sessions() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant is not None
        return EscalationRules.from_preferences(tenant.preferences)


async def stored_target(sessions: Sessions, target_id: int) -> EscalationTarget:
    async with sessions() as session:
        target = await session.get(EscalationTarget, target_id)
        assert target is not None
        return target


async def create(client: Client, kind: str, fields: dict[str, str]) -> httpx.Response:
    return await client.submit(
        "/admin/escalation/targets",
        {"kind": kind, "name": f"{kind} desk", "enabled": "on"} | fields,
    )


def target_id_of(page: str) -> int:
    found = re.search(r'action="/admin/escalation/targets/(\d+)"', page)
    assert found, page
    return int(found.group(1))


# ---- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.MEMBER])
async def test_only_admins_see_or_change_the_settings(
    client: Client, world: World, role: Role
) -> None:
    await world.member("acme", "someone@example.com", role)
    await client.login("someone@example.com")
    assert (await client.get("/admin/escalation")).status_code == 403
    assert (await client.submit("/admin/escalation", RULES)).status_code == 403
    assert (await client.get("/admin/escalation/targets/new?kind=webhook")).status_code == 403
    assert (await create(client, "webhook", VALID_TARGETS["webhook"])).status_code == 403
    assert (await client.get("/api/v1/escalation/settings")).status_code == 403
    assert (await api(client, "PUT", "/api/v1/escalation/settings", API_RULES)).status_code == 403
    assert (await client.get("/api/v1/escalation/targets")).status_code == 403


async def test_guests_are_sent_to_log_in(client: Client, world: World) -> None:
    page = await client.get("/admin/escalation")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert (await client.get("/api/v1/escalation/settings")).status_code == 401
    assert (await client.get("/api/v1/escalation/targets")).status_code == 401


# ---- rules and calendar -------------------------------------------------------------------


async def test_the_form_shows_the_defaults(client: Client, world: World) -> None:
    await admin(client, world)
    page = await client.get("/admin/escalation")
    assert page.status_code == 200
    assert "résiliation" in page.text and 'value="24"' in page.text
    assert "the backlog is not sent to the contact centre" in page.text


async def test_saved_rules_round_trip(client: Client, world: World, sessions: Sessions) -> None:
    await admin(client, world)
    saved = await client.submit("/admin/escalation", RULES)
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/escalation?saved=1"
    rules = await stored_rules(sessions, world)
    assert (rules.unresolved_hours, rules.max_attempts, rules.case_sla_hours) == (12, 5, 16)
    assert rules.sentiment_threshold == -0.35 and not rules.complaint_enabled
    assert rules.complaint_keywords == ["refund*", "arnaque"]
    calendar = rules.business_calendar
    assert (calendar.timezone, calendar.days, calendar.start, calendar.end) == (
        "Europe/Paris", (0, 1, 2), "08:30", "17:00",
    )  # fmt: skip
    assert calendar.holidays == ("2026-12-24", "2026-12-31") and calendar.holiday_country == "FR"
    page = (await client.get("/admin/escalation?saved=1")).text
    assert "Saved." in page and "refund*\narnaque" in page
    assert "<option selected>Europe/Paris</option>" in page


async def test_settings_round_trip_through_the_api(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    answer = await api(client, "PUT", "/api/v1/escalation/settings", API_RULES)
    assert answer.status_code == 200, answer.text
    shown = (await client.get("/api/v1/escalation/settings")).json()
    assert shown == answer.json()
    assert {k: v for k, v in shown.items() if k != "unresolved_since"} == API_RULES
    rules = await stored_rules(sessions, world)
    assert rules.business_calendar.end == "24:00" and not rules.sentiment_enabled


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("unresolved_hours", "0", "Enter a whole number from 1 to 720."),
        ("unresolved_hours", "721", "Enter a whole number from 1 to 720."),
        ("max_attempts", "21", "Enter a whole number from 1 to 20."),
        ("case_sla_hours", "soon", "Enter a whole number from 1 to 720."),
        ("sentiment_threshold", "0.5", "Enter a number from -1 to 0, in steps of 0.05"),
        ("sentiment_threshold", "-0.33", "Enter a number from -1 to 0, in steps of 0.05"),
        ("complaint_keywords", "refund\n***", "Line 2"),
        ("timezone", "Mars/Olympus", "Choose a time zone from the list"),
        ("days", [], "Choose at least one opening day."),
        ("start", "9h", "Enter the opening time as HH:MM"),
        ("end", "08:00", "The closing time must be later than the opening time."),
        ("holidays", "2026-12-24\nChristmas", "Line 2"),
        ("holiday_country", "XX", "is not supported"),
    ],
)
async def test_each_bad_field_is_shown_with_its_problem(
    client: Client, world: World, sessions: Sessions, field: str, value: Any, message: str
) -> None:
    await admin(client, world)
    response = await client.submit("/admin/escalation", RULES | {field: value})
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert f'id="{field}-error"' in response.text
    if field != "days":
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text, re.S)
    if isinstance(value, str) and field != "timezone":  # a select shows only valid zones
        assert value in response.text, "what was typed is kept"
    assert (await stored_rules(sessions, world)) == EscalationRules(), "nothing was saved"


async def test_the_api_answers_422_with_field_errors(client: Client, world: World) -> None:
    await admin(client, world)
    bad = API_RULES | {"max_attempts": 0, "calendar": API_RULES["calendar"] | {"start": "7"}}
    answer = await api(client, "PUT", "/api/v1/escalation/settings", bad)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["max_attempts"] == "Enter a whole number from 1 to 20."
    assert errors["calendar.start"].startswith("Enter the opening time as HH:MM")


async def test_switching_the_unresolved_rule_on_starts_its_clock(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    off = {k: v for k, v in RULES.items() if k != "unresolved_enabled"}
    await client.submit("/admin/escalation", off)
    assert (await stored_rules(sessions, world)).unresolved_since == ""
    await client.submit("/admin/escalation", RULES)
    since = (await stored_rules(sessions, world)).unresolved_since
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", since)
    await client.submit("/admin/escalation", RULES | {"unresolved_hours": "30"})
    assert (await stored_rules(sessions, world)).unresolved_since == since, "still on: kept"


# ---- targets ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(VALID_TARGETS))
async def test_an_admin_creates_each_kind_of_target(
    client: Client, world: World, sessions: Sessions, kind: str
) -> None:
    await admin(client, world)
    form = await client.get(f"/admin/escalation/targets/new?kind={kind}")
    assert form.status_code == 200
    created = await create(client, kind, VALID_TARGETS[kind])
    assert created.status_code == 201, created.text
    target = await stored_target(sessions, target_id_of(created.text))
    assert target.kind == kind and target.name == f"{kind} desk" and target.enabled
    assert target.callback_secret.startswith("whsec_")
    assert f"http://acme.test/hooks/contact-centre/{target.id}" in created.text
    assert target.callback_secret in created.text, "the contact centre needs it"
    if secret := TYPED_SECRETS.get(kind, ""):
        assert secret in target.credentials.values() and secret not in created.text
    listing = (await client.get("/admin/escalation")).text
    assert f"{kind} desk" in listing and "In use" in listing


async def test_a_webhook_gets_a_signing_secret_shown_once(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    created = await create(client, "webhook", VALID_TARGETS["webhook"])
    target = await stored_target(sessions, target_id_of(created.text))
    signing = target.credentials["signing_secret"]
    assert signing.startswith("whsec_") and signing in created.text
    assert "it will not be shown again" in created.text
    again = await client.get(f"/admin/escalation/targets/{target.id}")
    assert signing not in again.text and mask(signing) in again.text


@pytest.mark.parametrize("kind", list(INVALID_TARGETS))
async def test_invalid_targets_are_shown_with_the_problem(
    client: Client, world: World, sessions: Sessions, kind: str
) -> None:
    await admin(client, world)
    fields, field = INVALID_TARGETS[kind]
    response = await create(client, kind, fields)
    assert response.status_code == 422
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text, re.S)
    assert f'id="{field}-error"' in response.text
    async with sessions() as session:
        assert (await session.scalars(select(EscalationTarget))).first() is None


async def test_a_target_needs_a_name_and_a_known_kind(client: Client, world: World) -> None:
    await admin(client, world)
    nameless = await create(client, "webhook", VALID_TARGETS["webhook"] | {"name": " "})
    assert nameless.status_code == 422 and "Give the target a name" in nameless.text
    assert (await client.get("/admin/escalation/targets/new?kind=fax")).status_code == 422
    answer = await api(client, "POST", "/api/v1/escalation/targets", {"kind": "fax", "name": "x"})
    assert answer.status_code == 422 and "kind" in answer.json()["errors"]


async def test_stored_secrets_are_never_shown_only_masked(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    fields = VALID_TARGETS["zendesk"]
    created = await create(client, "zendesk", fields)
    target_id = target_id_of(created.text)
    page = (await client.get(f"/admin/escalation/targets/{target_id}")).text
    assert SECRET_TOKEN not in page and mask(SECRET_TOKEN) in page
    listed = (await client.get("/api/v1/escalation/targets")).text
    assert SECRET_TOKEN not in listed and mask(SECRET_TOKEN) in listed
    target = await stored_target(sessions, target_id)
    assert target.callback_secret not in listed, "the API masks the callback secret too"
    async with sessions() as session:
        audit = (await session.scalars(select(AuditEntry))).all()
    assert audit and all(SECRET_TOKEN not in str(entry.after) for entry in audit)


async def test_an_empty_secret_on_edit_keeps_the_stored_one(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    fields = VALID_TARGETS["zendesk"]
    target_id = target_id_of((await create(client, "zendesk", fields)).text)
    edit = fields | {"name": "Support", "api_token": "", "base_url": "https://help.zendesk.com"}
    saved = await client.submit(f"/admin/escalation/targets/{target_id}", edit)
    assert saved.status_code == 303
    target = await stored_target(sessions, target_id)
    assert target.credentials["api_token"] == SECRET_TOKEN and not target.enabled
    assert target.name == "Support" and target.settings["base_url"] == "https://help.zendesk.com"
    changed = edit | {"api_token": "zd-token-new-9876543210"}
    await client.submit(f"/admin/escalation/targets/{target_id}", changed)
    target = await stored_target(sessions, target_id)
    assert target.credentials["api_token"] == "zd-token-new-9876543210"


async def test_a_bad_edit_is_shown_and_changes_nothing(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    fields = VALID_TARGETS["zendesk"]
    target_id = target_id_of((await create(client, "zendesk", fields)).text)
    bad = await client.submit(
        f"/admin/escalation/targets/{target_id}", fields | {"email": "nobody", "api_token": ""}
    )
    assert bad.status_code == 422 and 'value="nobody"' in bad.text
    assert SECRET_TOKEN not in bad.text
    assert (await stored_target(sessions, target_id)).settings["email"] == "agent@acme.example"


async def test_rotating_the_callback_secret_changes_it(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    target_id = target_id_of((await create(client, "webhook", VALID_TARGETS["webhook"])).text)
    before = (await stored_target(sessions, target_id)).callback_secret
    rotated = await client.submit(f"/admin/escalation/targets/{target_id}/rotate", {})
    assert rotated.status_code == 303
    after = (await stored_target(sessions, target_id)).callback_secret
    assert after != before and after.startswith("whsec_")
    page = (await client.get(rotated.headers["location"])).text
    assert after in page and before not in page and "the old one no longer works" in page
    answer = await api(client, "POST", f"/api/v1/escalation/targets/{target_id}/callback-secret")
    newest = (await stored_target(sessions, target_id)).callback_secret
    assert answer.status_code == 200 and answer.json()["secrets"] == {"callback_secret": newest}


async def test_the_first_enabled_target_by_id_is_in_use(client: Client, world: World) -> None:
    await admin(client, world)
    first = VALID_TARGETS["freshdesk"] | {"name": "Off", "enabled": ""}
    await client.submit("/admin/escalation/targets", {"kind": "freshdesk"} | first)
    await create(client, "webhook", VALID_TARGETS["webhook"])
    await create(client, "zendesk", VALID_TARGETS["zendesk"])
    listed = (await client.get("/api/v1/escalation/targets")).json()
    assert [(t["name"], t["in_use"]) for t in listed] == [
        ("Off", False), ("webhook desk", True), ("zendesk desk", False),
    ]  # fmt: skip
    page = (await client.get("/admin/escalation")).text
    assert page.index("Off") < page.index("webhook desk") < page.index("zendesk desk")


async def test_targets_through_the_api(client: Client, world: World, sessions: Sessions) -> None:
    await admin(client, world)
    payload = {"kind": "webhook", "name": "Hook", "values": {"url": "https://h.example.com/in"}}
    created = await api(client, "POST", "/api/v1/escalation/targets", payload)
    assert created.status_code == 201, created.text
    body = created.json()
    target = await stored_target(sessions, body["id"])
    signing = target.credentials["signing_secret"]
    assert body["secrets"] == {"signing_secret": signing, "callback_secret": target.callback_secret}
    assert body["credentials"] == {"signing_secret": mask(signing)} and body["in_use"]
    assert body["callback_url"] == f"http://acme.test/hooks/contact-centre/{target.id}"
    listed = (await client.get("/api/v1/escalation/targets")).text
    assert signing not in listed and target.callback_secret not in listed
    patched = await api(client, "PATCH", f"/api/v1/escalation/targets/{target.id}",
                        {"enabled": False, "values": {"signing_secret": ""}})  # fmt: skip
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert "secrets" not in patched.json() and signing not in patched.text
    kept = await stored_target(sessions, target.id)
    assert kept.credentials["signing_secret"] == signing and kept.name == "Hook"
    assert kept.settings["url"] == "https://h.example.com/in", "left out: kept"
    bad = await api(client, "PATCH", f"/api/v1/escalation/targets/{target.id}",
                    {"values": {"url": "nope"}})  # fmt: skip
    assert bad.status_code == 422 and "url" in bad.json()["errors"]
    deleted = await api(client, "DELETE", f"/api/v1/escalation/targets/{target.id}")
    assert deleted.status_code == 204
    assert (await client.get("/api/v1/escalation/targets")).json() == []


async def test_a_target_can_be_deleted_from_its_page(
    client: Client, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    target_id = target_id_of((await create(client, "webhook", VALID_TARGETS["webhook"])).text)
    deleted = await client.submit(f"/admin/escalation/targets/{target_id}/delete", {})
    assert deleted.status_code == 303
    assert (await client.get(f"/admin/escalation/targets/{target_id}")).status_code == 404


async def test_another_communitys_admin_cannot_reach_a_target(
    client: Client, client_for: Any, world: World, sessions: Sessions
) -> None:
    await admin(client, world)
    target_id = target_id_of((await create(client, "webhook", VALID_TARGETS["webhook"])).text)
    globex = await admin(client_for("globex.test"), world, "globex")
    url = f"/admin/escalation/targets/{target_id}"
    assert (await globex.get(url)).status_code == 404
    assert (
        await globex.submit(url, {"name": "Mine", "url": "https://x.example"})
    ).status_code == 404
    assert (await globex.submit(f"{url}/rotate", {})).status_code == 404
    assert (await globex.submit(f"{url}/delete", {})).status_code == 404
    api_url = f"/api/v1/escalation/targets/{target_id}"
    assert (await api(globex, "PATCH", api_url, {"name": "Mine"})).status_code == 404
    assert (await api(globex, "DELETE", api_url)).status_code == 404
    assert (await globex.get("/api/v1/escalation/targets")).json() == []
    assert (await stored_target(sessions, target_id)).name == "webhook desk"


async def test_changes_are_audited(client: Client, world: World, sessions: Sessions) -> None:
    await admin(client, world)
    await client.submit("/admin/escalation", RULES)
    target_id = target_id_of((await create(client, "webhook", VALID_TARGETS["webhook"])).text)
    await client.submit(f"/admin/escalation/targets/{target_id}",
                        {"name": "Renamed", "enabled": "on", "url": "https://b.example.com"})  # fmt: skip
    await client.submit(f"/admin/escalation/targets/{target_id}/rotate", {})
    await client.submit(f"/admin/escalation/targets/{target_id}/delete", {})
    async with sessions() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [e.action for e in entries] == [
        "settings.escalation", "escalation.target.create", "escalation.target.update",
        "escalation.target.rotate_callback_secret", "escalation.target.delete",
    ]  # fmt: skip
    assert entries[0].after is not None and entries[0].after["unresolved_hours"] == 12
    update = entries[2]
    assert update.before is not None and update.after is not None
    assert (update.before["name"], update.after["name"]) == ("webhook desk", "Renamed")
    assert all("whsec_" not in str([e.before, e.after, e.reason]) for e in entries)
