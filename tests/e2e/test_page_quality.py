"""Every page is valid HTML (the W3C Nu checker) and passes axe's WCAG 2.1 A/AA rules.

Both tools come from the npm registry (vnu-jar, axe-core); `.ci/run` installs them into
.ci/node_modules. Elsewhere these tests are skipped, saying how to get the tools.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from community.escalation import services as escalations
from community.escalation.adapters.registry import new_signing_secret, validate_target
from community.escalation.models import EscalationTarget, TargetKind
from community.forums import services as forums
from community.forums.models import CategoryKind, Thread
from community.ideas import services as ideas
from community.identity.models import Member, Role
from community.mailing.preferences import preferences_of
from community.tags import services as tags
from community.tenancy.models import Tenant
from tests.conftest import TEST_OUTBOUND, World

pytestmark = pytest.mark.anyio

TOOLS = Path(
    os.environ.get("PARVIS_NODE_TOOLS", Path(__file__).parents[2] / ".ci" / "node_modules")
)
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
INSTALL = "npm install --prefix .ci vnu-jar@26.9 axe-core@4.14 (and a Java runtime)"


async def community_with_everything(world: World) -> dict[str, str]:
    """A thread with answers, an idea, a queue item, an escalation; returns the pages to check
    (those named admin-… for an admin, the others for a moderator)."""
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    thread = await world.thread("acme", ann, title="How do I reset my router?")
    async with world.unit() as session:
        tenant_id = world.tenants["acme"]
        scope = await world.scope(session, "acme", bob)
        await forums.reply(scope, thread.id, "Hold **reset** for 10 s.")
        await forums.create_category(scope, slug="ideas", name="Ideas", kind=CategoryKind.IDEAS)
        general = await forums.get_category(scope, "general")
        staff = await world.scope(session, "acme", await session.get(Member, mod.id))
        await tags.create_tag(staff, "Wi-Fi")
        idea = await ideas.create_idea(
            scope.acting_as(await session.get(type(ann), ann.id)), board="ideas",
            title="Dark mode for the app", body="Please.",
        )  # fmt: skip
        tenant = await session.get(Tenant, tenant_id)
        assert tenant is not None
        tenant.preferences = {"moderation": {"premoderate_first_posts": 5}}
    async with world.unit() as session:
        await forums.reply(
            await world.scope(session, "acme", bob), thread.id, "Call 06 12 34 56 78"
        )
    escalated, escalation_id, target_id = await escalated_thread(world, ann, mod)
    async with world.unit() as session:
        mail_token = (await preferences_of(await world.scope(session, "acme"), bob.id)).token
    return {
        "home": "/",
        "category": "/c/general",
        "thread": f"/t/{thread.id}/{thread.slug}",
        "ask": "/ask",
        "ideas": "/ideas",
        "idea": f"/ideas/{idea.id}",
        "new-idea": "/ideas/new",
        "roadmap": "/roadmap",
        "leaderboard": "/leaderboard",
        "badges": "/badges",
        "profile": f"/u/{bob.id}",
        "queue": "/mod/queue",
        "notifications": "/notifications",
        "following": "/account/following",
        "category-notifications": "/c/general/notifications",
        "moderator": f"/u/{mod.id}",
        "escalated-thread": f"/t/{escalated.id}/{escalated.slug}",
        "escalations": "/mod/escalations",
        "escalations-failed": "/mod/escalations?status=failed",
        "escalation": f"/mod/escalations/{escalation_id}",
        "admin-escalation": "/admin/escalation",
        "admin-dashboard": "/admin/dashboard?period=7",
        "admin-escalation-target": f"/admin/escalation/targets/{target_id}",
        "privacy": "/account/privacy",
        "avatar": "/account/avatar",
        "admin-member-privacy": f"/admin/members/{bob.id}/privacy",
        "search": "/search?q=router",
        "search-empty": "/search?q=zzqxv",
        "tags": "/tags",
        "tag": "/tags/wi-fi",
        "tag-notifications": "/tags/wi-fi/notifications",
        "admin-category": f"/admin/categories/{general.id}",
        "mail-preferences": "/account/notifications",
        "unsubscribe": f"/mail/unsubscribe/{mail_token}?kind=agent_reply",
        "activity": "/activity",
        "member-activity": f"/u/{ann.id}/activity",
        "admin-embed": "/admin/embed",
        "widget-questions": "/embed/widgets/questions",
        "widget-certified": "/embed/widgets/certified",
        "widget-ask": "/embed/widgets/ask?q=reset+router",
        "widget-ideas": "/embed/widgets/ideas",
        "embedded-thread": f"/t/{thread.id}/{thread.slug}?embed=1",
    }


async def escalated_thread(world: World, asker: Member, mod: Member) -> tuple[Thread, int, int]:
    """A thread escalated by hand to a contact centre that never answers: its delivery failed
    (the pages show the error and a retry button). Returns it, the escalation's and the
    target's ids."""
    thread = await world.thread("acme", asker, title="My bill doubled without warning")
    values = {"url": "http://127.0.0.1:9/webhook", "signing_secret": new_signing_secret()}
    settings, credentials, _ = await validate_target(TargetKind.WEBHOOK, values, TEST_OUTBOUND)
    async with world.unit() as session:
        target = EscalationTarget(
            tenant_id=world.tenants["acme"], name="Support desk", kind=TargetKind.WEBHOOK,
            settings=settings, credentials=credentials, callback_secret=new_signing_secret(),
        )  # fmt: skip
        session.add(target)
        scope = await world.scope(session, "acme", await session.get(Member, mod.id))
        escalation = await escalations.escalate_by_hand(
            scope, thread.id, "Call them back today, please."
        )
    return thread, escalation.id, target.id


ADMIN_PAGES = {
    "admin-scoring": "/admin/scoring",
    "admin-moderation": "/admin/moderation",
    "admin-members": "/admin/members",
    "admin-audit": "/admin/audit",
    "account": "/account",
    "admin-tags": "/admin/tags",
    "admin-search": "/admin/search",
    "admin-deflection": "/admin/deflection",
    "admin-sso": "/admin/sso",
    "admin-sso-token": "/admin/sso/token",
    "admin-brand": "/admin/brand",
    "admin-categories": "/admin/categories",
    "admin-domains": "/admin/domains",
}


@pytest.mark.skipif(not (VNU.exists() and shutil.which("java")), reason=f"needs {INSTALL}")
async def test_pages_are_valid_html(client, world: World, tmp_path: Path) -> None:
    pages = await community_with_everything(world)
    anonymous = {"login": "/login", "register": "/register", "not-found": "/nope",
                 "forgot": "/password/forgot"}  # fmt: skip
    files = []
    for name, path in anonymous.items():
        files.append(_save(tmp_path, name, (await client.get(path)).text))
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await client.login("boss@example.com")
    for name, path in (pages | ADMIN_PAGES).items():
        response = await client.get(path)
        assert response.status_code == 200, path
        files.append(_save(tmp_path, name, response.text))
    checker = await asyncio.create_subprocess_exec(
        "java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, report = await asyncio.wait_for(checker.communicate(), timeout=300)
    messages = json.loads(report or b'{"messages": []}')["messages"]
    problems = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert not problems, "\n".join(problems)


def _save(folder: Path, name: str, html: str) -> Path:
    path = folder / f"{name}.html"
    path.write_text(html)
    return path


@pytest.mark.skipif(not AXE.exists(), reason=f"needs {INSTALL}")
async def test_pages_pass_axe_wcag_checks(browser, live_server: str, world: World) -> None:
    from tests.e2e.test_journeys import log_in

    pages = await community_with_everything(world)
    await world.member("acme", "boss@example.com", Role.ADMIN)
    base = f"http://{live_server}"
    failures = []
    for email, admin in (("mod@example.com", False), ("boss@example.com", True)):
        page = await log_in(browser, base, email, "/")
        for name, path in pages.items():
            if name.startswith("admin-") == admin:
                failures += await _axe(page, name, f"{base}{path}")
    assert not failures, "\n".join(failures)


async def _axe(page, name: str, url: str) -> list[str]:
    response = await page.goto(url)
    assert response.ok, f"{name}: {response.status}"
    # Evaluated, not added as a <script>: the page's Content-Security-Policy refuses inline scripts.
    await page.evaluate(AXE.read_text() + "\n;0")
    result = await page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"]}})"""
    )
    assert result["passes"], f"axe checked nothing on {name}"
    return [
        f"{name}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
