"""The activity feed and the Atom feeds of categories and tags."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from tests.conftest import Client, World

pytestmark = pytest.mark.anyio
ATOM = "{http://www.w3.org/2005/Atom}"


async def test_the_activity_page_lists_questions_and_answers_newest_first(
    world: World, client: Client
) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.thread("acme", ann, title="Router keeps rebooting", replies=1)
    await world.thread(
        "globex", await world.member("globex", "gina@example.com"), title="Secret globex plans"
    )
    page = await client.get("/activity")
    assert page.status_code == 200
    listed = page.text[page.text.index('data-testid="activity"') :]
    assert listed.index("Ann answered") < listed.index("Ann asked")
    assert "Router keeps rebooting" in listed and "Secret globex" not in page.text
    mine = await client.get(f"/u/{ann.id}/activity")
    assert "Ann asked" in mine.text


async def test_a_category_has_a_valid_atom_feed_linked_from_its_page(
    world: World, client: Client
) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.thread("acme", ann, title="Billing <twice> & more", category="billing")
    await world.thread("acme", ann, title="Not billing")
    page = await client.get("/c/billing")
    assert 'type="application/atom+xml"' in page.text and "/c/billing/feed.atom" in page.text
    feed = await client.get("/c/billing/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    assert root.tag == f"{ATOM}feed"
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["Billing <twice> & more"]
    [entry] = root.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id", "").startswith("http://acme.test/t/")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ann"
    assert (await client.get("/c/nowhere/feed.atom")).status_code == 404
