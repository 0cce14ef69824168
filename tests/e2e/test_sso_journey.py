"""A customer signs in with the brand's identity provider in a browser, then logs out of both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from community.identity.models import Role
from tests.conftest import World
from tests.oidc.conftest import configure
from tests.oidc.provider import client, running_provider

pytestmark = pytest.mark.anyio


async def test_sign_in_with_the_provider_see_the_name_and_log_out(
    browser: Any, live_server: str, world: World, tmp_path: Path
) -> None:
    base = f"http://{live_server}"
    with running_provider([client("acme", base)], tmp_path / "provider.log") as provider:
        admin = await world.member("acme", "admin@example.com", Role.ADMIN)
        await configure(world, "acme", admin, provider.issuer)
        page = await browser.new_page()
        await page.goto(f"{base}/login?next=/ideas")
        await page.get_by_role("link", name="Sign in with Northwind ID").click()

        await page.wait_for_url(f"{provider.issuer}/interaction/**")
        await page.locator("input[name=login]").fill("alice")
        await page.locator("input[name=password]").fill("any password")
        await page.get_by_role("button", name="Sign-in").click()
        await page.get_by_role("button", name="Continue").click()  # the provider's consent

        await page.wait_for_url(f"{base}/ideas")
        assert await page.get_by_test_id("viewer-name").inner_text() == "Alice Martin"

        await page.get_by_role("button", name="Log out").click()  # then on to the provider
        await page.wait_for_url(f"{provider.issuer}/session/end**")
        await page.get_by_role("button", name="Yes, sign me out").click()
        await page.wait_for_url(f"{base}/")
        assert await page.get_by_test_id("viewer-name").count() == 0
        assert await page.get_by_role("link", name="Log in").count() == 1
