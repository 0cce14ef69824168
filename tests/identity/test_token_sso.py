"""Signed-token sign-in: a brand's token signs a member in; every bad token is refused with
a clear answer and changes nothing."""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from community.config import Settings
from community.db import utcnow
from community.identity import token_verify
from community.identity.external import MemberIdentity
from community.identity.models import Member
from community.identity.token_models import RS256, UsedTokenId
from tests.conftest import PASSWORD, Client, World
from tests.identity.tokens import claims, configure, hs256, rs256, rsa_key, serve_jwks

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def fresh_jwks() -> Iterator[None]:
    token_verify.JWKS.forget()
    yield
    token_verify.JWKS.forget()


@pytest.fixture
async def hs_tenant(world: World, settings: Settings) -> World:
    await configure(world, settings.secret_key)
    return world


async def members(world: World) -> int:
    async with world.unit() as session:
        return int(await session.scalar(select(func.count()).select_from(Member)) or 0)


async def sign_in(client: Client, token: str, **params: str) -> httpx.Response:
    return await client.get("/auth/token", params={"jwt": token, **params})


def assert_refused(response: httpx.Response, message: str, status: int = 401) -> None:
    assert response.status_code == status, response.text
    assert message in response.text
    assert "parvis_session" not in response.headers.get("set-cookie", "")


async def test_a_valid_token_signs_the_member_in_with_their_claims(
    client: Client, hs_tenant: World
) -> None:
    response = await sign_in(client, hs256(), return_to="/ask")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ask"
    page = await client.get("/")
    assert 'data-testid="viewer-name">Dana Brand<' in page.text
    async with hs_tenant.unit() as session:
        member = await session.scalar(select(Member).where(Member.email == "dana@example.com"))
        assert member is not None
        assert (member.customer_id, member.customer_tier) == ("C-42", "gold")
        assert member.email_verified_at is not None
        identity = await session.scalar(select(MemberIdentity))
        assert identity is not None and (identity.issuer, identity.subject) == ("token", "cust-42")


async def test_the_form_post_from_the_brand_site_signs_in_without_a_csrf_token(
    client: Client, hs_tenant: World
) -> None:
    response = await client.post("/auth/token", data={"jwt": hs256(), "return_to": "/ideas"})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ideas"


async def test_a_later_token_refreshes_the_claims(client: Client, hs_tenant: World) -> None:
    await sign_in(client, hs256())
    await sign_in(client, hs256(customer_tier="platinum", email="new@example.com"))
    async with hs_tenant.unit() as session:
        found = list(await session.scalars(select(Member).where(Member.customer_id == "C-42")))
    assert [m.customer_tier for m in found] == ["platinum"]
    assert found[0].email == "dana@example.com"  # found by subject, not by the new email


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
async def test_return_to_stays_on_the_community(
    client: Client, hs_tenant: World, target: str
) -> None:
    response = await sign_in(client, hs256(), return_to=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def _unsigned(made: dict[str, Any]) -> str:
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(made)}."


BAD_TOKENS = {
    "forged": (lambda: hs256(secret="not-the-brand-secret-" + "x" * 24), "signature is wrong"),
    "expired": (lambda: hs256(iat=int(time.time()) - 400, exp=int(time.time()) - 100), "expired"),
    "audience": (lambda: hs256(aud="https://other.example"), "made for another site"),
    "issuer": (lambda: hs256(iss="https://evil.example"), "issuer this community does not"),
    "lifetime": (lambda: hs256(exp=int(time.time()) + 3600), "lives longer than"),
    "future": (lambda: hs256(iat=int(time.time()) + 600, exp=int(time.time()) + 700), "not valid"),
    "no jti": (lambda: hs256(jti=None), "lacks a claim this community needs: jti"),
    "no email": (lambda: hs256(email=None), "lacks a claim this community needs: email"),
    "no sub": (lambda: hs256(sub=None), "lacks a claim this community needs: sub"),
    "alg none": (
        lambda: _unsigned(claims()),
        "algorithm this community does not accept",
    ),
    "garbage": (lambda: "not.a.token", "does not carry a token"),
    "empty": (lambda: "", "does not carry a token"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_a_bad_token_is_refused_and_changes_nothing(
    client: Client, hs_tenant: World, case: str
) -> None:
    make, message = BAD_TOKENS[case]
    before = await members(hs_tenant)
    assert_refused(await sign_in(client, make()), message)
    assert await members(hs_tenant) == before
    assert 'data-testid="viewer-name"' not in (await client.get("/")).text


async def test_a_refusal_is_json_for_a_client_that_asks(client: Client, hs_tenant: World) -> None:
    token = hs256(aud="https://other.example")
    response = await client.get(
        "/auth/token", params={"jwt": token}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 401
    assert "another site" in response.json()["detail"]


async def test_a_replayed_token_is_refused(client: Client, hs_tenant: World) -> None:
    token = hs256()
    assert (await sign_in(client, token)).status_code == 303
    other: Client = Client(transport=client._transport, base_url="http://acme.test")
    assert_refused(await sign_in(other, token), "already used")


async def test_used_token_ids_are_kept_until_they_expire(client: Client, hs_tenant: World) -> None:
    async with hs_tenant.unit() as session:
        await hs_tenant.scope(session, "acme")
        past = utcnow() - timedelta(minutes=5)
        session.add(UsedTokenId(jti_hash="0" * 64, expires_at=past))
    await sign_in(client, hs256())
    async with hs_tenant.unit() as session:
        await hs_tenant.scope(session, "acme")
        kept = list(await session.scalars(select(UsedTokenId.expires_at)))
    assert len(kept) == 1 and kept[0] > utcnow()  # the expired one went, the new one stays


async def test_a_disabled_tenant_refuses_tokens(
    client: Client, world: World, settings: Settings
) -> None:
    await configure(world, settings.secret_key, enabled=False)
    assert_refused(await sign_in(client, hs256()), "not enabled")


async def test_an_unverified_email_cannot_take_an_account_over(
    client: Client, hs_tenant: World
) -> None:
    await hs_tenant.member("acme", "dana@example.com")
    response = await sign_in(client, hs256(email_verified=False))
    assert_refused(response, "has not verified this email address", 403)
    async with hs_tenant.unit() as session:
        assert await session.scalar(select(func.count()).select_from(MemberIdentity)) == 0


async def test_a_verified_email_links_only_after_the_password(
    client: Client, hs_tenant: World
) -> None:
    await hs_tenant.member("acme", "dana@example.com")
    page = await sign_in(client, hs256(), return_to="/ideas")
    assert page.status_code == 200
    assert "dana@example.com" in page.text and "Link your account" in page.text
    key = page.text.split('name="key" value="')[1].split('"')[0]
    assert key not in str(page.url)  # kept on the server, carried by the form only
    wrong = await client.post("/auth/token/confirm", data={"key": key, "password": "nope-nope"})
    assert wrong.status_code == 422
    assert "Wrong email or password." in wrong.text
    right = await client.post("/auth/token/confirm", data={"key": key, "password": PASSWORD})
    assert right.status_code == 303 and right.headers["location"] == "/ideas"
    assert 'data-testid="viewer-name">Dana<' in (await client.get("/")).text
    again = await client.post("/auth/token/confirm", data={"key": key, "password": PASSWORD})
    assert_refused(again, "expired or was already used")
    # Linked: the next token signs in at once.
    assert (await sign_in(client, hs256())).status_code == 303


async def test_sign_in_attempts_are_limited_per_address(client: Client, hs_tenant: World) -> None:
    for _ in range(30):
        await sign_in(client, "not.a.token")
    response = await sign_in(client, hs256())
    assert response.status_code == 429
    assert "Retry-After" in response.headers


# ---- RS256 and the brand's JWKS ----------------------------------------------------------------


async def test_rs256_tokens_verify_against_the_brands_jwks(
    client: Client, world: World, settings: Settings
) -> None:
    key = rsa_key("k1")
    with serve_jwks([key]) as jwks:
        await configure(world, settings.secret_key, algorithm=RS256, jwks_url=jwks.url)
        assert (await sign_in(client, rs256(key))).status_code == 303
        assert (await sign_in(client, rs256(key))).status_code == 303
        assert jwks.fetches == 1  # kept, not fetched per token
        forged = rs256(rsa_key("k1"))  # another key that claims the same kid
        assert_refused(await sign_in(client, forged), "signature is wrong")


async def test_an_unknown_kid_refetches_at_most_once_a_minute(
    client: Client, world: World, settings: Settings
) -> None:
    clock = [1000.0]
    token_verify.JWKS.clock = lambda: clock[0]
    old, new = rsa_key("old"), rsa_key("new")
    try:
        with serve_jwks([old]) as jwks:
            await configure(world, settings.secret_key, algorithm=RS256, jwks_url=jwks.url)
            assert (await sign_in(client, rs256(old))).status_code == 303
            jwks.keys.append(new)  # the brand rotates its keys
            assert_refused(await sign_in(client, rs256(new)), "key this community does not know")
            assert jwks.fetches == 1  # not again within the minute
            clock[0] += 61
            assert (await sign_in(client, rs256(new))).status_code == 303
            assert jwks.fetches == 2
            assert_refused(await sign_in(client, rs256(rsa_key("x"))), "does not know")
            assert jwks.fetches == 2
    finally:
        token_verify.JWKS.clock = time.monotonic


async def test_an_hs256_token_made_with_the_public_key_is_refused(
    client: Client, world: World, settings: Settings
) -> None:
    key = rsa_key("k1")
    with serve_jwks([key]) as jwks:
        await configure(world, settings.secret_key, algorithm=RS256, jwks_url=jwks.url)
        # joserfc will not sign with a public key as an HMAC secret: an attacker's code would.
        header, payload = _part({"alg": "HS256", "kid": "k1"}), _part(claims())
        mac = hmac.new(key.as_pem(private=False), f"{header}.{payload}".encode(), "sha256")
        confused = f"{header}.{payload}.{_b64(mac.digest())}"
        assert_refused(await sign_in(client, confused), "algorithm this community does not")
        assert jwks.fetches == 0


async def test_an_hs256_tenant_refuses_rs256_tokens(client: Client, hs_tenant: World) -> None:
    assert_refused(await sign_in(client, rs256(rsa_key("k1"))), "algorithm this community does")


async def test_unreachable_keys_are_a_503_not_a_refusal_of_the_member(
    client: Client, world: World, settings: Settings
) -> None:
    await configure(
        world, settings.secret_key, algorithm=RS256, jwks_url="http://127.0.0.1:9/jwks.json"
    )
    response = await sign_in(client, rs256(rsa_key("k1")))
    assert response.status_code == 503
    assert "public keys could not be read" in response.text
