"""The Content-Security-Policy in a real browser: the pages and the API documentation work
under it (the `browser` fixture fails a test on any refusal in the console), the theme's
inline style is applied by its nonce, and anything else inline is refused."""

from __future__ import annotations

import pytest

from community.forums import services as forums
from community.identity.models import Member
from tests.conftest import World
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.anyio


async def test_pages_work_under_the_policy(browser, live_server: str, world: World) -> None:
    await world.tenant("brand", domain="brand.localhost", background="#102030")
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Where is the reset button?")
    async with world.unit() as session:
        await forums.reply(
            await world.scope(session, "acme", await session.get(Member, ann.id)), thread.id,
            "See ![the back](/static/css/parvis.css) and ![a photo](https://elsewhere.example/p.jpg)",
        )  # fmt: skip
    base, path = f"http://{live_server}", f"/t/{thread.id}/{thread.slug}"

    page = await log_in(browser, base, "ann@example.com", path)
    assert await page.locator("a", has_text="image: a photo").count() == 1
    await page.get_by_label("Your reply").fill("A reply sent by htmx.")
    await page.get_by_role("button", name="Post reply").click()
    await page.locator("article.post", has_text="A reply sent by htmx.").wait_for()
    await page.wait_for_function("document.getElementById('reply-body').value === ''")
    new_reply = page.locator("article.post", has_text="A reply sent by htmx.")
    page.once("dialog", lambda dialog: dialog.dismiss())
    await new_reply.get_by_role("button", name="Delete").click()  # asked, and refused
    assert await new_reply.count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    await new_reply.get_by_role("button", name="Delete").click()
    await page.wait_for_load_state()
    await new_reply.wait_for(state="detached")
    for other in ("/", "/ideas", "/leaderboard", "/badges", "/ask", "/notifications", "/nope"):
        await page.goto(f"{base}{other}")

    themed = await browser.new_page()
    await themed.goto(f"http://brand.localhost:{live_server.split(':')[1]}/")
    colour = await themed.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colour == "rgb(16, 32, 48)", "the theme's nonce'd <style> was applied"


async def test_the_api_documentation_renders_from_parvis_alone(browser, live_server: str) -> None:
    page = await browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    await page.goto(f"http://{live_server}/schema")
    await page.locator(".swagger-ui .info .title", has_text="Parvis API").wait_for()
    await page.locator(".opblock-tag", has_text="threads").first.wait_for()
    assert requested and all(url.startswith(f"http://{live_server}/") for url in requested)


async def test_an_inline_style_without_the_nonce_is_refused(
    browser, live_server: str, world: World
) -> None:
    page = await browser.new_page()
    await page.goto(f"http://{live_server}/")
    refused = await page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective));
            const style = document.createElement("style");
            style.textContent = "body { display: none }";
            document.head.append(style);
        })"""
    )
    assert refused.startswith("style-src")
    assert await page.locator("body").is_visible()
    # The watcher saw it too: proof that it would fail a test; this one was on purpose.
    assert any("style" in violation for violation in browser.violations)
    browser.violations.clear()
