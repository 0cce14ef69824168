"""The PostgreSQL engine: a weighted tsvector per thread, trigrams for what is misspelt.

Tables (migration 0019, PostgreSQL only): `search_documents`, one row per thread with a
generated `document` tsvector (title A, accepted and certified answers and tags B, opening
post C, other answers D) built with the tenant's configuration, `parvis_french` or
`parvis_english` (the stock ones with unaccent before the stemmer); `search_words`, the
words the tenant's documents hold, where a word nobody wrote finds the words meant
("rooter" → "routeur", "ordr" → "order") by trigram distance and then edit distance; and
`search_vocabulary`, the synonyms and stop words `configure` was given.

A query's words are unaccented, stop words dropped; each stands with its synonyms and
corrections (an OR group), and a document matches any group: the rank puts first those
matching the most groups, then ts_rank_cd with the weights, the title's trigram
similarity to the query, and resolved and certified threads above the rest.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from community.db import create_engine
from community.search import terms
from community.search.port import (
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchSettings,
    SearchSort,
)

# ts_rank_cd's weights, in the order {D, C, B, A}.
WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"
RESOLVED_BOOST, CERTIFIED_BOOST, TITLE_SIMILARITY = 0.15, 0.25, 0.5
HEADLINE = (
    f"StartSel={terms.MARK_START}, StopSel={terms.MARK_END}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
SNIPPET_SOURCE_CHARS = 4000
SHORT_TEXT = 240  # a text this short is its own snippet, whole
WHOLE = f"StartSel={terms.MARK_START}, StopSel={terms.MARK_END}, HighlightAll=true"
# What a document's text may weigh: a thread of hundreds of answers is found by its first
# hundred thousand characters, and its tsvector stays within bounds.
TEXT_LIMIT, ANSWERS_LIMIT = 20_000, 100_000
WORD_CANDIDATES = 8  # nearest known words by trigram distance, then ranked by edits


def configuration(locale: str) -> str:
    return "parvis_french" if locale.lower().startswith("fr") else "parvis_english"


UPSERT_DOCUMENT = text("""
    INSERT INTO search_documents (
        tenant_id, thread_id, title, slug, kind, category_id, tags, resolved, certified,
        score, created_at, updated_at, body, answers, best_answers, keywords, config
    ) VALUES (
        :tenant_id, :thread_id, :title, :slug, :kind, :category_id, :tags, :resolved,
        :certified, :score, :created_at, :updated_at, :body, :answers, :best_answers,
        :keywords, CAST(:config AS regconfig)
    )
    ON CONFLICT (tenant_id, thread_id) DO UPDATE SET
        title = EXCLUDED.title, slug = EXCLUDED.slug, kind = EXCLUDED.kind,
        category_id = EXCLUDED.category_id, tags = EXCLUDED.tags,
        resolved = EXCLUDED.resolved, certified = EXCLUDED.certified, score = EXCLUDED.score,
        created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
        body = EXCLUDED.body, answers = EXCLUDED.answers,
        best_answers = EXCLUDED.best_answers, keywords = EXCLUDED.keywords,
        config = EXCLUDED.config
""").bindparams(bindparam("tags", type_=ARRAY(TEXT)))

# `documents` counts the indexings that brought the word (a tie-break between corrections).
UPSERT_WORDS = text("""
    INSERT INTO search_words (tenant_id, word, documents)
    SELECT :tenant_id, word, n FROM unnest(:words, CAST(:counts AS integer[])) AS w(word, n)
    ON CONFLICT (tenant_id, word) DO UPDATE
    SET documents = search_words.documents + EXCLUDED.documents
""").bindparams(bindparam("words", type_=ARRAY(TEXT)))

NEAREST_WORDS = text(f"""
    SELECT t.word AS asked, n.word, n.documents, n.word = t.word AS known
    FROM unnest(:asked) AS t(word)
    CROSS JOIN LATERAL (
        SELECT w.word, w.documents FROM search_words w
        WHERE w.tenant_id = :tenant_id
        ORDER BY w.word <-> t.word LIMIT {WORD_CANDIDATES}
    ) AS n
""").bindparams(bindparam("asked", type_=ARRAY(TEXT)))


class PostgresEngine:
    name = "postgresql"

    def __init__(self, database: AsyncEngine | str) -> None:
        """On the app's engine, or on a database URL: then with a pool of its own, for the
        event loop that searches (a pooled connection belongs to the loop that opened it)."""
        self._given = database if isinstance(database, AsyncEngine) else None
        self._url = database if isinstance(database, str) else ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pool: AsyncEngine | None = None

    @property
    def _engine(self) -> AsyncEngine:
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            if self._pool is not None:
                # Another loop searches now (a process has one; the reindex command and tests
                # run several in turn): the old pool's connections are dropped with their
                # loop, not kept open for ever.
                self._pool.sync_engine.dispose(close=False)
            self._loop, self._pool = loop, create_engine(self._url)
        return self._pool

    async def close(self) -> None:
        """Close the pool of this event loop."""
        pool, self._pool, self._loop = self._pool, None, None
        if pool is not None:
            await pool.dispose()

    # ---- writing ------------------------------------------------------------------------

    async def index(self, docs: Sequence[SearchDocument]) -> None:
        if not docs:
            return
        async with self._engine.begin() as connection:
            configs = await _configurations(connection, {doc.tenant_id for doc in docs})
            rows = [_row(doc, configs[doc.tenant_id]) for doc in docs]
            await connection.execute(UPSERT_DOCUMENT, rows)
            for tenant_id in sorted(configs):
                await _learn_words(
                    connection, tenant_id, [d for d in docs if d.tenant_id == tenant_id]
                )

    async def remove(self, tenant_id: int, thread_ids: Sequence[int]) -> None:
        if not thread_ids:
            return
        async with self._engine.begin() as connection:
            await connection.execute(
                text(
                    "DELETE FROM search_documents "
                    "WHERE tenant_id = :tenant_id AND thread_id = ANY(:ids)"
                ),
                {"tenant_id": tenant_id, "ids": list(thread_ids)},
            )

    async def configure(self, tenant_id: int, settings: SearchSettings) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                text("""
                    INSERT INTO search_vocabulary (tenant_id, synonyms, stop_words)
                    VALUES (:tenant_id, CAST(:synonyms AS jsonb), CAST(:stop_words AS jsonb))
                    ON CONFLICT (tenant_id) DO UPDATE
                    SET synonyms = EXCLUDED.synonyms, stop_words = EXCLUDED.stop_words
                """),
                {
                    "tenant_id": tenant_id,
                    "synonyms": json.dumps([list(group) for group in settings.synonyms]),
                    "stop_words": json.dumps(list(settings.stop_words)),
                },
            )

    async def reset(self, tenant_id: int) -> None:
        async with self._engine.begin() as connection:
            for table in ("search_documents", "search_words"):
                await connection.execute(
                    text(f"DELETE FROM {table} WHERE tenant_id = :tenant_id"),
                    {"tenant_id": tenant_id},
                )

    # ---- reading ------------------------------------------------------------------------

    async def search(self, tenant_id: int, query: SearchQuery, *, locale: str) -> SearchResults:
        async with self._engine.connect() as connection:
            settings = await _vocabulary(connection, tenant_id)
            words = terms.query_words(query.text, settings)
            if not words and terms.WORD.search(query.text):
                return SearchResults((), 0)  # stop words only: they find nothing
            found = await _known_words(connection, tenant_id, words)
            query_terms = _terms(words, found, settings)
            plan = _Plan(tenant_id, query, query_terms, locale)
            rows, total = await plan.run(connection, any_word=False)
            if not total and len(query_terms) > 1:
                # Words no document holds are left out ("mot de passe oublié": "oublié").
                kept = await plan.present(connection)
                if kept and len(kept) < len(query_terms):
                    plan = dataclasses.replace(plan, query_terms=kept)
                    rows, total = await plan.run(connection, any_word=False)
            if not total and query_terms:
                # Still nothing together: any of the words, or a title that looks like them.
                rows, total = await plan.run(connection, any_word=True)
        return SearchResults(
            hits=tuple(_hit(row) for row in rows),
            total=total,
            suggestion=_suggestion(query_terms),
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    tenant_id: int
    query: SearchQuery
    query_terms: list[terms.Term]
    locale: str

    async def run(self, connection: AsyncConnection, *, any_word: bool) -> tuple[list[Any], int]:
        statement, params = _search_statement(self, any_word=any_word, offset=self.query.offset)
        rows = list((await connection.execute(statement, params)).all())
        if rows or not self.query.offset:
            return rows, int(rows[0].total) if rows else 0
        # The page asked for lies past the last hit: the total still counts.
        statement, params = _search_statement(self, any_word=any_word, offset=0)
        first = (await connection.execute(statement, params)).first()
        return [], int(first.total) if first else 0

    async def present(self, connection: AsyncConnection) -> list[terms.Term]:
        """The query's words that some document of the tenant holds."""
        params: dict[str, Any] = {"config": configuration(self.locale), "tenant_id": self.tenant_id}
        checks = [
            "EXISTS (SELECT 1 FROM search_documents d WHERE d.tenant_id = :tenant_id"
            f" AND d.document @@ {_tsquery(term, n, params)})"
            for n, term in enumerate(self.query_terms)
        ]
        row = (await connection.execute(text(f"SELECT {', '.join(checks)}"), params)).one()
        return [term for term, held in zip(self.query_terms, row, strict=True) if held]


# ---- helpers ---------------------------------------------------------------------------


async def _configurations(connection: AsyncConnection, tenant_ids: set[int]) -> dict[int, str]:
    rows = await connection.execute(
        text("SELECT id, locale FROM tenants WHERE id = ANY(:ids)"), {"ids": sorted(tenant_ids)}
    )
    found = {row.id: configuration(row.locale) for row in rows}
    return {tenant_id: found.get(tenant_id, "parvis_english") for tenant_id in tenant_ids}


def _row(doc: SearchDocument, config: str) -> dict[str, Any]:
    def clean(value: str, limit: int = TEXT_LIMIT) -> str:
        return terms.storable(value[:limit])

    hyphenated = [
        word.replace("-", "")
        for part in (doc.title, doc.body, doc.best_answers)
        for word in terms.WORD.findall(part)
        if "-" in word
    ]
    return {
        "tenant_id": doc.tenant_id,
        "thread_id": doc.thread_id,
        "title": clean(doc.title),
        "slug": doc.slug,
        "kind": doc.kind,
        "category_id": doc.category_id,
        "tags": list(doc.tags),
        "resolved": doc.resolved,
        "certified": doc.certified,
        "score": doc.score,
        "created_at": doc.created_at,
        "updated_at": doc.updated_at,
        "body": clean(doc.body),
        "answers": clean(doc.answers, ANSWERS_LIMIT),
        "best_answers": clean(doc.best_answers),
        # Tags, and "wi-fi" written also as "wifi", so either spelling finds it.
        "keywords": clean(" ".join([*doc.tags, *dict.fromkeys(hyphenated)])),
        "config": config,
    }


async def _learn_words(
    connection: AsyncConnection, tenant_id: int, docs: Sequence[SearchDocument]
) -> None:
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(
            terms.vocabulary((doc.title, doc.body, doc.answers, doc.best_answers, *doc.tags))
        )
    words = sorted(counts)  # one order for every writer: no deadlock between two jobs
    await connection.execute(
        UPSERT_WORDS,
        {"tenant_id": tenant_id, "words": words, "counts": [counts[w] for w in words]},
    )


async def _vocabulary(connection: AsyncConnection, tenant_id: int) -> SearchSettings:
    row = (
        await connection.execute(
            # Each search is planned for its own words: a plan made for the statement's
            # shape alone (what a prepared statement falls back to) scans every match twice.
            text(
                "SELECT v.synonyms, v.stop_words"
                " FROM (SELECT set_config('plan_cache_mode', 'force_custom_plan', true)) AS s"
                " LEFT JOIN search_vocabulary v ON v.tenant_id = :t"
            ),
            {"t": tenant_id},
        )
    ).first()
    if row is None or row.synonyms is None:
        return SearchSettings()
    return SearchSettings(
        synonyms=tuple(tuple(group) for group in row.synonyms),
        stop_words=tuple(row.stop_words),
    )


async def _known_words(
    connection: AsyncConnection, tenant_id: int, words: list[str]
) -> dict[str, list[tuple[str, int]]]:
    """For each single word of the query, its nearest known words (itself, when known)."""
    asked = sorted({w for w in words if w.isalpha() and len(w) >= 3})
    found: dict[str, list[tuple[str, int]]] = {w: [] for w in asked}
    if asked:
        rows = await connection.execute(NEAREST_WORDS, {"tenant_id": tenant_id, "asked": asked})
        for row in rows:
            found[row.asked].append((row.word, row.documents))
    return found


def _terms(
    words: list[str], found: dict[str, list[tuple[str, int]]], settings: SearchSettings
) -> list[terms.Term]:
    made = []
    for position, word in enumerate(words):
        candidates = found.get(word, [])
        known = any(candidate == word for candidate, _n in candidates)
        fixes = () if known or not candidates else tuple(terms.corrections(word, candidates))
        related = [s for w in (word, *fixes) for s in terms.synonyms_of(w, settings)]
        made.append(
            terms.Term(
                word=word,
                synonyms=tuple(s for s in dict.fromkeys(related) if s != word),
                corrections=fixes,
                # A word being typed (the last one) or unknown may be the start of a longer one.
                prefix=word.isalnum() and (not known or position == len(words) - 1),
            )
        )
    return made


def _suggestion(query_terms: list[terms.Term]) -> str | None:
    if not any(term.corrections for term in query_terms):
        return None
    return " ".join(term.corrections[0] if term.corrections else term.word for term in query_terms)


def _tsquery(term: terms.Term, index: int, params: dict[str, Any]) -> str:
    """One OR group: the word (as a prefix when it may be one), its synonyms, corrections.
    Single words go through to_tsquery (only letters and digits reach it), the rest through
    phraseto_tsquery, which takes any text."""
    parts = []
    for n, alternative in enumerate(term.alternatives()):
        key = f"t{index}_{n}"
        if alternative.isalnum():
            params[key] = f"{alternative}:*" if n == 0 and term.prefix else alternative
            parts.append(f"to_tsquery(CAST(:config AS regconfig), :{key})")
        else:
            params[key] = alternative
            parts.append(f"phraseto_tsquery(CAST(:config AS regconfig), :{key})")
    return "(" + " || ".join(parts) + ")"


def _filters(tenant_id: int, query: SearchQuery, params: dict[str, Any]) -> list[str]:
    params["tenant_id"] = tenant_id
    where = ["d.tenant_id = :tenant_id"]
    if query.category_ids:
        params["categories"] = list(query.category_ids)
        where.append("d.category_id = ANY(:categories)")
    if query.tags:
        params["tags"] = list(query.tags)
        where.append("d.tags @> CAST(:tags AS text[])")
    if query.kinds:
        params["kinds"] = list(query.kinds)
        where.append("d.kind = ANY(:kinds)")
    for flag in ("resolved", "certified"):
        value = getattr(query, flag)
        if value is not None:
            params[flag] = value
            where.append(f"d.{flag} = :{flag}")
    if query.since is not None:
        params["since"] = datetime.combine(query.since, time(), UTC)
        where.append("d.created_at >= :since")
    if query.until is not None:
        params["until"] = datetime.combine(query.until + timedelta(days=1), time(), UTC)
        where.append("d.created_at < :until")
    return where


ORDER = {
    SearchSort.RELEVANCE: "rescored DESC, rank DESC, created_at DESC, thread_id DESC",
    SearchSort.NEWEST: "created_at DESC, thread_id DESC",
    SearchSort.VOTES: "score DESC, created_at DESC, thread_id DESC",
}
BOOSTS = f"{RESOLVED_BOOST} * d.resolved::int + {CERTIFIED_BOOST} * d.certified::int"
# Every match is ranked by whether its head (title, best answers, tags) matches, and its
# boosts: cheap, when ts_rank_cd over thousands of matches is not. The best hundred are then
# ranked again with ts_rank_cd over their whole document.
HEAD_MATCH = "(d.head @@ q.query)::int"
RESCORED = 100


def _search_statement(plan: _Plan, *, any_word: bool, offset: int) -> tuple[Any, dict[str, Any]]:
    """All the words (each with its synonyms and corrections), or any of them: then the
    documents matching the most words come first, and titles that look like the query count."""
    query = plan.query
    params: dict[str, Any] = {
        "config": configuration(plan.locale),
        "offset": max(offset, 0),
        "limit": max(min(query.limit, 100), 1),
        "angles": terms.ANGLES,
    }
    where = _filters(plan.tenant_id, query, params)
    sort = query.sort if plan.query_terms else SearchSort.NEWEST
    if not plan.query_terms:
        return _statement(where, "0.0", sort, "NULL::tsquery"), params
    groups = [_tsquery(term, n, params) for n, term in enumerate(plan.query_terms)]
    rank = f"{HEAD_MATCH} + {BOOSTS}"
    if not any_word:
        where.append("d.document @@ q.query")
        return _statement(where, rank, sort, " && ".join(groups)), params
    params["plain"] = " ".join(term.word for term in plan.query_terms)
    where.append("(d.document @@ q.query OR :plain <% parvis_unaccent(d.title))")
    matches = " + ".join(f"(d.document @@ {group})::int" for group in groups)
    rank = (
        f"({matches})::float / {len(groups)} + {rank}"
        f" + {TITLE_SIMILARITY} * word_similarity(:plain, parvis_unaccent(d.title))"
    )
    return _statement(where, rank, sort, " || ".join(groups)), params


def _statement(where: list[str], rank: str, sort: SearchSort, tsquery: str) -> Any:
    # Narrow rows are counted and sorted (for relevance ranked, the best of them again on
    # their whole document); the page's rows are read, and their snippets made, only then.
    relevance = sort == SearchSort.RELEVANCE
    order = ORDER[sort]
    ranked = (
        f"""rescored AS (
            SELECT m.thread_id, m.rank + ts_rank_cd('{WEIGHTS}', d.document, q.query, 32) AS rank
            FROM (SELECT * FROM matched ORDER BY rank DESC, created_at DESC, thread_id DESC
                  LIMIT {RESCORED}) AS m
            JOIN search_documents d ON d.tenant_id = :tenant_id AND d.thread_id = m.thread_id
            CROSS JOIN q
        ),
        ranked AS (
            SELECT m.thread_id, m.created_at, m.score, r.thread_id IS NOT NULL AS rescored,
                   coalesce(r.rank, m.rank) AS rank
            FROM matched m LEFT JOIN rescored r ON r.thread_id = m.thread_id
        )"""
        if relevance
        else "ranked AS (SELECT * FROM matched)"
    )
    return text(f"""
        WITH q AS (SELECT {tsquery} AS query),
        matched AS MATERIALIZED (
            SELECT d.thread_id, d.created_at, d.score, {rank if relevance else "0.0"} AS rank
            FROM search_documents d, q
            WHERE {" AND ".join(where)}
        ),
        {ranked},
        page AS (SELECT * FROM ranked ORDER BY {order} OFFSET :offset LIMIT :limit)
        SELECT d.thread_id, d.title, d.slug, d.kind, d.category_id, d.tags, d.resolved,
               d.certified, d.score, d.created_at, (SELECT count(*) FROM matched) AS total,
               CASE WHEN q.query IS NULL THEN left(d.body, {SHORT_TEXT})
               ELSE ts_headline(
                   d.config, source.text, q.query,
                   CASE WHEN length(source.text) <= {SHORT_TEXT} THEN '{WHOLE}'
                   ELSE '{HEADLINE}' END)
               END AS snippet
        FROM page
        JOIN search_documents d ON d.tenant_id = :tenant_id AND d.thread_id = page.thread_id
        CROSS JOIN LATERAL (
            SELECT translate(
                left(d.body || E'\\n' || d.best_answers || E'\\n' || d.answers,
                     {SNIPPET_SOURCE_CHARS}),
                '<>', :angles) AS text
        ) AS source
        CROSS JOIN q
        ORDER BY {", ".join("page." + part for part in order.split(", "))}
    """)  # only bound parameters carry what the member typed


def _hit(row: Row[Any]) -> SearchHit:
    return SearchHit(
        thread_id=row.thread_id,
        title=row.title,
        slug=row.slug,
        kind=row.kind,
        category_id=row.category_id,
        snippet=terms.marked(row.snippet or ""),
        tags=tuple(row.tags),
        resolved=row.resolved,
        certified=row.certified,
        score=row.score,
        created_at=row.created_at,
    )
