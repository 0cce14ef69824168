"""In a browser: similar answered questions appear while a question's title is typed, and
the one that helps is marked as having solved the problem."""

import pytest

from community.identity.models import Role
from tests.conftest import World
from tests.deflection.test_deflection import resolved_question
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.anyio


async def test_typing_a_title_on_ask_shows_similar_answered_questions(
    browser, live_server: str, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com", Role.EXPERT)
    await resolved_question(world, ann, bob, "My router drops the connection every evening")
    await world.member("acme", "cat@example.com")
    base = f"http://{live_server}"
    page = await log_in(browser, base, "cat@example.com", "/ask")

    await page.get_by_label("Title").press_sequentially("rooter drops conection", delay=20)
    suggestions = page.get_by_test_id("similar-questions")
    await suggestions.wait_for()
    link = suggestions.get_by_role("link", name="My router drops the connection every evening")
    assert "Resolved" in await suggestions.inner_text()

    await link.click()
    await page.wait_for_url(f"{base}/t/**?suggested=*")
    await page.get_by_role("button", name="This solved my problem").click()
    await page.get_by_text("Thank you! We are glad this answered your question.").wait_for()
