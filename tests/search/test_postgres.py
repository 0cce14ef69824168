"""The PostgreSQL engine on a real PostgreSQL: misspellings, accents, synonyms, weights,
filters, snippets that are safe to show, and one tenant's documents only."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from community.db import create_engine
from community.search.port import SearchDocument, SearchQuery, SearchSettings, SearchSort
from community.search.postgres import PostgresEngine
from tests.conftest import World, requires_postgres

pytestmark = [pytest.mark.anyio, requires_postgres]

WHEN = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def doc(tenant_id: int, thread_id: int, title: str, body: str = "", **given: Any) -> SearchDocument:
    fields: dict[str, Any] = {
        "tenant_id": tenant_id, "thread_id": thread_id, "title": title, "slug": f"t-{thread_id}",
        "kind": "question", "category_id": 1, "body": body, "answers": "", "best_answers": "",
        "tags": (), "resolved": False, "certified": False, "score": 0,
        "created_at": WHEN, "updated_at": WHEN,
    }  # fmt: skip
    return SearchDocument(**{**fields, **given})


@pytest.fixture
async def engine(database_url: str, world: World) -> AsyncIterator[PostgresEngine]:
    database = create_engine(database_url)
    yield PostgresEngine(database)
    await database.dispose()


@pytest.fixture
async def support(engine: PostgresEngine, world: World) -> dict[str, int]:
    """Globex (French) and Acme (English) support threads."""
    fr, en = world.tenants["globex"], world.tenants["acme"]
    await engine.index([
        doc(fr, 1, "Mon routeur coupe le Wi-Fi toutes les nuits",
            "Depuis la mise à jour, la connexion tombe vers 2 h.", resolved=True),
        doc(fr, 2, "Résiliation de l'abonnement", "Comment résilier mon contrat ?",
            best_answers="Allez dans Mon compte, puis Résilier."),
        doc(fr, 3, "Facture incorrecte en mars", "Ma facture est trop élevée."),
        doc(en, 10, "Refund for a cancelled order", "I cancelled my order and want a refund."),
        doc(en, 11, "Router keeps dropping the connection", "Every night the router drops."),
        doc(en, 12, "Where is my order?", "Shipped two weeks ago, still not here."),
    ])  # fmt: skip
    return {"fr": fr, "en": en}


async def found(engine: PostgresEngine, tenant_id: int, text: str, **query: Any) -> list[int]:
    locale = "fr" if tenant_id == 2 else "en"
    results = await engine.search(tenant_id, SearchQuery(text=text, **query), locale=locale)
    return [hit.thread_id for hit in results.hits]


@pytest.mark.parametrize(
    ("tenant", "text", "expected"),
    [
        ("fr", "rooter qui coupe", 1),  # misspelt
        ("fr", "factur", 3),  # the start of a word
        ("fr", "resiliation", 2),  # without its accent
        ("fr", "RÉSILIER", 2),  # the verb, in capitals
        ("en", "refund my ordr", 10),
        ("en", "rooter", 11),
    ],
)
async def test_customers_words_find_the_thread_meant(
    engine: PostgresEngine, support: dict[str, int], tenant: str, text: str, expected: int
) -> None:
    assert (await found(engine, support[tenant], text))[0] == expected


async def test_a_misspelt_query_says_what_it_understood(
    engine: PostgresEngine, support: dict[str, int]
) -> None:
    results = await engine.search(support["en"], SearchQuery(text="refund my ordr"), locale="en")
    assert results.suggestion == "refund my order"
    spelt = await engine.search(support["en"], SearchQuery(text="refund"), locale="en")
    assert spelt.suggestion is None


async def test_nothing_of_another_tenant_is_found(
    engine: PostgresEngine, support: dict[str, int]
) -> None:
    assert await found(engine, support["fr"], "refund order") == []
    assert await found(engine, support["en"], "abonnement facture") == []
    assert set(await found(engine, support["en"], "")) == {10, 11, 12}


async def test_synonyms_and_stop_words_are_the_tenants_own(
    engine: PostgresEngine, support: dict[str, int]
) -> None:
    fr, en = support["fr"], support["en"]
    assert await found(engine, fr, "annuler") == []
    settings = SearchSettings(
        synonyms=(("résilier", "annuler"), ("wifi", "wi-fi")), stop_words=("svp",)
    )
    await engine.configure(fr, settings)
    assert await found(engine, fr, "annuler svp") == [2]
    assert await found(engine, fr, "wifi") == [1]
    assert await found(engine, en, "annuler") == []  # Acme was not given them


async def test_hyphenated_words_are_found_written_either_way(
    engine: PostgresEngine, support: dict[str, int]
) -> None:
    assert await found(engine, support["fr"], "wifi") == [1]
    assert await found(engine, support["fr"], "wi-fi") == [1]


async def test_title_and_best_answers_weigh_more_than_other_answers(
    engine: PostgresEngine, world: World
) -> None:
    en = world.tenants["acme"]
    await engine.index([
        doc(en, 1, "Printer", answers="The voucher code works."),
        doc(en, 2, "Voucher code refused at checkout"),
        doc(en, 3, "Checkout", best_answers="Type the voucher code again."),
    ])  # fmt: skip
    assert await found(engine, en, "voucher") == [2, 3, 1]


async def test_resolved_and_certified_threads_come_first_among_equals(
    engine: PostgresEngine, world: World
) -> None:
    en = world.tenants["acme"]
    await engine.index([
        doc(en, 1, "Battery drains overnight"),
        doc(en, 2, "Battery drains overnight", resolved=True),
        doc(en, 3, "Battery drains overnight", resolved=True, certified=True),
    ])  # fmt: skip
    assert await found(engine, en, "battery drains") == [3, 2, 1]


async def test_snippets_mark_the_matches_in_escaped_text(
    engine: PostgresEngine, world: World
) -> None:
    en = world.tenants["acme"]
    body = 'Pasting <script>alert("x")</script> & <b>bold</b> breaks the export to CSV.'
    await engine.index([doc(en, 1, "Export fails", body)])
    [hit] = (await engine.search(en, SearchQuery(text="export csv"), locale="en")).hits
    assert "<mark>export</mark>" in hit.snippet and "<mark>CSV</mark>" in hit.snippet
    assert "&amp;" in hit.snippet
    without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks


async def test_the_private_marks_cannot_be_smuggled_in(
    engine: PostgresEngine, world: World
) -> None:
    en = world.tenants["acme"]
    await engine.index([doc(en, 1, "Sync", "Sync \ue000stops\ue001 at night")])
    [hit] = (await engine.search(en, SearchQuery(text="night"), locale="en")).hits
    assert hit.snippet.count("<mark>") == 1 and "<mark>night</mark>" in hit.snippet


async def test_filters_narrow_the_results(engine: PostgresEngine, world: World) -> None:
    en = world.tenants["acme"]
    march, may = WHEN, WHEN.replace(month=5)
    await engine.index([
        doc(en, 1, "Sync issue", category_id=1, tags=("mobile", "sync"), kind="question",
            resolved=True, created_at=march),
        doc(en, 2, "Sync idea", category_id=2, tags=("sync",), kind="idea", created_at=may),
        doc(en, 3, "Sync talk", category_id=2, kind="discussion", certified=True,
            created_at=may),
    ])  # fmt: skip
    newest = {"sort": SearchSort.NEWEST}
    assert await found(engine, en, "sync", category_ids=(2,), **newest) == [3, 2]
    assert await found(engine, en, "sync", tags=("sync",), **newest) == [2, 1]
    assert await found(engine, en, "sync", tags=("sync", "mobile")) == [1]
    assert await found(engine, en, "sync", kinds=("idea", "discussion"), **newest) == [3, 2]
    assert await found(engine, en, "sync", resolved=True) == [1]
    assert await found(engine, en, "sync", resolved=False, certified=False) == [2]
    assert await found(engine, en, "", since=date(2026, 5, 10), **newest) == [3, 2]
    assert await found(engine, en, "", until=date(2026, 3, 10)) == [1]


async def test_sorts_pages_and_totals(engine: PostgresEngine, world: World) -> None:
    en = world.tenants["acme"]
    await engine.index([
        doc(en, n, f"Login problem {n}", score=n % 3, created_at=WHEN.replace(day=n))
        for n in range(1, 8)
    ])  # fmt: skip
    newest = await found(engine, en, "login", sort=SearchSort.NEWEST)
    assert newest == [7, 6, 5, 4, 3, 2, 1]
    assert await found(engine, en, "login", sort=SearchSort.VOTES) == [5, 2, 7, 4, 1, 6, 3]
    page = await engine.search(
        en, SearchQuery(text="login", sort=SearchSort.NEWEST, offset=2, limit=2), locale="en"
    )
    assert [hit.thread_id for hit in page.hits] == [5, 4] and page.total == 7
    beyond = await engine.search(en, SearchQuery(text="login", offset=50), locale="en")
    assert beyond.hits == () and beyond.total == 7


async def test_indexing_again_replaces_and_removed_threads_are_gone(
    engine: PostgresEngine, support: dict[str, int]
) -> None:
    en = support["en"]
    refund = doc(en, 10, "Refund for a cancelled order", "I cancelled my order.")
    await engine.index([dataclasses.replace(refund, title="Money back please")])
    assert await found(engine, en, "refund") == []
    assert await found(engine, en, "money back") == [10]
    await engine.remove(en, [12, 10])
    assert await found(engine, en, "order") == []
    await engine.reset(en)
    assert await found(engine, en, "") == []
    assert await found(engine, support["fr"], "") != []  # another tenant's index is untouched
