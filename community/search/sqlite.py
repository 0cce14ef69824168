"""Search on SQLite: FTS5 tables beside the application's, in the same database file.

`search_fts_docs` holds what filters and sorts need, one row per thread; its id is the
rowid of the thread's rows in `search_fts_text` (FTS5, `unicode61 remove_diacritics 2`:
accents do not count) and `search_fts_trigram` (FTS5 trigram over the folded text, for
words typed wrong). `search_fts_vocab` (fts5vocab) lists the indexed words, from which an
unknown query word gets its corrections ("rooter" → "routeur") and the "did you mean".
The migration creates them on SQLite only.

The engine has its own connections, opened per call (no pool to close), whose reads do not
take SQLite's write lock: a search runs while the request's own transaction holds it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from community.db import create_engine
from community.search.port import (
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchSettings,
    SearchSort,
)
from community.search.text import Prepared, Term, distance, fold, snippet, terms, tolerance

# bm25 weights of title, body, answers, best_answers, tags
WEIGHTS = (10.0, 3.0, 1.0, 5.0, 4.0)
FUZZY_WEIGHT = 0.3  # a trigram match counts this much of a word match
RESOLVED_BOOST, CERTIFIED_BOOST = 0.3, 0.3
CORRECTIONS = 3  # vocabulary words kept for an unknown query word
MAX_LIMIT = 100

TEXT_COLUMNS = ("title", "body", "answers", "best_answers", "tags")
HIT_COLUMNS = (
    "d.id, d.thread_id, d.title, d.slug, d.kind, d.category_id, d.tags, d.resolved, "
    "d.certified, d.score, d.created_at"
)


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _busy_timeout(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqliteEngine:
    name = "sqlite"

    def __init__(self, database_url: str) -> None:
        self._writes = create_engine(database_url, poolclass=NullPool)  # BEGIN IMMEDIATE
        self._reads = create_async_engine(database_url, poolclass=NullPool)
        event.listen(self._reads.sync_engine, "connect", _busy_timeout)

    async def close(self) -> None:
        await self._writes.dispose()
        await self._reads.dispose()

    # ---- writing ------------------------------------------------------------------------

    async def index(self, docs: Sequence[SearchDocument]) -> None:
        async with self._writes.begin() as conn:
            for doc in docs:
                await _write(conn, doc)

    async def remove(self, tenant_id: int, thread_ids: Sequence[int]) -> None:
        if not thread_ids:
            return
        async with self._writes.begin() as conn:
            ids = await conn.scalars(
                text(
                    "SELECT id FROM search_fts_docs WHERE tenant_id = :tenant "
                    "AND thread_id IN (SELECT value FROM json_each(:threads))"
                ),
                {"tenant": tenant_id, "threads": json.dumps(list(thread_ids))},
            )
            await _delete(conn, list(ids))

    async def reset(self, tenant_id: int) -> None:
        async with self._writes.begin() as conn:
            ids = await conn.scalars(
                text("SELECT id FROM search_fts_docs WHERE tenant_id = :tenant"),
                {"tenant": tenant_id},
            )
            await _delete(conn, list(ids))

    async def configure(self, tenant_id: int, settings: SearchSettings) -> None:
        async with self._writes.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO search_settings (tenant_id, synonyms, stop_words, updated_at) "
                    "VALUES (:tenant, :synonyms, :stops, :now) ON CONFLICT (tenant_id) DO "
                    "UPDATE SET synonyms = excluded.synonyms, stop_words = excluded.stop_words, "
                    "updated_at = excluded.updated_at"
                ),
                {
                    "tenant": tenant_id,
                    "synonyms": json.dumps([list(group) for group in settings.synonyms]),
                    "stops": json.dumps(list(settings.stop_words)),
                    "now": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                },
            )

    # ---- searching ----------------------------------------------------------------------

    async def search(self, tenant_id: int, query: SearchQuery, *, locale: str) -> SearchResults:
        async with self._reads.connect() as conn:
            prepared = Prepared.of(await _settings(conn, tenant_id))
            asked = terms(query.text, prepared)
            if query.text.strip() and not asked and any(c.isalnum() for c in query.text):
                return SearchResults((), 0)  # only stop words
            suggestion = await _correct(conn, tenant_id, asked, query.text)
            return await _run(conn, tenant_id, query, asked, suggestion)


# ---- writing ------------------------------------------------------------------------------


async def _write(conn: AsyncConnection, doc: SearchDocument) -> None:
    row_id = await conn.scalar(
        text(
            "INSERT INTO search_fts_docs (tenant_id, thread_id, title, slug, kind, category_id, "
            "tags, resolved, certified, score, created_at, updated_at) VALUES (:tenant, "
            ":thread, :title, :slug, :kind, :category, :tags, :resolved, :certified, :score, "
            ":created, :updated) ON CONFLICT (tenant_id, thread_id) DO UPDATE SET "
            "title = excluded.title, slug = excluded.slug, kind = excluded.kind, "
            "category_id = excluded.category_id, tags = excluded.tags, "
            "resolved = excluded.resolved, certified = excluded.certified, "
            "score = excluded.score, created_at = excluded.created_at, "
            "updated_at = excluded.updated_at RETURNING id"
        ),
        {
            "tenant": doc.tenant_id, "thread": doc.thread_id, "title": doc.title,
            "slug": doc.slug, "kind": doc.kind, "category": doc.category_id,
            "tags": json.dumps(list(doc.tags)), "resolved": doc.resolved,
            "certified": doc.certified, "score": doc.score,
            "created": _moment(doc.created_at), "updated": _moment(doc.updated_at),
        },
    )  # fmt: skip
    tags = " ".join(doc.tags)
    await conn.execute(text("DELETE FROM search_fts_text WHERE rowid = :id"), {"id": row_id})
    await conn.execute(text("DELETE FROM search_fts_trigram WHERE rowid = :id"), {"id": row_id})
    await conn.execute(
        text(
            "INSERT INTO search_fts_text (rowid, title, body, answers, best_answers, tags) "
            "VALUES (:id, :title, :body, :answers, :best, :tags)"
        ),
        {
            "id": row_id,
            "title": doc.title,
            "body": doc.body,
            "answers": doc.answers,
            "best": doc.best_answers,
            "tags": tags,
        },
    )
    folded = fold(" ".join([doc.title, doc.body, doc.best_answers, tags]))
    await conn.execute(
        text("INSERT INTO search_fts_trigram (rowid, text) VALUES (:id, :text)"),
        {"id": row_id, "text": folded},
    )


async def _delete(conn: AsyncConnection, ids: list[int]) -> None:
    if not ids:
        return
    chosen = {"ids": json.dumps(ids)}
    for table in ("search_fts_text", "search_fts_trigram"):
        await conn.execute(
            text(f"DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(:ids))"),
            chosen,
        )
    await conn.execute(
        text("DELETE FROM search_fts_docs WHERE id IN (SELECT value FROM json_each(:ids))"),
        chosen,
    )


# ---- the tenant's words ---------------------------------------------------------------------


async def _settings(conn: AsyncConnection, tenant_id: int) -> SearchSettings:
    row = (
        await conn.execute(
            text("SELECT synonyms, stop_words FROM search_settings WHERE tenant_id = :t"),
            {"t": tenant_id},
        )
    ).first()
    if row is None:
        return SearchSettings()
    synonyms, stops = (json.loads(v) if isinstance(v, str) else v for v in row)
    return SearchSettings(tuple(tuple(group) for group in synonyms), tuple(stops))


def _quoted(phrase: Sequence[str]) -> str:
    return '"' + " ".join(phrase) + '"'


def _alternatives(term: Term) -> str:
    options = sorted(_quoted(phrase) for phrase in term.phrases)
    options += sorted(f'"{prefix}"*' for prefix in term.prefixes)
    return "(" + " OR ".join(options) + ")"


async def _in_tenant(conn: AsyncConnection, tenant_id: int, match: str) -> bool:
    found = await conn.scalar(
        text(
            "SELECT 1 FROM search_fts_text t JOIN search_fts_docs d ON d.id = t.rowid "
            "WHERE search_fts_text MATCH :match AND d.tenant_id = :tenant LIMIT 1"
        ),
        {"match": match, "tenant": tenant_id},
    )
    return found is not None


async def _candidates(conn: AsyncConnection, word: str) -> list[tuple[int, int, str]]:
    """Indexed words close to `word`: (distance, -documents, word), closest first. Only
    those with its first letter: typos rarely fall there, and the range is an index seek."""
    allowed = tolerance(word)
    rows = await conn.execute(
        text(
            "SELECT term, doc FROM search_fts_vocab WHERE term >= :low AND term < :high "
            "AND length(term) BETWEEN :shortest AND :longest"
        ),
        {
            "low": word[0], "high": chr(ord(word[0]) + 1),
            "shortest": len(word) - allowed, "longest": len(word) + allowed,
        },
    )  # fmt: skip
    close = []
    for term, docs in rows.all():
        gap = distance(word, term, allowed + 1)
        if 0 < gap <= allowed:
            close.append((gap, -int(docs), term))
    return sorted(close)


async def _correct(
    conn: AsyncConnection, tenant_id: int, asked: list[Term], typed: str
) -> str | None:
    """Give each word the tenant's documents do not have the closest words they do have;
    the query with the best of them is the "did you mean"."""
    replacements: dict[str, str] = {}
    for term in asked:
        if " " in term.word or await _in_tenant(conn, tenant_id, _alternatives(term)):
            continue
        kept = 0
        term.fuzzy = True
        for _gap, _docs, word in await _candidates(conn, term.word):
            if kept == CORRECTIONS:
                break
            if await _in_tenant(conn, tenant_id, _quoted([word])):
                term.phrases.add((word,))
                replacements.setdefault(term.typed, word)
                kept += 1
                term.fuzzy = False
    if not replacements:
        return None
    return " ".join(replacements.get(word, word) for word in typed.split())


# ---- the query ----------------------------------------------------------------------------


def _filters(query: SearchQuery, params: dict[str, Any]) -> str:
    conditions = ["d.tenant_id = :tenant"]
    if query.category_ids:
        params["categories"] = json.dumps(list(query.category_ids))
        conditions.append("d.category_id IN (SELECT value FROM json_each(:categories))")
    if query.kinds:
        params["kinds"] = json.dumps(list(query.kinds))
        conditions.append("d.kind IN (SELECT value FROM json_each(:kinds))")
    for i, tag in enumerate(query.tags):
        params[f"tag{i}"] = tag
        conditions.append(f"EXISTS (SELECT 1 FROM json_each(d.tags) WHERE value = :tag{i})")
    for name in ("resolved", "certified"):
        value = getattr(query, name)
        if value is not None:
            params[name] = int(value)
            conditions.append(f"d.{name} = :{name}")
    if query.since is not None:
        params["since"] = query.since.isoformat()
        conditions.append("d.created_at >= :since")
    if query.until is not None:
        params["until"] = (query.until + timedelta(days=1)).isoformat()
        conditions.append("d.created_at < :until")
    return " AND ".join(conditions)


ORDER = {
    SearchSort.RELEVANCE: "rank, d.score DESC, d.created_at DESC, d.id DESC",
    SearchSort.NEWEST: "d.created_at DESC, d.id DESC",
    SearchSort.VOTES: "d.score DESC, rank, d.created_at DESC, d.id DESC",
}


def _ranked(asked: list[Term], params: dict[str, Any]) -> str:
    """The matching rows and their bm25 rank (lower is better), word and fuzzy matches
    added up."""
    params["match"] = " OR ".join(_alternatives(term) for term in asked)
    weights = ", ".join(str(w) for w in WEIGHTS)
    parts = [
        f"SELECT rowid AS id, bm25(search_fts_text, {weights}) AS s FROM search_fts_text "
        "WHERE search_fts_text MATCH :match"
    ]
    grams = sorted({g for term in asked if term.fuzzy for g in _trigrams(term)})
    if grams:
        params["fuzzy"] = " OR ".join(f'"{g}"' for g in grams)
        parts.append(
            f"SELECT rowid AS id, {FUZZY_WEIGHT} * bm25(search_fts_trigram) AS s "
            "FROM search_fts_trigram WHERE search_fts_trigram MATCH :fuzzy"
        )
    return (
        f"WITH hits AS MATERIALIZED ({' UNION ALL '.join(parts)}), "
        "ranked AS (SELECT id, SUM(s) AS s FROM hits GROUP BY id) "
        f"SELECT {HIT_COLUMNS}, r.s * (1 + {RESOLVED_BOOST} * d.resolved "
        f"+ {CERTIFIED_BOOST} * d.certified) AS rank, count(*) OVER () AS total "
        "FROM ranked r JOIN search_fts_docs d ON d.id = r.id"
    )


def _trigrams(term: Term) -> set[str]:
    """The trigrams of a word no document has and nothing corrected (a typo too far off,
    a word cut short): a document sharing some of them may still be the one."""
    word = term.word
    return {word[i : i + 3] for i in range(len(word) - 2)} if len(word) >= 4 else set()


async def _run(
    conn: AsyncConnection,
    tenant_id: int,
    query: SearchQuery,
    asked: list[Term],
    suggestion: str | None,
) -> SearchResults:
    params: dict[str, Any] = {
        "tenant": tenant_id,
        "limit": max(1, min(query.limit, MAX_LIMIT)),
        "offset": max(0, query.offset),
    }
    where = _filters(query, params)
    if asked:
        source = _ranked(asked, params)
    else:
        source = (
            f"SELECT {HIT_COLUMNS}, 0 AS rank, count(*) OVER () AS total FROM search_fts_docs d"
        )
    rows = (
        await conn.execute(
            text(f"{source} WHERE {where} ORDER BY {ORDER[query.sort]} LIMIT :limit OFFSET :offset"),
            params,
        )
    ).mappings().all()  # fmt: skip
    total = rows[0]["total"] if rows else await _count(conn, source, where, params, query)
    snippets = await _snippets(conn, [row["id"] for row in rows], asked)
    hits = tuple(_hit(dict(row), snippets.get(row["id"], "")) for row in rows)
    return SearchResults(hits, int(total), suggestion)


async def _count(
    conn: AsyncConnection, source: str, where: str, params: dict[str, Any], query: SearchQuery
) -> int:
    if query.offset <= 0:
        return 0
    counted = await conn.scalar(text(f"SELECT count(*) FROM ({source} WHERE {where})"), params)
    return int(counted or 0)


async def _snippets(conn: AsyncConnection, ids: list[int], asked: list[Term]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await conn.execute(
        text(
            "SELECT rowid, body, best_answers, answers FROM search_fts_text "
            "WHERE rowid IN (SELECT value FROM json_each(:ids))"
        ),
        {"ids": json.dumps(ids)},
    )
    found = {}
    for row_id, *texts in rows.all():
        found[row_id] = _best_passage(texts, asked)
    return found


def _best_passage(texts: Sequence[str], asked: list[Term]) -> str:
    for candidate in texts:
        passage = snippet(candidate, asked)
        if "<mark>" in passage:
            return passage
    return snippet(texts[0], ())


def _hit(row: Mapping[str, Any], passage: str) -> SearchHit:
    return SearchHit(
        thread_id=row["thread_id"],
        title=row["title"],
        slug=row["slug"],
        kind=row["kind"],
        category_id=row["category_id"],
        snippet=passage,
        tags=tuple(json.loads(row["tags"])),
        resolved=bool(row["resolved"]),
        certified=bool(row["certified"]),
        score=row["score"],
        created_at=datetime.fromisoformat(row["created_at"]).replace(tzinfo=UTC),
    )
