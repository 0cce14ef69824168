"""Members hear back: the asker's bell counts an answer without a reload and leads to it; the
answerer is told of the certification; a mention (chosen from the suggestions) notifies."""

from dataclasses import replace

import pytest

from community.config import Settings
from community.identity.models import Member, Role
from community.qa import services as qa
from tests.conftest import World
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The bell asks every second, so the test need not wait half a minute."""
    return replace(settings, bell_poll_seconds=1)


async def test_the_asker_hears_of_the_answer_and_the_answerer_of_its_certification(
    browser, live_server: str, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    await world.member("acme", "carol@example.com")
    eve = await world.member("acme", "eve@example.com", Role.EXPERT)
    thread = await world.thread("acme", ann, title="My router drops Wi-Fi every evening")
    base, path = f"http://{live_server}", f"/t/{thread.id}/{thread.slug}"

    asker = await log_in(browser, base, "ann@example.com", path)
    await asker.goto(f"{base}/notifications")
    await asker.get_by_test_id("mark-all-read").click()  # the first question's badge
    await asker.goto(f"{base}{path}")
    await asker.evaluate("window.__sameDocument = true")

    bob = await log_in(browser, base, "bob@example.com", path)
    body = bob.locator("#reply-body")
    await body.fill("Change the channel, and ask @Car")
    await bob.get_by_role("option", name="Carol (@Carol)").wait_for()
    await body.press("Enter")
    assert await body.input_value() == "Change the channel, and ask @Carol "
    await body.press_sequentially("too.")
    await bob.get_by_role("button", name="Post reply").click()
    await bob.get_by_text("ask @Carol too.").wait_for()
    answer_id = int((await bob.locator("article.post").last.get_attribute("id") or "p0")[1:])

    await asker.get_by_test_id("unread-count").filter(has_text="1").wait_for()
    assert await asker.evaluate("window.__sameDocument === true"), "the bell reloaded the page"
    await asker.get_by_test_id("notifications").click()
    await asker.get_by_role("link", name="New answer to your question").click()
    await asker.wait_for_url(f"{base}{path}#p{answer_id}")
    assert await asker.get_by_test_id("unread-count").count() == 0

    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, eve.id))
        await qa.certify(scope, answer_id, "Checked")
    await bob.goto(f"{base}/notifications")
    certified = bob.get_by_role(
        "link", name="Your answer to “My router drops Wi-Fi every evening” was certified"
    )
    await certified.wait_for()
    assert "Eve" in await bob.get_by_test_id("notification").filter(has=certified).inner_text()

    carol = await log_in(browser, base, "carol@example.com", "/notifications")
    await carol.get_by_role("link", name="You were mentioned in").click()
    await carol.wait_for_url(f"{base}{path}#p{answer_id}")
    profile = carol.locator(f"#p{answer_id} a", has_text="@Carol")
    assert (await profile.get_attribute("href") or "").startswith("/u/")
