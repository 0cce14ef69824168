"""A community manager makes an API key in the browser; the brand's CRM (httpx, over the
network, to the real server) uses it; the manager revokes it and the CRM is refused."""

from pathlib import Path

import httpx
import pytest

from community.identity.models import Role
from tests.conftest import Client, World
from tests.e2e.test_journeys import log_in
from tests.identity.test_api_keys import TOKEN

pytestmark = pytest.mark.anyio


def _loopback(live_server: str) -> str:
    """The server's socket: the browser resolves acme.localhost itself, httpx asks the
    system, which may not; the Host header names the community."""
    return f"http://127.0.0.1:{live_server.rsplit(':', 1)[1]}"


def _over_the_network(live_server: str, token: str) -> httpx.AsyncClient:
    headers = {"Host": live_server, "Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=_loopback(live_server), headers=headers)


async def test_a_key_made_on_the_page_works_with_httpx_until_revoked(
    browser, live_server: str, world: World, tmp_path: Path
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    base = f"http://{live_server}"
    page = await log_in(browser, base, "boss@example.com", "/admin/api-keys")

    await page.get_by_label("Name", exact=True).fill("CRM")
    await page.get_by_label("Read:").uncheck()  # no scope at all: the form says so
    await page.get_by_role("button", name="Make the key").click()
    await page.get_by_text("Choose at least one scope.").wait_for()
    assert await page.get_by_label("Name", exact=True).input_value() == "CRM"

    await page.get_by_label("Read:").check()
    await page.get_by_label("Write:").check()
    await page.get_by_role("button", name="Make the key").click()
    token = (await page.get_by_test_id("made-key-token").inner_text()).strip()
    assert token.startswith("pvk_")
    await page.screenshot(path=str(tmp_path / "api-keys-1280.png"), full_page=True)
    await page.set_viewport_size({"width": 375, "height": 800})
    token_box = await page.get_by_test_id("made-key-token").bounding_box()
    assert token_box is not None and token_box["x"] + token_box["width"] <= 375  # it wraps
    await page.screenshot(path=str(tmp_path / "api-keys-375.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 800})

    async with _over_the_network(live_server, token) as crm:
        asked = await crm.post(
            "/api/v1/threads",
            json={"category": "general", "title": "Order 1234 never arrived", "body": "Help"},
        )
        assert asked.status_code == 201, asked.text
        assert (await crm.get(f"/api/v1/threads/{asked.json()['id']}")).status_code == 200
        settings = await crm.get("/api/v1/admin/categories")
        assert settings.status_code == 403 and "“admin”" in settings.json()["detail"]

        await page.goto(f"{base}/admin/api-keys")  # shown once: a new visit shows the prefix
        assert token not in await page.content()
        row = page.get_by_test_id("api-key-row").first
        assert "read, write" in await row.inner_text()
        page.once("dialog", lambda dialog: dialog.accept())
        await page.get_by_role("button", name="Revoke CRM").click()
        await page.get_by_text("The key was revoked").wait_for()
        assert "revoked" in await page.get_by_test_id("api-key-row").first.inner_text()

        refused = await crm.get("/api/v1/threads")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")


async def test_the_same_journey_over_http_without_a_browser(live_server: str, world: World) -> None:
    """What a script of the brand's web team does: sign in, make a key on the page, use it."""
    await world.member("acme", "boss@example.com", Role.ADMIN)
    async with Client(base_url=_loopback(live_server), headers={"Host": live_server}) as admin:
        await admin.login("boss@example.com")
        made = await admin.submit("/admin/api-keys", {"name": "Warehouse", "scopes": ["read"]})
        assert made.status_code == 200, made.text
        match = TOKEN.search(made.text)
        assert match is not None
        token = match[1]
    async with _over_the_network(live_server, token) as wh:
        assert (await wh.get("/api/v1/threads")).status_code == 200
        written = await wh.post("/api/v1/threads", json={"title": "x"})
        assert written.status_code == 403 and "“write”" in written.json()["detail"]
