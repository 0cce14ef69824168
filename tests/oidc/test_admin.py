"""The admin's single sign-on page, and what "SSO only" does to passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.identity.models import Role
from community.moderation.models import AuditEntry
from community.oidc.models import OidcProvider
from tests.conftest import Client, World
from tests.oidc.provider import Provider

pytestmark = pytest.mark.anyio

FORM = {
    "label": "Sign in with Northwind ID", "issuer": "https://id.northwind.example",
    "client_id": "parvis-acme", "client_secret": "s3cret-value", "scopes": "openid email profile",
    "name_claim": "name", "customer_id_claim": "customer_id", "tier_claim": "customer_tier",
    "enabled": "on",
}  # fmt: skip


async def admin_client(client: Client, world: World) -> Client:
    await world.member("acme", "admin@example.com", Role.ADMIN)
    await client.login("admin@example.com")
    return client


async def test_only_admins_see_the_page(client: Client, world: World) -> None:
    assert (await client.get("/admin/sso")).status_code in (303, 401)
    await world.member("acme", "mo@example.com", Role.MODERATOR)
    await client.login("mo@example.com")
    assert (await client.get("/admin/sso")).status_code == 403


async def test_the_admin_saves_the_provider_and_the_secret_is_never_shown(
    client: Client, world: World
) -> None:
    await admin_client(client, world)
    page = await client.get("/admin/sso")
    assert "http://acme.test/auth/oidc/callback" in page.text
    assert 'href="/admin/sso/token"' in page.text and "Signed-token SSO (embeds)" in page.text
    saved = await client.submit("/admin/sso", FORM)
    assert saved.status_code == 303, saved.text
    page = await client.get("/admin/sso?saved=1")
    assert "s3cret-value" not in page.text and "Kept — leave empty to keep it." in page.text
    kept = await client.submit("/admin/sso", FORM | {"client_secret": "", "label": "Northwind"})
    assert kept.status_code == 303
    async with world.unit() as session:
        provider = (await session.scalars(select(OidcProvider))).one()
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert provider.label == "Northwind" and "s3cret" not in provider.client_secret_sealed
    assert [e.action for e in entries] == ["sso.configure", "sso.configure"]
    assert entries[1].after is not None and entries[1].after["secret_changed"] is False
    assert "s3cret" not in str([e.before for e in entries] + [e.after for e in entries])
    assert "Northwind" in (await client.get("/login")).text


@pytest.mark.parametrize(
    ("issuer", "why"),
    [
        ("http://id.northwind.example", "https URL"),
        ("http://10.0.0.7:9000", "https URL"),
        ("https://10.0.0.7", "local or private address"),
        ("ftp://id.example", "https URL"),
        ("https://id.example/?x=1", "https URL"),
    ],
)
async def test_an_issuer_that_is_not_https_or_allowed_is_refused(
    client: Client, world: World, issuer: str, why: str
) -> None:
    await admin_client(client, world)
    answer = await client.submit("/admin/sso", FORM | {"issuer": issuer})
    assert answer.status_code == 422 and why in answer.text
    async with world.unit() as session:
        assert await session.scalar(select(OidcProvider.id)) is None


async def test_missing_fields_and_sso_only_without_sso_are_marked(
    client: Client, world: World
) -> None:
    await admin_client(client, world)
    bad = FORM | {"client_id": "", "client_secret": "", "scopes": "email", "enabled": ""}
    answer = await client.submit("/admin/sso", bad | {"sso_only": "on"})
    assert answer.status_code == 422
    for message in ("Required.", "client secret the provider gave you", "must include openid",
                    "must be enabled to be the only way in"):  # fmt: skip
        assert message in answer.text


async def test_discovery_is_tested_against_the_real_provider(
    client: Client, world: World, provider: Provider
) -> None:
    await admin_client(client, world)
    await client.submit("/admin/sso", FORM | {"issuer": provider.issuer})
    answer = await client.submit("/admin/sso/test", {})
    assert answer.status_code == 200
    assert "its discovery document names this issuer" in answer.text
    assert f"{provider.issuer}/session/end" in answer.text
    await client.submit("/admin/sso", FORM | {"issuer": provider.issuer + "/"})
    wrong = await client.submit("/admin/sso/test", {})
    assert "not " + provider.issuer + "/" in wrong.text.replace("&#34;", '"')


async def test_sso_only_refuses_passwords_but_an_admins(
    client_for: object, world: World, provider: Provider
) -> None:
    admin = await admin_client(client_for("acme.test"), world)  # type: ignore[operator]
    await admin.submit("/admin/sso", FORM | {"issuer": provider.issuer, "sso_only": "on"})
    await world.member("acme", "bob@example.com")
    guest: Client = client_for("acme.test")  # type: ignore[operator]
    login = await guest.get("/login")
    assert "signs members in with Sign in with Northwind ID only" in login.text
    assert "Community admins: sign in with a password" in login.text
    register = await guest.get("/register")
    assert 'action="/register"' not in register.text and "sso-button" in register.text
    refused = await guest.submit(
        "/register", {"email": "new@example.com", "display_name": "Newbie", "password": "x" * 12}
    )
    assert refused.status_code == 403 and "use the button" in refused.text
    bob = await guest.submit(
        "/login", {"email": "bob@example.com", "password": "correct horse battery"}
    )
    assert bob.status_code == 403 and "use the button" in bob.text
    assert "Bob" not in (await guest.get("/")).text
    await guest.login("admin@example.com")  # the break-glass way in
