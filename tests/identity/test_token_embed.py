"""Inside a brand's iframe: the tenant's embed origins may frame it, and a token sign-in made
in a frame gets a session cookie that works there (SameSite=None; Secure; Partitioned)."""

from __future__ import annotations

import pytest

from community.config import Settings
from community.tenancy.embedding import embed_origins, parse_origins
from tests.conftest import Client, World
from tests.identity.tokens import configure, hs256

pytestmark = pytest.mark.anyio

BRAND = "https://www.acme.example"
IN_A_FRAME = {"Sec-Fetch-Dest": "iframe"}


@pytest.fixture
async def embeddable(world: World, settings: Settings) -> World:
    await configure(world, settings.secret_key, origins=[BRAND, "http://127.0.0.1:8123"])
    return world


def cookie_of(response_headers: list[str], name: str) -> str:
    return next(value for value in response_headers if value.startswith(f"{name}="))


async def test_a_sign_in_in_a_frame_gets_the_third_party_cookie(
    client: Client, embeddable: World
) -> None:
    response = await client.get("/auth/token", params={"jwt": hs256()}, headers=IN_A_FRAME)
    assert response.status_code == 303
    cookie = cookie_of(response.headers.get_list("set-cookie"), "parvis_embed_session")
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    assert "parvis_session=" not in response.headers.get("set-cookie", "")
    # The session works with that cookie, and a form in the frame gets a CSRF cookie that
    # the frame can send back.
    client.cookies.set("parvis_embed_session", client.cookies["parvis_embed_session"])
    page = await client.get("/ask")
    assert 'data-testid="viewer-name">Dana Brand<' in page.text
    csrf = cookie_of(page.headers.get_list("set-cookie"), "csrftoken")
    assert "SameSite=None" in csrf and "Partitioned" in csrf


async def test_a_top_level_sign_in_keeps_the_first_party_cookie(
    client: Client, embeddable: World
) -> None:
    response = await client.get("/auth/token", params={"jwt": hs256()})
    cookie = cookie_of(response.headers.get_list("set-cookie"), "parvis_session")
    assert "SameSite=lax" in cookie and "Partitioned" not in cookie


async def test_a_tenant_without_embed_origins_never_sets_the_third_party_cookie(
    client: Client, world: World, settings: Settings
) -> None:
    await configure(world, settings.secret_key)
    response = await client.get("/auth/token", params={"jwt": hs256()}, headers=IN_A_FRAME)
    assert "parvis_session=" in response.headers["set-cookie"]
    assert "Partitioned" not in response.headers["set-cookie"]


async def test_logging_out_in_the_frame_ends_the_embedded_session(
    client: Client, embeddable: World
) -> None:
    await client.get("/auth/token", params={"jwt": hs256()}, headers=IN_A_FRAME)
    out = await client.submit("/logout", {})
    assert out.status_code == 303
    assert 'data-testid="viewer-name"' not in (await client.get("/")).text


async def test_frame_ancestors_list_the_embed_origins(
    client: Client, client_for: object, embeddable: World
) -> None:
    embedded = (await client.get("/")).headers
    assert (
        f"frame-ancestors 'self' {BRAND} http://127.0.0.1:8123"
        in embedded["content-security-policy"]
    )
    assert "x-frame-options" not in embedded
    other: Client = client_for("globex.test")  # type: ignore[operator]
    alone = (await other.get("/")).headers
    assert alone["content-security-policy"].endswith("frame-ancestors 'self'")
    assert alone["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("https://shop.example\nhttps://www.example.com:8443/", None),
        ("http://shop.example", "is not an origin"),  # plain http only for loopback hosts
        ("https://shop.example/path", "is not an origin"),
        ("https://shop.example; script-src *", "is not an origin"),
        ("'unsafe-inline'", "is not an origin"),
        ("https://*.example", "is not an origin"),
        ("http://brand.localhost:8001 http://127.0.0.1:9000", None),
    ],
)
def test_origins_are_checked(typed: str, problem: str | None) -> None:
    origins, error = parse_origins(typed)
    if problem is None:
        assert error is None and origins
    else:
        assert error is not None and problem in error and origins == []


def test_a_hand_edited_preference_cannot_widen_the_policy() -> None:
    stored = {"embed": {"origins": ["https://ok.example", "* 'unsafe-inline'", 7]}}
    assert embed_origins(stored) == ("https://ok.example",)
