"""What a person does in a browser: register, ask, reply and see the reply appear in place."""

import pytest

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
