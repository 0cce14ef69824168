"""The Meilisearch adapter against a stand-in of its HTTP API on 127.0.0.1: it must send what
the API reference says (routes, bodies, settings, filters) and read what Meilisearch answers
(hits, _formatted crops, totals, tasks). The stand-in does not rank: relevance on a real
Meilisearch is the contract suite's, run when PARVIS_MEILISEARCH_URL is set."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from meilisearch_python_sdk.errors import MeilisearchApiError, MeilisearchTaskFailedError

from community.config import Settings
from community.search.meili import MeilisearchEngine, from_settings
from community.search.port import SearchDocument, SearchQuery, SearchSettings, SearchSort
from tests.search.meili_standin import StandIn

pytestmark = pytest.mark.anyio

WHEN = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn() as running:
        yield running


@pytest.fixture
async def engine(standin: StandIn) -> AsyncIterator[MeilisearchEngine]:
    made = MeilisearchEngine(standin.url, standin.key)
    yield made
    await made.close()


def doc(thread_id: int, **given: object) -> SearchDocument:
    fields: dict[str, object] = {
        "tenant_id": 7, "thread_id": thread_id, "title": "Routeur qui coupe", "slug": "routeur",
        "kind": "question", "category_id": 3, "body": "Le Wi-Fi \ue000coupe\ue001 la nuit",
        "answers": "Redémarrez-le", "best_answers": "Changez le canal", "tags": ("wifi",),
        "resolved": True, "certified": False, "score": 4, "created_at": WHEN, "updated_at": WHEN,
    }  # fmt: skip
    return SearchDocument(**{**fields, **given})  # type: ignore[arg-type]


def hit(thread_id: int, formatted_body: str, **given: object) -> dict[str, object]:
    """A hit as Meilisearch returns it: the retrieved attributes and `_formatted`."""
    return {
        "thread_id": thread_id, "title": "Routeur qui coupe", "slug": "routeur",
        "kind": "question", "category_id": 3, "tags": ["wifi"], "resolved": 1, "certified": 0,
        "score": 4, "created_at": int(WHEN.timestamp()),
        "_formatted": {"body": formatted_body, "best_answers": "", "answers": ""}, **given,
    }  # fmt: skip


async def test_the_first_write_lays_the_tenants_index_out_then_documents_are_added(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    await engine.index([doc(42), doc(43, resolved=False, certified=True)])
    await engine.index([doc(44)])
    layout, added, again = standin.writes()
    assert (layout.method, layout.path) == ("PATCH", "/indexes/parvis-t7/settings")
    assert layout.body["searchableAttributes"] == [
        "title", "best_answers", "tags", "body", "answers"
    ]  # fmt: skip
    assert set(layout.body["filterableAttributes"]) == {
        "tenant_id", "category_id", "tags", "kind", "resolved", "certified", "created_at"
    }  # fmt: skip
    assert layout.body["sortableAttributes"] == ["created_at", "score"]
    assert layout.body["rankingRules"][-2:] == ["resolved:desc", "certified:desc"]
    assert layout.body["typoTolerance"]["enabled"] is True
    assert (added.method, added.path, added.query) == (
        "POST", "/indexes/parvis-t7/documents", {"primaryKey": ["id"]}
    )  # fmt: skip
    first, second = added.body
    assert first["id"] == "7-42" and first["tenant_id"] == 7 and first["thread_id"] == 42
    assert (first["resolved"], first["certified"], second["resolved"], second["certified"]) == (
        1, 0, 0, 1
    )  # fmt: skip
    assert first["created_at"] == int(WHEN.timestamp()) and first["tags"] == ["wifi"]
    assert first["body"] == "Le Wi-Fi  coupe  la nuit"  # the snippet marks cannot be stored
    assert again.path == "/indexes/parvis-t7/documents"  # laid out once per process
    waited = [r.path for r in standin.requests if r.path.startswith("/tasks/")]
    assert waited == ["/tasks/0", "/tasks/1", "/tasks/2"]  # every write waits for its task


async def test_every_request_carries_the_key(engine: MeilisearchEngine, standin: StandIn) -> None:
    await engine.index([doc(1)])
    await engine.search(7, SearchQuery(text="wifi"), locale="fr")
    assert {r.headers["authorization"] for r in standin.requests} == {f"Bearer {standin.key}"}


async def test_a_wrong_key_is_an_error_not_an_empty_result(standin: StandIn) -> None:
    engine = MeilisearchEngine(standin.url, "wrong")
    with pytest.raises(MeilisearchApiError):
        await engine.search(7, SearchQuery(text="wifi"), locale="fr")
    await engine.close()


async def test_a_failed_task_is_raised_for_the_queue_to_retry(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    standin.fail_writes = True
    with pytest.raises(MeilisearchTaskFailedError):
        await engine.index([doc(1)])


async def test_search_asks_for_the_tenant_filters_sort_page_and_crops(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    query = SearchQuery(
        text="rooter wifi", category_ids=(3, 5), tags=("wifi", 'say "hi"'),
        kinds=("question", "idea"), resolved=True, certified=False,
        since=date(2026, 3, 1), until=date(2026, 3, 31), sort=SearchSort.VOTES,
        offset=40, limit=20,
    )  # fmt: skip
    await engine.search(7, query, locale="fr")
    [asked] = standin.requests
    assert (asked.method, asked.path) == ("POST", "/indexes/parvis-t7/search")
    body = asked.body
    assert body["q"] == "rooter wifi"
    assert body["filter"] == (
        'tenant_id = 7 AND category_id IN [3, 5] AND tags = "wifi" AND tags = "say \\"hi\\""'
        ' AND kind IN ["question", "idea"] AND resolved = 1 AND certified = 0'
        f" AND created_at >= {int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())}"
        f" AND created_at < {int(datetime(2026, 4, 1, tzinfo=UTC).timestamp())}"
    )
    assert body["sort"] == ["score:desc", "created_at:desc"]
    assert (body["page"], body["hitsPerPage"]) == (3, 20)  # whole pages: an exact total
    assert body["attributesToCrop"] == ["body", "best_answers", "answers"]
    # _formatted holds only retrieved attributes: the cropped ones are among them.
    assert {"thread_id", "body", "best_answers", "answers"} <= set(body["attributesToRetrieve"])
    assert body["attributesToHighlight"] == ["title", "body", "best_answers", "answers"]
    assert (body["highlightPreTag"], body["highlightPostTag"]) == ("\ue000", "\ue001")


@pytest.mark.parametrize(
    ("query", "sort", "paging"),
    [
        (SearchQuery(text="wifi"), None, {"page": 1, "hitsPerPage": 20}),
        (SearchQuery(text="wifi", sort=SearchSort.NEWEST), ["created_at:desc"], {}),
        (SearchQuery(text=" ", sort=SearchSort.RELEVANCE), ["created_at:desc"], {}),
        (SearchQuery(text="wifi", offset=5, limit=10), None, {"offset": 5, "limit": 10}),
    ],
)
async def test_sorts_and_paging(
    engine: MeilisearchEngine,
    standin: StandIn,
    query: SearchQuery,
    sort: list[str] | None,
    paging: dict[str, int],
) -> None:
    await engine.search(7, query, locale="en")
    [asked] = standin.requests
    assert asked.body.get("sort") == sort
    assert paging.items() <= asked.body.items()


async def test_hits_come_back_with_escaped_snippets_and_the_total(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    standin.hits = [
        hit(42, 'Tapez <script>alert("x")</script> & \ue000reset\ue001'),
        hit(43, "Rien ici", resolved=0, certified=1,
            _formatted={"body": "Rien ici", "best_answers": "", "answers": "le \ue000reset\ue001"}),
    ]  # fmt: skip
    standin.total = 57
    results = await engine.search(7, SearchQuery(text="reset"), locale="fr")
    first, second = results.hits
    assert first.snippet == (
        "Tapez &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>reset</mark>"
    )
    assert second.snippet == "le <mark>reset</mark>"  # the text that holds the match
    assert (first.thread_id, first.resolved, first.certified, first.tags) == (
        42, True, False, ("wifi",)
    )  # fmt: skip
    assert (second.resolved, second.certified) == (False, True)
    assert first.created_at == WHEN.replace(second=0)
    assert results.total == 57 and results.suggestion is None


async def test_words_the_typo_tolerance_corrected_are_suggested(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    standin.hits = [hit(2, "Where is the \ue000refund\ue001 for \ue000order\ue001 1234?")]
    results = await engine.search(7, SearchQuery(text="refund my ordr"), locale="en")
    assert results.suggestion == "refund my order"
    spelt = await engine.search(7, SearchQuery(text="refund"), locale="en")
    assert spelt.suggestion is None


async def test_an_estimated_total_when_the_offset_is_not_a_page(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    standin.total = 12
    results = await engine.search(7, SearchQuery(text="x", offset=3, limit=5), locale="en")
    assert results.total == 12


async def test_synonyms_go_both_ways_and_stop_words_are_set(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    settings = SearchSettings(
        synonyms=(("wifi", "Wi-Fi"), ("box", "routeur", "modem")), stop_words=("svp", "merci")
    )
    await engine.configure(7, settings)
    _layout, words = standin.writes()
    assert (words.method, words.path) == ("PATCH", "/indexes/parvis-t7/settings")
    assert words.body == {
        "synonyms": {
            "wifi": ["wi-fi"], "wi-fi": ["wifi"], "box": ["routeur", "modem"],
            "routeur": ["box", "modem"], "modem": ["box", "routeur"],
        },
        "stopWords": ["svp", "merci"],
    }  # fmt: skip


async def test_remove_deletes_by_id_and_reset_deletes_every_document(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    await engine.remove(7, [1, 2])
    await engine.remove(7, [])
    await engine.reset(8)
    deleted, layout, cleared = standin.writes()
    assert (deleted.method, deleted.path, deleted.body) == (
        "POST", "/indexes/parvis-t7/documents/delete-batch", ["7-1", "7-2"]
    )  # fmt: skip
    assert layout.path == "/indexes/parvis-t8/settings"
    assert (cleared.method, cleared.path) == ("DELETE", "/indexes/parvis-t8/documents")


async def test_facets_are_asked_for_and_counted(
    engine: MeilisearchEngine, standin: StandIn
) -> None:
    standin.facets = {"kind": {"question": 3, "idea": 1}, "resolved": {"1": 2, "0": 2}}
    counts = await engine.facets(7, SearchQuery(text="wifi"))
    [asked] = standin.requests
    assert asked.body["facets"] == ["category_id", "tags", "kind", "resolved", "certified"]
    assert counts == {"kind": {"question": 3, "idea": 1}, "resolved": {"1": 2, "0": 2}}


def test_meilisearch_is_used_only_when_its_url_is_set(tmp_path: Path) -> None:
    unset = Settings.from_env({"PARVIS_SECRET_KEY": "k", "PARVIS_DATA_DIR": str(tmp_path)})
    assert from_settings(unset) is None
    given = Settings.from_env({
        "PARVIS_SECRET_KEY": "k", "PARVIS_DATA_DIR": str(tmp_path),
        "PARVIS_MEILISEARCH_URL": "http://127.0.0.1:7700", "PARVIS_MEILISEARCH_KEY": "s",
    })  # fmt: skip
    assert isinstance(from_settings(given), MeilisearchEngine)
