"""The Meilisearch engine (meilisearch-python-sdk, async), when PARVIS_MEILISEARCH_URL is set.

Index layout: one index per tenant, `parvis-t<tenant_id>`, because synonyms and stop words
are settings of an index; every query filters on `tenant_id` all the same. A document is a
thread, id `<tenant_id>-<thread_id>`, with its texts (title, best_answers, tags, body,
answers: searchable in that order), `tenant_id`, `category_id`, `kind`, `tags`, `resolved`
and `certified` (0 or 1: custom ranking rules take numbers), `score` and `created_at`
(a Unix timestamp) to filter, sort and facet on. Ranking: Meilisearch's rules, then
resolved and certified threads first among equals. Typo tolerance: one typo from 4
letters, two from 6 ("ordr" → "order", "rooter" → "routeur").

Writes are tasks Meilisearch runs in turn: each call waits for its own, so what was indexed
is searchable when `index` returns (and a failure is raised, for the queue to retry).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.models.settings import (
    Faceting,
    MeilisearchSettings,
    MinWordSizeForTypos,
    TypoTolerance,
)
from meilisearch_python_sdk.models.task import TaskInfo

from community.config import Settings
from community.search import terms
from community.search.port import (
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchSettings,
    SearchSort,
)

SEARCHABLE = ["title", "best_answers", "tags", "body", "answers"]
FACETS = ["category_id", "tags", "kind", "resolved", "certified"]
FILTERABLE = ["tenant_id", *FACETS, "created_at"]
RANKING = [
    "words", "typo", "proximity", "attribute", "sort", "exactness",
    "resolved:desc", "certified:desc",
]  # fmt: skip
SNIPPET_FROM = ["body", "best_answers", "answers"]
SNIPPET_WORDS = 30
# _formatted holds only retrieved attributes: the texts cropped for snippets come back too.
RETRIEVED = [
    "thread_id", "title", "slug", "kind", "category_id", "tags", "resolved", "certified",
    "score", "created_at", *SNIPPET_FROM,
]  # fmt: skip
SORTS = {
    SearchSort.NEWEST: ["created_at:desc"],
    SearchSort.VOTES: ["score:desc", "created_at:desc"],
}
LAYOUT = MeilisearchSettings(
    searchable_attributes=SEARCHABLE,
    filterable_attributes=list(FILTERABLE),
    sortable_attributes=["created_at", "score"],
    ranking_rules=RANKING,
    typo_tolerance=TypoTolerance(
        enabled=True, min_word_size_for_typos=MinWordSizeForTypos(one_typo=4, two_typos=6)
    ),
    faceting=Faceting(max_values_per_facet=100),
)


def document_id(tenant_id: int, thread_id: int) -> str:
    return f"{tenant_id}-{thread_id}"


def from_settings(settings: Settings) -> MeilisearchEngine | None:
    """The Meilisearch engine when PARVIS_MEILISEARCH_URL is set, else None."""
    if not settings.meilisearch_url:
        return None
    return MeilisearchEngine(settings.meilisearch_url, settings.meilisearch_key)


class MeilisearchEngine:
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str = "",
        *,
        task_timeout: float = 30.0,
        index_prefix: str = "parvis-t",
    ) -> None:
        self._client = AsyncClient(url, api_key or None, timeout=10)
        self._prefix = index_prefix
        self._task_timeout_ms = int(task_timeout * 1000)
        self._laid_out: set[int] = set()  # tenants whose index has the layout (this process)

    def _uid(self, tenant_id: int) -> str:
        return f"{self._prefix}{tenant_id}"

    async def close(self) -> None:
        await self._client.aclose()

    # ---- writing ------------------------------------------------------------------------

    async def index(self, docs: Sequence[SearchDocument]) -> None:
        for tenant_id in sorted({doc.tenant_id for doc in docs}):
            await self._lay_out(tenant_id)
            batch = [_document(doc) for doc in docs if doc.tenant_id == tenant_id]
            index = self._client.index(self._uid(tenant_id))
            await self._wait(await index.add_documents(batch, primary_key="id"))

    async def remove(self, tenant_id: int, thread_ids: Sequence[int]) -> None:
        if not thread_ids:
            return
        ids = [document_id(tenant_id, thread_id) for thread_id in thread_ids]
        await self._wait(await self._client.index(self._uid(tenant_id)).delete_documents(ids))

    async def configure(self, tenant_id: int, settings: SearchSettings) -> None:
        await self._lay_out(tenant_id)
        words = MeilisearchSettings(
            synonyms=both_ways(settings.synonyms), stop_words=list(settings.stop_words)
        )
        await self._wait(await self._client.index(self._uid(tenant_id)).update_settings(words))

    async def reset(self, tenant_id: int) -> None:
        await self._lay_out(tenant_id)
        await self._wait(await self._client.index(self._uid(tenant_id)).delete_all_documents())

    async def _lay_out(self, tenant_id: int) -> None:
        """Give the tenant's index its layout (Meilisearch creates the index if need be)."""
        if tenant_id in self._laid_out:
            return
        await self._wait(await self._client.index(self._uid(tenant_id)).update_settings(LAYOUT))
        self._laid_out.add(tenant_id)

    async def _wait(self, task: TaskInfo) -> None:
        await self._client.wait_for_task(
            task.task_uid, timeout_in_ms=self._task_timeout_ms, raise_for_status=True
        )

    # ---- reading ------------------------------------------------------------------------

    async def search(self, tenant_id: int, query: SearchQuery, *, locale: str) -> SearchResults:
        found = await self._search(tenant_id, query)
        total = found.total_hits if found.total_hits is not None else found.estimated_total_hits
        return SearchResults(
            hits=tuple(_hit(hit) for hit in found.hits),
            total=total or 0,
            suggestion=suggestion(query.text, found.hits),
        )

    async def facets(self, tenant_id: int, query: SearchQuery) -> dict[str, dict[str, int]]:
        """How many of the query's threads each category, tag, kind and status holds."""
        found = await self._search(tenant_id, query, facets=True)
        return {
            name: {str(value): int(n) for value, n in counts.items()}
            for name, counts in (found.facet_distribution or {}).items()
        }

    async def _search(self, tenant_id: int, query: SearchQuery, *, facets: bool = False) -> Any:
        limit = max(min(query.limit, 100), 1)
        offset = max(query.offset, 0)
        # Whole pages get an exhaustive total (page mode); any other offset an estimate.
        paging: dict[str, Any] = (
            {"page": offset // limit + 1, "hits_per_page": limit}
            if offset % limit == 0
            else {"offset": offset, "limit": limit}
        )
        sort = query.sort if query.text.strip() else SearchSort.NEWEST
        return await self._client.index(self._uid(tenant_id)).search(
            query.text,
            filter=filter_of(tenant_id, query),
            sort=SORTS.get(sort),
            facets=FACETS if facets else None,
            attributes_to_retrieve=RETRIEVED,
            attributes_to_highlight=["title", *SNIPPET_FROM],
            attributes_to_crop=SNIPPET_FROM,
            crop_length=SNIPPET_WORDS,
            crop_marker="…",
            highlight_pre_tag=terms.MARK_START,
            highlight_post_tag=terms.MARK_END,
            **paging,
        )


# ---- documents and queries -------------------------------------------------------------


def both_ways(groups: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    """Meilisearch synonyms are one way (a word → its synonyms): every member of a group
    names the others."""
    synonyms: dict[str, list[str]] = {}
    for group in groups:
        members = list(dict.fromkeys(word.strip().lower() for word in group if word.strip()))
        for word in members:
            others = synonyms.setdefault(word, [])
            others.extend(m for m in members if m != word and m not in others)
    return {word: others for word, others in synonyms.items() if others}


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def _start_of(day: date) -> int:
    return _timestamp(datetime.combine(day, time(), UTC))


def _document(doc: SearchDocument) -> dict[str, Any]:
    return {
        "id": document_id(doc.tenant_id, doc.thread_id),
        "tenant_id": doc.tenant_id,
        "thread_id": doc.thread_id,
        "title": terms.storable(doc.title),
        "slug": doc.slug,
        "kind": doc.kind,
        "category_id": doc.category_id,
        "body": terms.storable(doc.body),
        "answers": terms.storable(doc.answers),
        "best_answers": terms.storable(doc.best_answers),
        "tags": list(doc.tags),
        "resolved": int(doc.resolved),
        "certified": int(doc.certified),
        "score": doc.score,
        "created_at": _timestamp(doc.created_at),
        "updated_at": _timestamp(doc.updated_at),
    }


def quoted(value: str) -> str:
    """A string in Meilisearch's filter syntax: double quotes, backslash escapes."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_of(tenant_id: int, query: SearchQuery) -> str:
    """The query's filters, the tenant first: an index holds one tenant, and says so again."""
    parts = [f"tenant_id = {int(tenant_id)}"]
    if query.category_ids:
        parts.append(f"category_id IN [{', '.join(str(int(c)) for c in query.category_ids)}]")
    parts.extend(f"tags = {quoted(tag)}" for tag in query.tags)
    if query.kinds:
        parts.append(f"kind IN [{', '.join(quoted(kind) for kind in query.kinds)}]")
    for flag in ("resolved", "certified"):
        value = getattr(query, flag)
        if value is not None:
            parts.append(f"{flag} = {int(value)}")
    if query.since is not None:
        parts.append(f"created_at >= {_start_of(query.since)}")
    if query.until is not None:
        parts.append(f"created_at < {_start_of(query.until + timedelta(days=1))}")
    return " AND ".join(parts)


MARKED = re.compile(f"{terms.MARK_START}([^{terms.MARK_END}]*){terms.MARK_END}")


def suggestion(text: str, hits: Sequence[dict[str, Any]]) -> str | None:
    """ "Did you mean": the query with each word that Meilisearch's typo tolerance matched to
    another word (as the highlights show) replaced by that word."""
    found = {
        terms.plain(word)
        for hit in hits
        for value in (hit.get("_formatted") or {}).values()
        if isinstance(value, str)
        for word in MARKED.findall(value)
    }
    asked = terms.WORD.findall(terms.plain(text))
    fixed = [word if word in found else (terms.corrections(word, [(f, 0) for f in found]) or [word])[0]
             for word in asked]  # fmt: skip
    return " ".join(fixed) if fixed != asked else None


def _snippet(formatted: dict[str, Any]) -> str:
    """The first cropped text holding a match, else the opening post's start."""
    cropped = [str(formatted.get(name) or "") for name in SNIPPET_FROM]
    chosen = next((text for text in cropped if terms.MARK_START in text), cropped[0])
    return terms.marked(chosen)


def _hit(hit: dict[str, Any]) -> SearchHit:
    return SearchHit(
        thread_id=int(hit["thread_id"]),
        title=str(hit["title"]),
        slug=str(hit["slug"]),
        kind=str(hit["kind"]),
        category_id=int(hit["category_id"]),
        snippet=_snippet(hit.get("_formatted") or {}),
        tags=tuple(hit.get("tags") or ()),
        resolved=bool(hit["resolved"]),
        certified=bool(hit["certified"]),
        score=int(hit["score"]),
        created_at=datetime.fromtimestamp(int(hit["created_at"]), UTC),
    )
