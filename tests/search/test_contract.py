"""What every search engine promises (the port, `community.search.port`).

Runs against each engine of the `engine` fixture (tests/search/conftest.py), on documents
handed to it directly: what members may see is the documents' business, not the engine's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from community.search.port import SearchEngine, SearchQuery, SearchSettings, SearchSort
from tests.conftest import World
from tests.search.conftest import doc

pytestmark = pytest.mark.anyio


async def ids(engine: SearchEngine, tenant_id: int, text: str, **options: object) -> list[int]:
    results = await engine.search(tenant_id, SearchQuery(text, **options), locale="en")  # type: ignore[arg-type]
    return [hit.thread_id for hit in results.hits]


@pytest.fixture
def tenants(world: World) -> tuple[int, int]:
    return world.tenants["acme"], world.tenants["globex"]


async def test_a_tenant_finds_its_own_documents_only(
    engine: SearchEngine, tenants: tuple[int, int]
) -> None:
    acme, globex = tenants
    await engine.index([doc(acme, 1, "Router keeps rebooting"), doc(globex, 2, "Router lights")])
    assert await ids(engine, acme, "router") == [1]
    assert await ids(engine, globex, "router") == [2]
    assert await ids(engine, acme, "") == [1]  # no words: the tenant's documents, filtered


async def test_filters_narrow_the_hits(engine: SearchEngine, tenants: tuple[int, int]) -> None:
    acme, _ = tenants
    await engine.index([
        doc(acme, 1, "Invoice paid twice", category_id=7, tags=("billing",), resolved=True,
            created_at=datetime(2026, 3, 1, tzinfo=UTC)),
        doc(acme, 2, "Invoice missing", category_id=8, kind="discussion", certified=True,
            tags=("billing", "account"), created_at=datetime(2026, 5, 1, tzinfo=UTC)),
        doc(acme, 3, "Invoice in CSV", category_id=7, kind="idea",
            created_at=datetime(2026, 7, 1, tzinfo=UTC)),
    ])  # fmt: skip
    assert sorted(await ids(engine, acme, "invoice")) == [1, 2, 3]
    assert sorted(await ids(engine, acme, "invoice", category_ids=(7,))) == [1, 3]
    assert await ids(engine, acme, "invoice", tags=("billing", "account")) == [2]
    assert sorted(await ids(engine, acme, "invoice", tags=("billing",))) == [1, 2]
    assert await ids(engine, acme, "invoice", kinds=("idea",)) == [3]
    assert await ids(engine, acme, "invoice", resolved=True) == [1]
    assert sorted(await ids(engine, acme, "invoice", resolved=False)) == [2, 3]
    assert await ids(engine, acme, "invoice", certified=True) == [2]
    assert await ids(engine, acme, "invoice", since=date(2026, 4, 1), until=date(2026, 5, 1)) == [2]


async def test_sorts_and_pages(engine: SearchEngine, tenants: tuple[int, int]) -> None:
    acme, _ = tenants
    await engine.index([
        doc(acme, n, f"Modem question {n}", "modem" if n != 3 else "modem modem modem modem",
            score=[5, 1, 0, 9][n - 1], created_at=datetime(2026, 1, n, tzinfo=UTC))
        for n in (1, 2, 3, 4)
    ])  # fmt: skip
    assert await ids(engine, acme, "modem", sort=SearchSort.NEWEST) == [4, 3, 2, 1]
    assert await ids(engine, acme, "modem", sort=SearchSort.VOTES) == [4, 1, 2, 3]
    assert (await ids(engine, acme, "modem"))[0] == 3  # the one that says it most
    page = await engine.search(acme, SearchQuery("modem", sort=SearchSort.NEWEST, offset=1,
                                                 limit=2), locale="en")  # fmt: skip
    assert [hit.thread_id for hit in page.hits] == [3, 2] and page.total == 4
    beyond = await engine.search(acme, SearchQuery("modem", offset=10), locale="en")
    assert beyond.hits == () and beyond.total == 4


async def test_resolved_and_certified_answers_rank_first(
    engine: SearchEngine, tenants: tuple[int, int]
) -> None:
    acme, _ = tenants
    await engine.index([
        doc(acme, 1, "Voicemail code forgotten", "How do I reset the voicemail code?"),
        doc(acme, 2, "Voicemail code forgotten", "How do I reset the voicemail code?",
            certified=True, resolved=True, best_answers="Dial 888 and follow the voice."),
    ])  # fmt: skip
    assert await ids(engine, acme, "voicemail code") == [2, 1]


async def test_snippets_mark_the_words_found_and_escape_html(
    engine: SearchEngine, tenants: tuple[int, int]
) -> None:
    acme, _ = tenants
    body = 'My <script>alert("x")</script> router & modem need a "firmware" upgrade'
    await engine.index([doc(acme, 1, "Firmware", body)])
    [hit] = (await engine.search(acme, SearchQuery("firmware"), locale="en")).hits
    assert "<script>" not in hit.snippet and "&lt;script&gt;alert" in hit.snippet
    assert "<mark>firmware</mark>" in hit.snippet and "&amp;" in hit.snippet
    assert hit.snippet.count("<mark>") == 1


async def test_accents_do_not_matter(engine: SearchEngine, tenants: tuple[int, int]) -> None:
    acme, _ = tenants
    await engine.index([doc(acme, 1, "Résiliation de la box", "Frais de résiliation anticipée")])
    assert await ids(engine, acme, "resiliation") == [1]
    assert await ids(engine, acme, "RÉSILIATION") == [1]
    [hit] = (await engine.search(acme, SearchQuery("resiliation"), locale="fr")).hits
    assert "<mark>résiliation</mark>" in hit.snippet


async def test_misspelt_words_still_find_and_suggest(
    engine: SearchEngine, tenants: tuple[int, int]
) -> None:
    acme, globex = tenants
    await engine.index([
        doc(acme, 1, "Mon routeur coupe la connexion", "Le routeur redémarre la nuit"),
        doc(acme, 2, "Refund for my order", "Where is the refund for order 1234?"),
        doc(acme, 3, "Facture trop élevée", "Ma facture de mars est trop élevée"),
        doc(globex, 4, "Rooter tools", "A rooter clears drains"),
    ])  # fmt: skip
    assert await ids(engine, acme, "rooter") == [1]
    assert await ids(engine, acme, "ordr") == [2]
    assert await ids(engine, acme, "factur") == [3]
    results = await engine.search(acme, SearchQuery("refund my ordr"), locale="en")
    assert results.hits[0].thread_id == 2
    assert results.suggestion == "refund my order"
    known = await engine.search(acme, SearchQuery("refund"), locale="en")
    assert known.suggestion is None
    # Another tenant's words are never suggested.
    elsewhere = await engine.search(globex, SearchQuery("factur"), locale="fr")
    assert elsewhere.hits == () and elsewhere.suggestion is None


async def test_synonyms_and_stop_words_come_from_the_tenants_settings(
    engine: SearchEngine, tenants: tuple[int, int]
) -> None:
    acme, globex = tenants
    await engine.index([
        doc(acme, 1, "Wi-Fi drops every evening", "The Wi-Fi light blinks"),
        doc(acme, 2, "How to pay by card", "How do I pay"),
        doc(globex, 3, "Wi-Fi drops", "Wi-Fi"),
    ])  # fmt: skip
    assert await ids(engine, acme, "wlan") == []
    await engine.configure(acme, SearchSettings(synonyms=(("wifi", "wi-fi", "wlan"),),
                                                stop_words=("how",)))  # fmt: skip
    assert await ids(engine, acme, "wifi") == [1]
    assert await ids(engine, acme, "wlan") == [1]
    [hit] = (await engine.search(acme, SearchQuery("wlan"), locale="en")).hits
    assert "<mark>Wi</mark>-<mark>Fi</mark>" in hit.snippet
    assert await ids(engine, acme, "how") == []
    assert await ids(engine, acme, "how card") == [2]
    assert await ids(engine, globex, "wlan") == []  # acme's synonyms are acme's


async def test_remove_and_reset_forget_documents(
    engine: SearchEngine, tenants: tuple[int, int]
) -> None:
    acme, globex = tenants
    await engine.index([doc(acme, 1, "Fibre outage"), doc(acme, 2, "Fibre install"),
                        doc(globex, 3, "Fibre outage")])  # fmt: skip
    await engine.remove(acme, [1])
    assert await ids(engine, acme, "fibre") == [2]
    await engine.index([doc(acme, 2, "Copper install")])  # replaced, not added
    assert await ids(engine, acme, "fibre") == [] and await ids(engine, acme, "copper") == [2]
    await engine.reset(acme)
    assert await ids(engine, acme, "") == []
    assert await ids(engine, globex, "fibre") == [3]
