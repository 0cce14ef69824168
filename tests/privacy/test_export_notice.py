"""Whoever downloads a member's archive, the member hears of it by mail, with the way back
into their account should it not have been them."""

from __future__ import annotations

import pytest
from litestar import Litestar

from community.config import Settings
from tests.conftest import Client, World
from tests.ideas import run_jobs
from tests.mail_server import MailServer, link_in, smtp_settings, text_of
from tests.privacy import EMAIL, build_life

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings, mail_server: MailServer) -> Settings:
    return smtp_settings(settings, mail_server)


async def test_a_member_downloading_their_archive_is_told_by_mail(
    world: World, client: Client, app: Litestar, mail_server: MailServer
) -> None:
    await build_life(world)
    await client.login(EMAIL)
    assert (await client.submit("/account/privacy/export", {})).status_code == 200
    await run_jobs(app)
    [notice] = mail_server.received(to=EMAIL)
    assert "was downloaded from your account" in text_of(notice)
    assert link_in(notice, "/password/forgot") == "/password/forgot"


async def test_an_admin_downloading_a_members_archive_tells_the_member(
    world: World, client: Client, app: Litestar, mail_server: MailServer
) -> None:
    life = await build_life(world)
    await client.login("admin@example.com")
    response = await client.get(f"/api/v1/admin/members/{life.member.id}/export")
    assert response.status_code == 200
    await run_jobs(app)
    [notice] = mail_server.received(to=EMAIL)
    assert "An administrator of" in text_of(notice)
    assert mail_server.received(to="admin@example.com") == []
