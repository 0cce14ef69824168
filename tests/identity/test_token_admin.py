"""The admin's page for signed-token sign-in: admins only, problems marked, the HS256 secret
shown once, changes audited, and what it saves is what /auth/token checks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.identity.models import Role
from community.moderation.models import AuditEntry
from tests.conftest import Client, World
from tests.identity.tokens import ISSUER, hs256

pytestmark = pytest.mark.anyio

PAGE = "/admin/sso/token"
FORM = {
    "enabled": "on", "algorithm": "HS256", "jwks_url": "", "issuer": ISSUER, "audience": "",
    "max_lifetime": "300", "origins": "https://www.acme.example",
}  # fmt: skip
SECRET_FIELD = re.compile(r'data-testid="token-secret" readonly value="([^"]+)"')


@pytest.fixture
async def admin(client: Client, world: World) -> Client:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await client.login("boss@example.com")
    return client


async def test_only_admins_see_the_page(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    assert (await client.get(PAGE)).status_code == 403
    assert (await client.submit(PAGE, FORM)).status_code == 403


async def test_the_secret_is_shown_once_and_tokens_signed_with_it_work(
    admin: Client, world: World
) -> None:
    page = await admin.get(PAGE)
    assert page.status_code == 200 and "http://acme.test" in page.text  # the default audience
    saved = await admin.submit(PAGE, FORM)
    assert saved.status_code == 201, saved.text
    secret = SECRET_FIELD.search(saved.text)
    assert secret, saved.text
    assert secret.group(1) not in (await admin.get(PAGE)).text  # never again
    assert "A secret is set." in (await admin.get(PAGE)).text
    guest = Client(transport=admin._transport, base_url="http://acme.test")
    signed_in = await guest.get("/auth/token", params={"jwt": hs256(secret=secret.group(1))})
    assert signed_in.status_code == 303, signed_in.text
    again = await admin.submit(PAGE, FORM)
    assert again.status_code == 303 and again.headers["location"] == f"{PAGE}?saved=1"


async def test_rotating_the_secret_refuses_the_old_one(admin: Client, world: World) -> None:
    first = SECRET_FIELD.search((await admin.submit(PAGE, FORM)).text)
    rotated = await admin.submit(f"{PAGE}/rotate", {})
    assert rotated.status_code == 201
    second = SECRET_FIELD.search(rotated.text)
    assert first and second and first.group(1) != second.group(1)
    guest = Client(transport=admin._transport, base_url="http://acme.test")
    old = await guest.get("/auth/token", params={"jwt": hs256(secret=first.group(1))})
    assert old.status_code == 401
    new = await guest.get("/auth/token", params={"jwt": hs256(secret=second.group(1))})
    assert new.status_code == 303


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issuer", "", "Enter the issuer your tokens carry"),
        ("max_lifetime", "99999", "from 30 to 3600"),
        ("algorithm", "none", "Choose HS256"),
        ("origins", "https://www.acme.example/page", "is not an origin"),
        ("claim_email", "mail address", "A claim name is 1 to 100"),
    ],
)
async def test_problems_are_marked_and_nothing_is_saved(
    admin: Client, world: World, field: str, value: str, message: str
) -> None:
    response = await admin.submit(PAGE, FORM | {field: value})
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert 'data-testid="token-secret"' not in response.text
    assert (
        "frame-ancestors 'self';" in (await admin.get("/")).headers["content-security-policy"] + ";"
    )


async def test_rs256_needs_a_jwks_url_outbound_would_call(admin: Client) -> None:
    rs = FORM | {"algorithm": "RS256"}
    assert "Enter the https address of your JWKS" in (await admin.submit(PAGE, rs)).text
    private = await admin.submit(PAGE, rs | {"jwks_url": "http://10.0.0.7/jwks.json"})
    assert private.status_code == 422 and "local or private address" in private.text
    ok = await admin.submit(PAGE, rs | {"jwks_url": "https://www.acme.example/jwks.json"})
    assert ok.status_code == 303  # RS256 makes no secret


async def test_changes_are_audited_without_the_secret(admin: Client, world: World) -> None:
    secret = SECRET_FIELD.search((await admin.submit(PAGE, FORM)).text)
    await admin.submit(f"{PAGE}/rotate", {})
    async with world.unit() as session:
        await world.scope(session, "acme")
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["settings.sso_token", "settings.sso_token.rotate_secret"]
    assert entries[0].after is not None
    assert entries[0].after["origins"] == ["https://www.acme.example"]
    assert secret and secret.group(1) not in str(entries[0].after)
    assert "sealed_secret" not in str(entries[0].after)


async def test_saved_origins_may_frame_the_community_at_once(admin: Client) -> None:
    await admin.submit(PAGE, FORM)
    policy = (await admin.get("/")).headers["content-security-policy"]
    assert "frame-ancestors 'self' https://www.acme.example" in policy
