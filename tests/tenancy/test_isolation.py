"""A member of one tenant can never read or change another tenant's rows."""

import pytest

from community.identity.models import Role
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def test_threads_of_another_tenant_are_not_found(client_for, world: World) -> None:
    author = await world.member("globex", "gina@example.com")
    secret = await world.thread("globex", author, title="Globex internal pricing question")
    acme = client_for("acme.test")
    assert (await acme.get(f"/t/{secret.id}/{secret.slug}")).status_code == 404
    assert (await acme.get(f"/api/v1/threads/{secret.id}")).status_code == 404
    listing = (await acme.get("/api/v1/threads")).json()
    assert all(item["id"] != secret.id for item in listing["items"])
    assert "Globex internal pricing" not in (await acme.get("/")).text


async def test_cannot_reply_to_or_edit_another_tenants_posts(client_for, world: World) -> None:
    gina = await world.member("globex", "gina@example.com")
    secret = await world.thread("globex", gina, title="Globex internal pricing question")
    await world.member("acme", "mallory@example.com", Role.ADMIN)
    acme = client_for("acme.test")
    await acme.login("mallory@example.com")
    reply = await acme.submit(f"/t/{secret.id}/reply", {"body": "I got in!"})
    assert reply.status_code == 404
    api_reply = await acme.api_post(f"/api/v1/threads/{secret.id}/posts", {"body": "I got in!"})
    assert api_reply.status_code == 404
    edit = await acme.submit(f"/p/{secret.id}/edit", {"body": "defaced"})
    assert edit.status_code == 404
    globex_view = await client_for("globex.test").get(f"/api/v1/threads/{secret.id}")
    assert [p["body_html"] for p in globex_view.json()["posts"]] == [
        "<p>Body of <strong>Globex internal pricing question</strong></p>\n"
    ]


async def test_a_session_from_one_tenant_is_anonymous_on_another(client_for, world: World) -> None:
    await world.member("acme", "ann@example.com")
    acme = client_for("acme.test")
    await acme.login("ann@example.com")
    assert 'data-testid="viewer-name">Ann<' in (await acme.get("/")).text
    globex = client_for("globex.test")
    globex.cookies.update(acme.cookies)
    page = await globex.get("/")
    assert 'data-testid="viewer-name"' not in page.text
    assert (await globex.get("/ask")).status_code == 303


async def test_the_same_email_is_a_separate_member_in_each_tenant(client_for, world: World) -> None:
    for host in ("acme.test", "globex.test"):
        browser = client_for(host)
        response = await browser.submit(
            "/register",
            {"email": "same@example.com", "display_name": "Same", "password": "password-123"},
        )
        assert response.status_code == 303, response.text
    acme = client_for("acme.test")
    wrong = await acme.submit("/login", {"email": "same@example.com", "password": "nope-nope"})
    assert wrong.status_code == 422
