"""Registering, logging in and out, and the protections around them."""

import pytest

from community.identity.models import Role
from tests.conftest import PASSWORD, Client, World

pytestmark = pytest.mark.anyio

NEW_MEMBER = {"email": "Nina@Example.com", "display_name": "Nina", "password": "long-enough-1"}


async def test_register_logs_the_new_member_in(client: Client) -> None:
    response = await client.submit("/register", NEW_MEMBER | {"next": "/ask"})
    assert response.status_code == 303
    assert response.headers["location"] == "/ask"
    page = await client.get("/ask")
    assert page.status_code == 200
    assert 'data-testid="viewer-name">Nina<' in page.text


async def test_register_with_a_taken_email_reshows_the_form(client: Client, world: World) -> None:
    await world.member("acme", "nina@example.com")
    response = await client.submit("/register", NEW_MEMBER)
    assert response.status_code == 422
    assert "An account with this email already exists." in response.text
    assert 'value="Nina@Example.com"' in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("password", "short", "Your password must be at least 8 characters long."),
        ("display_name", " ", "Your name must be 2 to 80 characters long."),
    ],
)
async def test_register_rejects_bad_input(
    client: Client, field: str, value: str, message: str
) -> None:
    response = await client.submit("/register", NEW_MEMBER | {field: value})
    assert response.status_code == 422
    assert message in response.text


async def test_login_with_a_wrong_password_is_refused(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    response = await client.submit("/login", {"email": "ann@example.com", "password": "wrong-one"})
    assert response.status_code == 422
    assert "Wrong email or password." in response.text
    unknown = await client.submit("/login", {"email": "who@example.com", "password": PASSWORD})
    assert "Wrong email or password." in unknown.text


async def test_login_then_logout(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    assert 'data-testid="viewer-name">Ann<' in (await client.get("/")).text
    out = await client.submit("/logout", {})
    assert out.status_code == 303
    assert 'data-testid="viewer-name"' not in (await client.get("/")).text


async def test_login_never_redirects_off_site(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = await client.submit(
            "/login", {"email": "ann@example.com", "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/"


async def test_unsafe_requests_without_csrf_token_are_refused(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.get("/login")  # gets the CSRF cookie
    no_token = await client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert no_token.status_code == 403
    assert "Reload the page and try again" in no_token.text
    forged = await client.post(
        "/login", data={"email": "ann@example.com", "password": PASSWORD, "_csrf_token": "forged"}
    )
    assert forged.status_code == 403
    api = await client.post(
        "/api/v1/threads", json={"category": "general", "title": "t", "body": "b"}
    )
    assert api.status_code == 403
    assert api.json()["detail"]


async def test_pages_for_members_send_guests_to_login(client: Client) -> None:
    response = await client.get("/ask")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/ask"


LOOKS_LIKE_STAFF = "This name looks like the name of a member of the team: choose another."
NAME_TAKEN = "This name is taken, or looks too much like another member&#39;s: choose another."


@pytest.mark.parametrize(
    "name",
    [
        "Julien",
        "JULIEN",
        "julien",
        "JuIien",
        "\u0408ulien",
        "Ｊｕｌｉｅｎ",
        "Jul\u200bien",
        "\u202eJulien",
    ],
)
async def test_a_name_confusable_with_a_moderators_is_refused(
    client: Client, world: World, name: str
) -> None:
    moderator = await world.member("acme", "julien@example.com", Role.MODERATOR)
    assert moderator.display_name == "Julien"
    response = await client.submit("/register", NEW_MEMBER | {"display_name": name})
    assert response.status_code == 422
    assert LOOKS_LIKE_STAFF in response.text


async def test_a_name_confusable_with_another_members_is_refused(
    client: Client, world: World
) -> None:
    await world.member("acme", "nina@elsewhere.example")  # "Nina@Elsewhere.Example" → "Nina"
    response = await client.submit("/register", NEW_MEMBER | {"display_name": "N\u0456na"})
    assert response.status_code == 422
    assert NAME_TAKEN in response.text
    other_community = await world.member("globex", "someone@example.com")
    assert other_community.display_name == "Someone"
    fine = await client.submit("/register", NEW_MEMBER | {"display_name": "Someone"})
    assert fine.status_code == 303, "another community's names do not count"


async def test_a_display_name_is_stored_as_a_reader_sees_it(client: Client) -> None:
    response = await client.submit(
        "/register", NEW_MEMBER | {"display_name": " Ｎｉｎａ\u200d  B\u202e "}
    )
    assert response.status_code == 303
    assert 'data-testid="viewer-name">Nina B<' in (await client.get("/")).text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Nina\x00", "Remove the control characters (such as NUL) from this text."),
        ("\u200b\u200c\u2066\u2069\ufeff", "Your name must be 2 to 80 characters long."),
        ("?!…", "Write a name with letters or digits in it."),
    ],
)
async def test_a_display_name_needs_visible_letters(
    client: Client, name: str, message: str
) -> None:
    response = await client.submit("/register", NEW_MEMBER | {"display_name": name})
    assert response.status_code == 422
    assert message in response.text
