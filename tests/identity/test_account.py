"""The member's account by mail, against a real SMTP server: proving an address, resetting a
forgotten password, changing one's email and password, and the pages that refuse dead links."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select, update

from community.config import Settings
from community.db import utcnow
from community.identity.models import Member
from community.identity.tokens import AccountToken
from tests.conftest import PASSWORD, Client, World
from tests.ideas import run_jobs
from tests.identity.test_sessions import signed_in_as
from tests.mail_server import MailServer, html_of, link_in, smtp_settings, text_of

pytestmark = pytest.mark.anyio

NEW_MEMBER = {"email": "nina@example.com", "display_name": "Nina", "password": "long-enough-1"}


@pytest.fixture
def settings(settings: Settings, mail_server: MailServer) -> Settings:
    return smtp_settings(settings, mail_server)


async def member_named(world: World, email: str) -> Member:
    async with world.unit() as session:
        found = await session.scalar(select(Member).where(Member.email == email))
        assert found is not None
        return found


# ---- proving an address ---------------------------------------------------------------------


async def test_registering_mails_a_link_that_verifies_the_address(
    app: Litestar, client: Client, mail_server: MailServer, world: World
) -> None:
    assert (await client.submit("/register", NEW_MEMBER)).status_code == 303
    assert 'data-testid="verify-banner"' in (await client.get("/")).text
    await run_jobs(app)
    [message] = mail_server.received(to="nina@example.com")
    assert message["Subject"] == "Confirm your email address for Acme Community"
    assert message["From"].addresses[0].display_name == "Acme Community"
    assert "Hello Nina," in text_of(message)
    assert "Confirm my address" in html_of(message)

    page = await client.get(link_in(message, "/account/verify/"))
    assert page.status_code == 200
    assert "is proven to be yours" in page.text
    assert (await member_named(world, "nina@example.com")).email_verified_at is not None
    assert 'data-testid="verify-banner"' not in (await client.get("/")).text
    again = await client.get(link_in(message, "/account/verify/"))
    assert again.status_code == 410
    assert "used already" in again.text


async def test_a_french_community_mails_in_french(
    app: Litestar, client_for: Any, mail_server: MailServer, world: World
) -> None:
    globex: Client = client_for("globex.test")
    assert (await globex.submit("/register", NEW_MEMBER)).status_code == 303
    await run_jobs(app)
    [message] = mail_server.received(to="nina@example.com")
    assert message["Subject"] == "Confirmez votre adresse e-mail pour Globex Community"
    assert "Bonjour Nina," in text_of(message)


async def test_resending_the_link_is_limited(
    app: Litestar, client: Client, mail_server: MailServer
) -> None:
    await client.submit("/register", NEW_MEMBER)
    answers = [(await client.submit("/account/verify/resend", {})).status_code for _ in range(4)]
    assert answers == [303, 303, 303, 429]
    await run_jobs(app)
    assert len(mail_server.received(to="nina@example.com")) == 4  # registration + 3 resent


# ---- a forgotten password -------------------------------------------------------------------


def page_text(page: Any, typed: str) -> str:
    """The page as the visitor sees it, the address they typed and the CSP nonce set aside."""
    return re.sub(r'nonce="[^"]+"', "", page.text.replace(typed, "X@"))


async def ask_reset(client: Client, email: str) -> Any:
    return await client.submit("/password/forgot", {"email": email})


async def test_a_reset_link_sets_the_password_once_and_signs_everyone_else_out(
    app: Litestar, client: Client, client_for: Any, mail_server: MailServer, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    elsewhere: Client = client_for("acme.test")
    await elsewhere.login("ann@example.com")
    answer = await ask_reset(client, "Ann@Example.com")
    assert answer.status_code == 200
    assert 'data-testid="reset-sent"' in answer.text
    await run_jobs(app)
    [message] = mail_server.received(to="ann@example.com")
    link = link_in(message, "/password/reset/")

    form = await client.get(link)
    assert form.status_code == 200 and 'name="password"' in form.text
    short = await client.submit(link, {"password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    done = await client.submit(link, {"password": "a-brand-new-one"})
    assert done.status_code == 303
    assert signed_in_as(await client.get("/")) == "Ann"
    assert signed_in_as(await elsewhere.get("/")) is None, "the other session ended"

    reused = await client.submit(link, {"password": "yet-another-one"})
    assert reused.status_code == 410 and "used already" in reused.text
    assert (await client_for("acme.test").submit(
        "/login", {"email": "ann@example.com", "password": "a-brand-new-one"}
    )).status_code == 303  # fmt: skip
    old = await client_for("acme.test").submit(
        "/login", {"email": "ann@example.com", "password": PASSWORD}
    )
    assert old.status_code == 422


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    app: Litestar, client: Client, mail_server: MailServer, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    known = await ask_reset(client, "ann@example.com")
    unknown = await ask_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert page_text(known, "ann@") == page_text(unknown, "nobody@")
    await run_jobs(app)
    assert [m["To"] for m in mail_server.received()] == ["ann@example.com"]


async def test_reset_requests_are_limited_per_account_and_per_address(
    app: Litestar, client: Client, client_for: Any, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    per_account = [(await ask_reset(client, "ann@example.com")).status_code for _ in range(4)]
    assert per_account == [200, 200, 200, 429]
    other_account = await ask_reset(client, "bob@example.com")
    assert other_account.status_code == 200
    answers = [(await ask_reset(client, f"u{n}@example.com")).status_code for n in range(8)]
    assert answers[-1] == 429, "ten a hour from one address"
    assert "Retry-After" in (await ask_reset(client, "z@example.com")).headers


@pytest.mark.parametrize(
    "token", ["x" * 43, "A" * 43, "not-a-token", "a" * 500, "0" * 42 + "\u00e9"]
)
async def test_a_guessed_token_is_refused(client: Client, world: World, token: str) -> None:
    for path in ("/password/reset/", "/account/verify/", "/account/email/confirm/"):
        page = await client.get(path + token)
        assert page.status_code == 404, path
        assert "This link is not valid" in page.text
    posted = await client.submit(f"/password/reset/{token}", {"password": "long-enough-1"})
    assert posted.status_code == 404


async def test_an_expired_reset_link_says_so(
    app: Litestar, client: Client, mail_server: MailServer, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    await ask_reset(client, "ann@example.com")
    await run_jobs(app)
    async with world.unit() as session:
        await session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(1)))
    page = await client.get(link_in(mail_server.received()[0], "/password/reset/"))
    assert page.status_code == 410
    assert "This link has expired." in page.text
    assert 'href="/password/forgot"' in page.text


# ---- the account page -----------------------------------------------------------------------


async def test_changing_email_confirms_at_the_new_address_and_tells_the_old_one(
    app: Litestar, client: Client, mail_server: MailServer, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    wrong = await client.submit(
        "/account/email", {"email": "ann@new.example", "current_password": "not-it"}
    )
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.text
    assert 'value="ann@new.example"' in wrong.text
    asked = await client.submit(
        "/account/email", {"email": "Ann@New.Example", "current_password": PASSWORD}
    )
    assert asked.status_code == 303
    await run_jobs(app)
    [notice] = mail_server.received(to="ann@example.com")
    assert "ann@new.example" in text_of(notice)
    assert "/password/forgot" in text_of(notice)
    [confirm] = mail_server.received(to="ann@new.example")
    assert (await member_named(world, "ann@example.com")).email == "ann@example.com"

    done = await client.get(link_in(confirm, "/account/email/confirm/"))
    assert done.status_code == 200
    member = await member_named(world, "ann@new.example")
    assert member.email_verified_at is not None
    assert 'data-testid="account-email">ann@new.example<' in (await client.get("/account")).text


async def test_an_email_taken_in_the_community_is_refused(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    await world.member("globex", "carl@example.com")
    await client.login("ann@example.com")
    taken = await client.submit(
        "/account/email", {"email": "bob@example.com", "current_password": PASSWORD}
    )
    assert taken.status_code == 422
    assert "An account with this email already exists." in taken.text
    elsewhere = await client.submit(
        "/account/email", {"email": "carl@example.com", "current_password": PASSWORD}
    )
    assert elsewhere.status_code == 303, "another community's members do not count"


async def test_changing_password_signs_the_other_sessions_out(
    client: Client, client_for: Any, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    other: Client = client_for("acme.test")
    await other.login("ann@example.com")
    wrong = await client.submit(
        "/account/password", {"current_password": "nope-nope", "new_password": "a-new-one-9"}
    )
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    changed = await client.submit(
        "/account/password", {"current_password": PASSWORD, "new_password": "a-new-one-9"}
    )
    assert changed.status_code == 303
    assert signed_in_as(await client.get("/")) == "Ann", "this session stays"
    assert signed_in_as(await other.get("/")) is None


async def test_name_and_language_are_saved(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    await client.login("ann@example.com")
    same = await client.submit("/account/profile", {"display_name": "Ann", "locale": "fr"})
    assert same.status_code == 303, "one's own name is not a clash"
    page = await client.get("/account?done=profile")
    assert "Votre compte" in page.text and 'lang="fr"' in page.text
    taken = await client.submit("/account/profile", {"display_name": "B0b", "locale": "fr"})
    assert taken.status_code == 422
    assert 'value="B0b"' in taken.text and 'aria-invalid="true"' in taken.text
    bad = await client.submit("/account/profile", {"display_name": "Annie", "locale": "xx"})
    assert bad.status_code == 422
    renamed = await client.submit("/account/profile", {"display_name": "Annie", "locale": ""})
    assert renamed.status_code == 303
    assert signed_in_as(await client.get("/")) == "Annie"


async def test_the_account_page_asks_guests_to_log_in(client: Client) -> None:
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"
