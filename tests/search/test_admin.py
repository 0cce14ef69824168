"""The admin's search settings page: synonyms and stop words, checked, saved and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.identity.models import Role
from community.moderation.models import AuditEntry
from community.search import service as search
from community.search.port import SearchQuery
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


@pytest.fixture
async def admin(client: Client, world: World) -> Client:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await client.login("boss@example.com")
    return client


async def found_titles(world: World, text: str) -> list[str]:
    async with world.unit() as session:
        results = await search.search(await world.scope(session, "acme"), SearchQuery(text=text))
    return [hit.title for hit in results.hits]


@pytest.mark.parametrize(
    ("field", "typed", "problem"),
    [
        ("synonyms", "wifi, wi-fi\nbox", "Line 2: a group needs at least two words"),
        ("synonyms", "wifi, " + "w" * 51, "is longer than 50 characters"),
        ("synonyms", "wifi, ---", "Line 1: each synonym needs a letter or a digit."),
        ("synonyms", "\n".join(f"a{n}, b{n}" for n in range(201)), "At most 200 groups"),
        ("synonyms", "a\x00b, c", "Remove the control characters"),
        ("stop_words", "bonjour, " + "x" * 31, "is longer than 30 characters"),
        ("stop_words", ", ".join(f"w{n}" for n in range(301)), "At most 300 stop words"),
    ],
)
async def test_bad_words_are_shown_again_with_the_problem_marked(
    admin: Client, field: str, typed: str, problem: str
) -> None:
    form = {"synonyms": "box, routeur", "stop_words": "bonjour"} | {field: typed}
    answer = await admin.submit("/admin/search", form)
    assert answer.status_code == 422
    assert problem in answer.text
    assert 'aria-invalid="true"' in answer.text
    if "\x00" not in typed:
        assert typed.split("\n")[0] in answer.text, "what was typed is kept"


async def test_a_saved_synonym_makes_wifi_find_wi_fi(admin: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.thread("acme", ann, title="Wi-Fi drops when the microwave runs")
    await world.thread("acme", ann, title="Mon routeur redémarre la nuit")
    assert "Mon routeur redémarre la nuit" not in await found_titles(world, "box")

    saved = await admin.submit(
        "/admin/search",
        {"synonyms": "wifi, wi-fi\nbox, routeur\n\nrésilier, annuler", "stop_words": "bonjour"},
    )
    assert saved.status_code == 303
    page = await admin.get(saved.headers["location"])
    assert "Saved." in page.text
    assert "wifi, wi-fi\nbox, routeur\nrésilier, annuler</textarea>" in page.text
    assert "Wi-Fi drops when the microwave runs" in await found_titles(world, "wifi")
    assert "Mon routeur redémarre la nuit" in await found_titles(world, "box")

    async with world.unit() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "search.settings")
        )
    assert entry is not None
    assert entry.after == {
        "synonyms": ["wifi, wi-fi", "box, routeur", "résilier, annuler"],
        "stop_words": ["bonjour"],
    }


async def test_only_admins_change_the_search_settings(client: Client, world: World) -> None:
    assert (await client.get("/admin/search")).status_code in (302, 303, 401)
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    await client.login("mod@example.com")
    assert (await client.get("/admin/search")).status_code == 403
    refused = await client.submit("/admin/search", {"synonyms": "a, b", "stop_words": ""})
    assert refused.status_code == 403
