"""A question goes to the contact centre and comes back answered, in a real browser.

The contact centre is the local stand-in (`ContactCentre`) on 127.0.0.1: it takes the signed
case from the live server's in-process job, and its agent answers with real signed HTTP
callbacks into that server. The tenant lives on a `*.localhost` domain, so the callback URL
in the case (http://<domain>:<port>) reaches the live server, as in `parvis demo`.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from community.demo.contact_centre import Case, ContactCentre
from community.escalation.adapters.registry import new_signing_secret, validate_target
from community.escalation.models import EscalationTarget, TargetKind
from community.identity.models import Role
from tests.conftest import TEST_OUTBOUND, World
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.anyio

TITLE = "My router's light blinks orange since this morning"
NOTE = "Gold customer, working from home: please call them back today."
AGENT = "Alex from Support"
ANSWER = "Your line was moved to a new exchange. **Restart the router**: it takes 5 minutes."


async def _target(world: World, tenant_id: int, centre: ContactCentre) -> None:
    values = {"url": f"{centre.url}/webhook", "signing_secret": centre.secret}
    settings, credentials, errors = await validate_target(TargetKind.WEBHOOK, values, TEST_OUTBOUND)
    assert not errors
    async with world.unit() as session:
        session.add(
            EscalationTarget(
                tenant_id=tenant_id, name="Stand-in", kind=TargetKind.WEBHOOK, settings=settings,
                credentials=credentials, callback_secret=centre.callback_secret,
            )
        )  # fmt: skip


async def _arrived(centre: ContactCentre, title: str) -> Case:
    """The case for the thread once the stand-in has it and its acknowledgement was sent."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        case = next((c for c in centre.cases() if c.payload.thread_title == title), None)
        if case is not None and case.callbacks:
            return case
        await asyncio.sleep(0.05)
    raise AssertionError(f"no case for {title!r} at the stand-in: {centre.attempts()}")


async def test_an_escalated_question_comes_back_answered_and_resolved(
    browser, live_server: str, world: World
) -> None:
    port = live_server.rsplit(":", 1)[1]
    tenant_id = await world.tenant("help", domain="help.localhost")
    base = f"http://help.localhost:{port}"
    await world.member("help", "ann@example.com")
    await world.member("help", "mod@example.com", Role.MODERATOR)
    with ContactCentre(new_signing_secret(), new_signing_secret()) as centre:
        await _target(world, tenant_id, centre)

        # A member asks a question.
        asker = await log_in(browser, base, "ann@example.com", "/ask")
        await asker.get_by_label("Category").select_option("general")
        await asker.get_by_label("Title").fill(TITLE)
        await asker.get_by_label("Your message").fill("It worked yesterday. What does it mean?")
        await asker.get_by_role("button", name="Post your question").click()
        await asker.wait_for_url(f"{base}/t/**")
        thread_path = asker.url.removeprefix(base)

        # A moderator escalates it from the thread page, with a note: no reload.
        mod = await log_in(browser, base, "mod@example.com", thread_path)
        await mod.evaluate("window.__sameDocument = true")
        await mod.get_by_text("Escalate to customer service").click()
        await mod.get_by_label("Note for the agent").fill(NOTE)
        await mod.get_by_role("button", name="Escalate", exact=True).click()
        status = mod.get_by_test_id("escalation-status")
        await status.wait_for()
        assert "Escalated to customer service" in await status.inner_text()
        assert await mod.evaluate("window.__sameDocument === true"), "the page was reloaded"
        assert await mod.get_by_label("Note for the agent").count() == 0

        # The case arrives at the contact centre, which acknowledges it.
        case = await _arrived(centre, TITLE)
        assert case.payload.note == NOTE and case.payload.rules == ["manual"]
        assert case.payload.asker.email == "ann@example.com"
        assert case.payload.callback_url.startswith(f"{base}/hooks/contact-centre/")
        assert [(c.type, c.status) for c in case.callbacks] == [("case.acknowledged", 200)]
        await mod.reload()
        assert "Case open" in await mod.get_by_test_id("escalation-status").inner_text()

        # The agent replies: the asker sees the official answer and a notification.
        assert await asyncio.to_thread(centre.reply, case.id, AGENT, ANSWER) == 200
        await asker.reload()
        official = asker.locator("article.post").filter(has=asker.locator(".mark-official"))
        assert await official.count() == 1
        answer = await official.inner_text()
        assert "Customer service" in answer and AGENT in answer
        assert "Restart the router" in await official.locator("strong").last.inner_text()
        # The bell counts it (beside any badge the asker earned on the way); the page says it.
        unread = asker.get_by_test_id("notifications").locator(".count")
        assert int((await unread.inner_text()).split()[0]) >= 1
        await asker.get_by_test_id("notifications").click()
        await asker.wait_for_url(f"{base}/notifications")
        assert (
            f"Customer service answered your question “{TITLE}”"
            in await asker.locator("main").inner_text()
        )

        # The agent resolves the case: the thread is resolved, the case listed as such.
        assert await asyncio.to_thread(centre.resolve, case.id) == 200
        await asker.goto(f"{base}{thread_path}")
        assert await asker.locator(".thread-head .mark-certified").count() == 1
        await mod.reload()
        assert "Resolved" in await mod.get_by_test_id("escalation-status").inner_text()
        await mod.goto(f"{base}/mod/escalations?status=resolved")
        row = mod.get_by_test_id("escalations").locator("tbody tr").filter(has_text=TITLE)
        assert await row.count() == 1
        assert "Resolved" in await row.inner_text() and case.id in await row.inner_text()
        await mod.goto(f"{base}/mod/escalations?status=open")
        assert TITLE not in await mod.get_by_test_id("escalations").inner_text()
