"""Unsubscribing without logging in: the link in the mail, and the mail provider's POST."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Client, World
from tests.mail_server import MailServer, link_in
from tests.mailing import notify_member, preferences

pytestmark = pytest.mark.anyio
ANN = "ann@example.com"


async def test_the_link_in_the_mail_asks_then_unsubscribes_from_that_kind(
    mailing: World, client: Client, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    await notify_member(mailing, ann)
    [mail] = mail_server.received(to=ANN)
    link = link_in(mail, "/mail/unsubscribe/")
    page = await client.get(link)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and 'data-testid="unsubscribe"' in page.text
    assert (await preferences(mailing, ann)).choices == {}
    done = await client.post(link)  # the button: no session, no CSRF token needed
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.text
    await notify_member(mailing, ann, text="Again")
    await notify_member(mailing, ann, kind="case_resolved")
    assert [m["Subject"].split(" ")[2] for m in mail_server.received(to=ANN)] == [
        "answered",
        "resolved",
    ]


async def test_the_one_click_post_of_rfc_8058_unsubscribes(
    mailing: World, client: Client, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    await notify_member(mailing, ann)
    [mail] = mail_server.received(to=ANN)
    url = mail["List-Unsubscribe"].strip("<>")
    async with httpx.AsyncClient(transport=client._transport, follow_redirects=False) as provider:
        answer = await provider.post(url, content=b"List-Unsubscribe=One-Click",
                                     headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 200
    assert (await preferences(mailing, ann)).choices == {"agent_reply": "never"}
    await notify_member(mailing, ann, text="Again")
    assert len(mail_server.received(to=ANN)) == 1


async def test_a_made_up_or_other_communitys_token_is_refused(
    mailing: World, client_for: object, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    await notify_member(mailing, ann)
    token = (await preferences(mailing, ann)).token
    globex: Client = client_for("globex.test")  # type: ignore[operator]
    assert (await globex.post(f"/mail/unsubscribe/{token}")).status_code == 404
    acme: Client = client_for("acme.test")  # type: ignore[operator]
    assert (await acme.post("/mail/unsubscribe/not-a-token")).status_code == 404
    assert (await preferences(mailing, ann)).choices == {}


async def test_members_choose_per_kind_and_a_bad_choice_is_marked(
    mailing: World, client: Client
) -> None:
    await mailing.member("acme", ANN)
    await client.login(ANN)
    page = await client.get("/account/notifications")
    assert 'data-testid="mail-agent_reply-immediate" checked' in page.text
    bad = await client.submit("/account/notifications", {"agent_reply": "hourly"})
    assert bad.status_code == 422 and 'id="mail-agent_reply-error"' in bad.text
    saved = await client.submit("/account/notifications", {"agent_reply": "weekly"})
    assert saved.status_code == 303
    page = await client.get("/account/notifications")
    assert 'data-testid="mail-agent_reply-weekly" checked' in page.text


async def test_the_api_reads_and_changes_the_choices(mailing: World, client: Client) -> None:
    await mailing.member("acme", ANN)
    await client.login(ANN)
    read = (await client.get("/api/v1/account/mail-preferences")).json()
    assert read["choices"]["agent_reply"] == "immediate" and read["address_failing"] is False
    token = await client.ensure_csrf()
    headers = {"x-csrftoken": token}
    bad = await client.put("/api/v1/account/mail-preferences",
                           json={"choices": {"agent_reply": "hourly"}}, headers=headers)  # fmt: skip
    assert bad.status_code == 422
    changed = await client.put("/api/v1/account/mail-preferences",
                               json={"choices": {"agent_reply": "daily"}}, headers=headers)  # fmt: skip
    assert changed.json()["choices"]["agent_reply"] == "daily"


async def test_the_page_says_when_the_address_is_refused(
    mailing: World, client: Client, mail_server: MailServer
) -> None:
    ann = await mailing.member("acme", ANN)
    mail_server.refuse(ANN)
    for n in range(3):
        await notify_member(mailing, ann, text=f"Question {n}")
    await client.login(ANN)
    page = await client.get("/account/notifications")
    assert 'data-testid="address-failing"' in page.text
    assert (await client.submit("/account/notifications/address", {})).status_code == 303
    assert 'data-testid="address-failing"' not in (await client.get("/account/notifications")).text
