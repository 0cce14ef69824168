"""Signing in with the tenant's OpenID provider, end to end through HTTP."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from community.escalation import services as escalations
from community.identity.external import MemberIdentity
from community.identity.models import Member, Role
from community.oidc.discovery import discover
from community.oidc.flow import SignInRefused, verify_id_token
from community.oidc.models import OidcSession, SsoAttempt
from tests.conftest import PASSWORD, TEST_OUTBOUND, Client, World
from tests.escalation.support import add_webhook_target, contact_centre
from tests.oidc.conftest import configure
from tests.oidc.provider import Provider, through_provider

pytestmark = pytest.mark.anyio


async def start(client: Client, return_to: str = "/c/general") -> str:
    answer = await client.get(f"/auth/oidc/start?return_to={return_to}")
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


async def sign_in(client: Client, login: str = "alice", return_to: str = "/c/general") -> str:
    """Start on the community, sign in at the provider; returns the callback URL reached."""
    callback = await through_provider(await start(client, return_to), login)
    assert callback.startswith("http://acme.test/auth/oidc/callback?"), callback
    return callback


async def member_by_email(world: World, email: str) -> Member:
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        found = await session.scalar(scope.select(Member).where(Member.email == email))
        assert found is not None
        return found


async def test_the_sign_in_page_offers_the_provider(client: Client, acme_sso: Provider) -> None:
    page = await client.get("/login?next=/ideas")
    assert "Sign in with Northwind ID" in page.text
    assert 'href="/auth/oidc/start?return_to=/ideas"' in page.text


async def test_a_customer_signs_in_and_their_claims_land_on_the_member_and_the_case(
    client: Client, world: World, acme_sso: Provider
) -> None:
    authorize = await start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    callback = await through_provider(authorize)
    answer = await client.get(callback.removeprefix("http://acme.test"))
    assert answer.status_code == 303 and answer.headers["location"] == "/c/general"
    home = await client.get("/")
    assert "Alice Martin" in home.text  # signed in, under the provider's name
    alice = await member_by_email(world, "alice@northwind.example")
    assert (alice.customer_id, alice.customer_tier) == ("NW-1001", "gold")
    assert alice.password_hash == "" and alice.email_verified_at is not None
    async with world.unit() as session:
        assert await session.scalar(select(SsoAttempt.id)) is None  # used, so gone

    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", alice, title="My gold plan stopped working")
    with contact_centre() as centre:
        await add_webhook_target(world, "acme", centre)
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, moderator.id))
            await escalations.escalate_by_hand(scope, thread.id, "Gold customer, call back")
        [case] = centre.cases()
    assert case.payload.asker.customer_id == "NW-1001" and case.payload.asker.tier == "gold"
    assert case.payload.asker.name == "Alice Martin"
    assert case.payload.priority_label == "urgent"


async def test_a_used_state_is_refused_the_second_time(
    client: Client, world: World, acme_sso: Provider
) -> None:
    path = (await sign_in(client)).removeprefix("http://acme.test")
    assert (await client.get(path)).status_code == 303
    again = await client.get(path)
    assert again.status_code == 400
    assert "unknown, expired or already used" in again.text


async def test_a_tampered_or_missing_state_is_refused(
    client: Client, world: World, acme_sso: Provider
) -> None:
    callback = await sign_in(client)
    query = parse_qs(urlsplit(callback).query)
    tampered = query["state"][0][:-2] + ("AA" if not query["state"][0].endswith("AA") else "BB")
    answer = await client.get(f"/auth/oidc/callback?code={query['code'][0]}&state={tampered}")
    assert answer.status_code == 400 and "already used" in answer.text
    missing = await client.get(f"/auth/oidc/callback?code={query['code'][0]}")
    assert missing.status_code == 400
    async with world.unit() as session:
        assert await session.scalar(select(Member.id).where(Member.password_hash == "")) is None


async def test_an_answer_from_another_issuer_is_refused(
    client: Client, world: World, acme_sso: Provider
) -> None:
    callback = await sign_in(client)
    assert f"iss={acme_sso.issuer}".replace(":", "%3A").replace("/", "%2F") in callback
    mixed_up = callback.replace("iss=http", "iss=https").removeprefix("http://acme.test")
    answer = await client.get(mixed_up)
    assert answer.status_code == 400 and "did not sign you in: iss" in answer.text
    async with world.unit() as session:
        assert await session.scalar(select(MemberIdentity.id)) is None


async def test_an_error_from_the_provider_is_shown(client: Client, acme_sso: Provider) -> None:
    state = parse_qs(urlsplit(await start(client)).query)["state"][0]
    answer = await client.get(
        f"/auth/oidc/callback?state={state}&error=access_denied&error_description=User+said+no"
    )
    assert answer.status_code == 400 and "User said no" in answer.text


async def test_a_nonce_that_does_not_match_is_refused(
    client: Client, world: World, acme_sso: Provider
) -> None:
    callback = await sign_in(client)
    async with world.unit() as session:
        await session.execute(update(SsoAttempt).values(nonce="another-nonce"))
    answer = await client.get(callback.removeprefix("http://acme.test"))
    assert answer.status_code == 400 and "identity token" in answer.text
    assert "nonce" in answer.text
    async with world.unit() as session:
        assert await session.scalar(select(MemberIdentity.id)) is None


async def test_a_token_for_another_client_is_refused_by_the_other_tenant(
    client: Client, world: World, acme_sso: Provider
) -> None:
    """Globex trusts the same provider with its own client: acme's ID token is not for it."""
    callback = await sign_in(client)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    async with world.unit() as session:
        nonce = (await session.scalars(select(SsoAttempt.nonce))).one()
    async with httpx.AsyncClient(trust_env=False) as http:
        metadata = await discover(TEST_OUTBOUND, acme_sso.issuer)
        token = await http.post(
            metadata.token_endpoint,
            data={"grant_type": "authorization_code", "code": code,
                  "redirect_uri": "http://acme.test/auth/oidc/callback",
                  "code_verifier": (await _verifier(world))},
            auth=("parvis-acme", "acme-client-secret"),
        )  # fmt: skip
    id_token = token.json()["id_token"]
    claims = await verify_id_token(TEST_OUTBOUND, metadata, "parvis-acme", id_token, nonce)
    assert claims["aud"] == "parvis-acme"
    with pytest.raises(SignInRefused, match="aud"):
        await verify_id_token(TEST_OUTBOUND, metadata, "parvis-globex", id_token, nonce)


async def _verifier(world: World) -> str:
    async with world.unit() as session:
        return (await session.scalars(select(SsoAttempt.code_verifier))).one()


async def test_a_tenant_whose_client_the_code_is_not_for_refuses_it(
    client_for: object, world: World, acme_sso: Provider
) -> None:
    admin = await world.member("globex", "admin@example.com", Role.ADMIN)
    await configure(world, "globex", admin, acme_sso.issuer)
    acme, globex = client_for("acme.test"), client_for("globex.test")  # type: ignore[operator]
    code = parse_qs(urlsplit(await sign_in(acme)).query)["code"][0]
    state = parse_qs(urlsplit(await start(globex)).query)["state"][0]
    answer = await globex.get(f"/auth/oidc/callback?code={code}&state={state}")
    assert answer.status_code == 400 and "a refusé le code de connexion" in answer.text  # in French
    async with world.unit() as session:
        assert await session.scalar(select(MemberIdentity.id)) is None


async def test_an_existing_account_is_linked_after_its_password_confirms_it(
    client: Client, world: World, acme_sso: Provider
) -> None:
    ann = await world.member("acme", "ann@example.com")
    callback = await sign_in(client, login="ann")  # ann@example.com, verified by the provider
    page = await client.get(callback.removeprefix("http://acme.test"))
    assert page.status_code == 200 and "ann@example.com" in page.text
    assert "Password of the existing account" in page.text
    token = page.text.split('name="token" value="')[1].split('"')[0]
    wrong = await client.submit("/auth/oidc/link", {"token": token, "password": "not it at all"})
    assert wrong.status_code == 422 and "Wrong email or password" in wrong.text
    done = await client.submit("/auth/oidc/link", {"token": token, "password": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/c/general"
    async with world.unit() as session:
        identity = (await session.scalars(select(MemberIdentity))).one()
    assert identity.member_id == ann.id and identity.subject == "ann"
    replay = await client.submit("/auth/oidc/link", {"token": token, "password": PASSWORD})
    assert replay.status_code == 400


async def test_an_unverified_email_does_not_take_an_account_over(
    client: Client, world: World, acme_sso: Provider
) -> None:
    await world.member("acme", "ann@example.com")
    callback = await sign_in(client, login="unverified")  # claims ann@example.com, unverified
    answer = await client.get(callback.removeprefix("http://acme.test"))
    assert answer.status_code == 403 and "has not verified this email" in answer.text


async def test_logout_ends_the_provider_session_too(
    client: Client, world: World, acme_sso: Provider
) -> None:
    await client.get((await sign_in(client)).removeprefix("http://acme.test"))
    async with world.unit() as session:
        kept = (await session.scalars(select(OidcSession))).one()
    answer = await client.submit("/logout", {})
    assert answer.status_code == 200 and "You are signed out of this community" in answer.text
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', answer.text)
    assert found, answer.text
    end_session = html.unescape(found[1])
    assert f'href="{found[1]}"' in answer.text  # without the refresh: a link to follow
    target = urlsplit(end_session)
    assert f"{target.scheme}://{target.netloc}" == acme_sso.issuer
    assert target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [kept.id_token]
    assert query["post_logout_redirect_uri"] == ["http://acme.test/"]
    assert "Alice Martin" not in (await client.get("/")).text
    async with world.unit() as session:
        assert await session.scalar(select(OidcSession.id)) is None
    back = await through_provider(end_session)
    assert back == "http://acme.test/"  # the provider accepted the hint and came back


async def test_a_password_login_still_just_logs_out_here(
    client: Client, world: World, acme_sso: Provider
) -> None:
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    answer = await client.submit("/logout", {})
    assert answer.headers["location"] == "/"
