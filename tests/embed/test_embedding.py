"""The brand's side of embedding: /embed.js, the admin's page of snippets, pages shown in a
frame, and the cookies a guest gets there (CSRF still enforced)."""

from __future__ import annotations

import pytest

from community.config import Settings
from community.identity.models import Role
from tests.conftest import PASSWORD, Client, World
from tests.identity.tokens import configure

pytestmark = pytest.mark.anyio

BRAND = "https://www.acme.example"
IN_A_FRAME = {"Sec-Fetch-Dest": "iframe"}


@pytest.fixture
async def embeddable(world: World, settings: Settings) -> World:
    await configure(world, settings.secret_key, origins=[BRAND])
    return world


def cookie_of(response_headers: list[str], name: str) -> str:
    return next(value for value in response_headers if value.startswith(f"{name}="))


async def test_embed_js_is_a_script_kept_for_an_hour(client: Client, world: World) -> None:
    response = await client.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert "data-parvis-path" in response.text and "event.origin !== community" in response.text


async def test_a_page_asked_for_the_embed_drops_the_chrome_and_names_its_partners(
    client: Client, embeddable: World
) -> None:
    framed = (await client.get("/", params={"embed": "1"})).text
    assert 'class="brand-scope embedded"' in framed
    assert f'<meta name="parvis-embed-origins" content="{BRAND}">' in framed
    assert "/static/js/embed-frame.js" in framed
    in_frame = (await client.get("/leaderboard", headers=IN_A_FRAME)).text
    assert 'class="brand-scope embedded"' in in_frame  # the frame's next pages too
    own = (await client.get("/")).text
    assert "embedded" not in own and "embed-frame.js" not in own


async def test_a_guest_in_a_brand_frame_gets_a_csrf_cookie_the_frame_sends_back(
    client: Client, embeddable: World
) -> None:
    framed = await client.get("/login", headers=IN_A_FRAME)
    csrf = cookie_of(framed.headers.get_list("set-cookie"), "csrftoken")
    assert "SameSite=None" in csrf and "Secure" in csrf and "Partitioned" in csrf
    top = await client.get("/login")  # the community's own tab: first-party, Lax
    assert "Partitioned" not in cookie_of(top.headers.get_list("set-cookie"), "csrftoken")


async def test_a_password_sign_in_inside_the_frame_gets_the_embedded_session(
    client: Client, embeddable: World
) -> None:
    member = await embeddable.member("acme", "ann@example.com")
    token = await client.ensure_csrf()
    response = await client.post(
        "/login", headers=IN_A_FRAME,
        data={"_csrf_token": token, "email": member.email, "password": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 303
    cookie = cookie_of(response.headers.get_list("set-cookie"), "parvis_embed_session")
    assert "SameSite=None" in cookie and "Partitioned" in cookie
    # Without the token the frame's form is refused, as anywhere.
    refused = await client.post("/logout", headers=IN_A_FRAME, data={})
    assert refused.status_code == 403


async def test_a_tenant_without_embed_origins_is_never_framed(client: Client, world: World) -> None:
    response = await client.get("/embed/widgets/questions", headers=IN_A_FRAME)
    assert response.headers["content-security-policy"].endswith("frame-ancestors 'self'")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    csrf = cookie_of(response.headers.get_list("set-cookie"), "csrftoken")
    assert "Partitioned" not in csrf


async def test_the_admin_page_shows_the_snippets_and_the_allowed_sites(
    client: Client, embeddable: World
) -> None:
    admin = await embeddable.member("acme", "ada@example.com", Role.ADMIN)
    await client.login(admin.email)
    page = await client.get("/admin/embed", params={"category": "billing", "board": "nope"})
    assert page.status_code == 200
    text = page.text
    assert "&lt;script src=&#34;http://acme.test/embed.js&#34; data-parvis-path=&#34;/&#34;" in text
    assert "data-parvis-path=&#34;/embed/widgets/questions?category=billing&#34;" in text
    assert 'src="/embed/widgets/ideas"' in text  # an unknown board is dropped
    assert f"<code>{BRAND}</code>" in text
    assert 'href="/admin/sso/token#origins"' in text
    assert 'data-testid="admin-nav"' in text


async def test_members_cannot_see_the_admin_page(client: Client, world: World) -> None:
    member = await world.member("acme", "ann@example.com")
    await client.login(member.email)
    assert (await client.get("/admin/embed")).status_code == 403
