"""What a person does in a browser: register, ask, reply and see the reply appear in place."""

import asyncio

import pytest

from community.forums import services as forums
from community.identity.models import Role
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def test_register_ask_and_reply_without_a_reload(
    browser, live_server: str, world: World
) -> None:
    page = await browser.new_page()
    base = f"http://{live_server}"
    await page.goto(f"{base}/register")
    await page.get_by_label("Your name").fill("Robin")
    await page.get_by_label("Email").fill("robin@example.com")
    await page.get_by_label("Password").fill("a-long-password")
    await page.get_by_role("button", name="Create account").click()
    await page.wait_for_url(f"{base}/")
    assert await page.get_by_test_id("viewer-name").inner_text() == "Robin"

    await page.get_by_role("link", name="Ask a question").first.click()
    await page.get_by_label("Category").select_option("billing")
    await page.get_by_label("Title").fill("Why did my bill go up this month?")
    await page.get_by_label("Your message").fill("It went from **20** to **35**.")
    await page.get_by_role("button", name="Post your question").click()
    await page.wait_for_url(f"{base}/t/**")
    assert (
        await page.get_by_role("heading", level=1).inner_text()
        == "Why did my bill go up this month?"
    )
    assert await page.locator("article.post strong").first.inner_text() == "20"

    await page.evaluate("window.__sameDocument = true")
    await page.get_by_label("Your reply").fill("Answering my own question: a *promo* ended.")
    await page.get_by_role("button", name="Post reply").click()
    reply = page.locator("article.post").nth(1)
    await reply.wait_for()
    assert "a promo ended" in await reply.inner_text()
    assert await page.evaluate("window.__sameDocument === true"), "the page was not reloaded"
    assert "#p" in page.url, "the address points at the new reply"
    assert await page.get_by_label("Your reply").input_value() == ""

    await page.reload()
    assert await page.locator("article.post").count() == 2


async def test_replying_works_without_javascript(browser, live_server: str, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Does this work with scripts off?")
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    base = f"http://{live_server}"
    await page.goto(f"{base}/login?next=/t/{thread.id}/{thread.slug}")
    await page.get_by_label("Email").fill("ann@example.com")
    await page.get_by_label("Password").fill("correct horse battery")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{base}/t/{thread.id}/{thread.slug}")
    await page.get_by_label("Your reply").fill("Yes, plain forms work.")
    await page.get_by_role("button", name="Post reply").click()
    await page.wait_for_url(f"{base}/t/{thread.id}/{thread.slug}#p*")
    assert "Yes, plain forms work." in await page.locator("article.post").nth(1).inner_text()
    await context.close()


async def log_in(browser, base: str, email: str, next_path: str):
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/login?next={next_path}")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("correct horse battery")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{base}{next_path}")
    return page


async def test_vote_accept_and_certify_are_seen_by_the_answerer(
    browser, live_server: str, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    await world.member("acme", "carol@example.com")
    await world.member("acme", "eve@example.com", Role.EXPERT)
    thread = await world.thread("acme", ann, title="My router drops Wi-Fi every evening")
    async with world.unit() as session:
        answer = await forums.reply(
            await world.scope(session, "acme", bob), thread.id, "Change the channel."
        )
    base, path = f"http://{live_server}", f"/t/{thread.id}/{thread.slug}"

    carol = await log_in(browser, base, "carol@example.com", path)
    await carol.evaluate("window.__sameDocument = true")
    await carol.locator(f"#p{answer.id} .vote-up").click()
    await carol.get_by_test_id(f"score-{answer.id}").filter(has_text="1").wait_for()
    assert await carol.evaluate("window.__sameDocument === true"), "voting did not reload the page"

    asker = await log_in(browser, base, "ann@example.com", path)
    await asker.get_by_role("button", name="Accept this answer").click()
    await asker.get_by_test_id("accepted-banner").wait_for()

    expert = await log_in(browser, base, "eve@example.com", path)
    await expert.locator(f"#p{answer.id} summary", has_text="Certify").click()
    await expert.get_by_label("Note (optional)").fill("Verified by our network team")
    await expert.get_by_role("button", name="Certify this answer").click()
    await expert.get_by_test_id("certified-banner").wait_for()

    answerer = await log_in(browser, base, "bob@example.com", path)
    banner = await answerer.get_by_test_id("certified-banner").inner_text()
    assert "Eve" in banner and "Verified by our network team" in banner
    assert await answerer.get_by_test_id("accepted-banner").count() == 1
    assert await answerer.get_by_test_id(f"score-{answer.id}").inner_text() == "1"
    await answerer.get_by_test_id("viewer-name").click()
    # 1 (first post of the day) + 10 (upvote) + 15 (accepted) + 25 (certified)
    assert await answerer.get_by_test_id("reputation").inner_text() == "51"
    assert "Contributor" in await answerer.locator(".profile-head").inner_text()


async def test_a_voter_sees_the_moderator_plan_the_idea(
    browser, live_server: str, world: World
) -> None:
    from community.forums.models import CategoryKind
    from community.ideas import services as ideas

    ann = await world.member("acme", "ann@example.com")
    await world.member("acme", "vic@example.com")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    async with world.unit() as session:
        await forums.create_category(
            await world.scope(session, "acme"), slug="ideas", name="Ideas", kind=CategoryKind.IDEAS
        )
        idea = await ideas.create_idea(
            await world.scope(session, "acme", await session.merge(ann)), board="ideas",
            title="Dark mode for the customer area", body="Easier on the eyes at night.",
        )  # fmt: skip
    base, path = f"http://{live_server}", f"/ideas/{idea.id}"

    voter = await log_in(browser, base, "vic@example.com", path)
    await voter.get_by_role("button", name="Vote for this idea").click()
    await voter.get_by_test_id(f"idea-votes-{idea.id}").filter(has_text="1").wait_for()
    assert await voter.get_by_role("button", name="Withdraw my vote").count() == 1

    moderator = await log_in(browser, base, "mod@example.com", path)
    await moderator.get_by_label("New status").select_option("planned")
    await moderator.get_by_label("Official response").fill("Planned for the spring release.")
    await moderator.get_by_role("button", name="Publish the decision").click()
    await moderator.get_by_test_id("official-response").wait_for()

    notice = voter.get_by_role("link", name="“Dark mode for the customer area” is now: Planned")
    for _ in range(40):  # the notification is written by a background job
        await voter.goto(f"{base}/notifications")
        if await notice.count():
            break
        await asyncio.sleep(0.25)
    await notice.click()
    await voter.wait_for_url(f"{base}{path}")
    assert "Planned" in await voter.locator(".idea-head").inner_text()
    assert (
        "Planned for the spring release."
        in await voter.get_by_test_id("official-response").inner_text()
    )


async def test_a_flag_is_rejected_inline_and_the_author_is_told(
    browser, live_server: str, world: World
) -> None:
    from community.tenancy.models import Tenant
    from tests.conftest import TRUSTING

    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        tenant.preferences = {"moderation": TRUSTING | {"flag_threshold": 1}}
    ann = await world.member("acme", "ann@example.com")
    sam = await world.member("acme", "sam@example.com")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    thread = await world.thread("acme", ann, title="Which plan for a family of four?")
    async with world.unit() as session:
        spam = await forums.reply(
            await world.scope(session, "acme", sam), thread.id, "Buy cheap watches!"
        )
    base, path = f"http://{live_server}", f"/t/{thread.id}/{thread.slug}"

    flagger = await log_in(browser, base, "ann@example.com", path)
    await flagger.locator(f"#p{spam.id} summary", has_text="Flag").click()
    await flagger.get_by_label("Spam").check()
    await flagger.get_by_role("button", name="Send the flag").click()
    await flagger.get_by_text("Thank you: the moderators will look at it.").wait_for()

    moderator = await log_in(browser, base, "mod@example.com", "/mod/queue")
    item = moderator.locator(".queue-item", has_text="Buy cheap watches!")
    await item.get_by_placeholder("Reason for the author (needed to reject)").fill(
        "Advertising is not allowed."
    )
    await moderator.evaluate("window.__sameDocument = true")
    await item.get_by_role("button", name="Reject").click()
    await moderator.get_by_text("Done: rejected.").wait_for()
    assert await moderator.evaluate("window.__sameDocument === true"), "the queue was reloaded"

    author = await log_in(browser, base, "sam@example.com", "/notifications")
    await author.get_by_text("Your post was rejected: Advertising is not allowed.").wait_for()
    await author.goto(f"{base}{path}")
    mark = await author.get_by_test_id(f"visibility-{spam.id}").inner_text()
    assert "Rejected by a moderator" in mark and "Advertising is not allowed." in mark
    assert "Buy cheap watches!" not in await flagger.evaluate(
        f"fetch('{path}').then(r => r.text())"
    ), "the public no longer sees the rejected post"
