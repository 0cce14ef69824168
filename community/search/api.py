"""GET /api/v1/search: the search page's hits as JSON, with the same parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from community.forums.models import Category, ThreadKind
from community.forums.schemas import PageInfo
from community.scope import Scope
from community.search.filters import SearchParams, run_search
from community.search.port import SearchHit
from community.web.inputs import PageNumber
from community.web.openapi import PUBLIC_READ

Text = Annotated[str, QueryParameter(max_length=200, description="What to look for")]


class HitOut(msgspec.Struct):
    id: int
    title: str
    kind: ThreadKind
    category: str  # its slug
    url: str
    snippet_html: str  # HTML-escaped text, the matched words wrapped in <mark>
    tags: list[str]
    resolved: bool
    certified: bool
    score: int
    created_at: datetime

    @classmethod
    def of(cls, hit: SearchHit, categories: dict[int, Category]) -> HitOut:
        category = categories.get(hit.category_id)
        return cls(
            id=hit.thread_id,
            title=hit.title,
            kind=ThreadKind(hit.kind),
            category=category.slug if category else "",
            url=hit_url(hit),
            snippet_html=hit.snippet,
            tags=list(hit.tags),
            resolved=hit.resolved,
            certified=hit.certified,
            score=hit.score,
            created_at=hit.created_at,
        )


def hit_url(hit: SearchHit) -> str:
    if hit.kind == ThreadKind.IDEA:
        return f"/ideas/thread/{hit.thread_id}"
    return f"/t/{hit.thread_id}/{hit.slug}"


class SearchOut(msgspec.Struct):
    items: list[HitOut]
    pagination: PageInfo
    suggestion: str | None  # "did you mean", when the text found little or nothing


class SearchApi(Controller):
    path = "/api/v1/search"
    tags = ["search"]

    @get("/", **PUBLIC_READ)
    async def search(
        self,
        request: Request[Any, Any, Any],
        here: NamedDependency[Scope],
        q: Text = "",
        category: Annotated[str, QueryParameter(description="Category slug")] = "",
        tag: Annotated[str, QueryParameter(description="Tag slug")] = "",
        kind: Annotated[str, QueryParameter(description="question, discussion or idea")] = "",
        resolved: Annotated[
            str, QueryParameter(description="yes: resolved only; no: unresolved only")
        ] = "",
        certified: Annotated[str, QueryParameter(description="yes: certified answers only")] = "",
        since: Annotated[
            str, QueryParameter(name="from", description="From this day, YYYY-MM-DD")
        ] = "",
        until: Annotated[
            str, QueryParameter(name="to", description="Until this day, YYYY-MM-DD")
        ] = "",
        sort: Annotated[str, QueryParameter(description="relevance, newest or votes")] = "",
        page: PageNumber = 1,
    ) -> SearchOut:
        """Threads of this community matching `q`, a page at a time, as its members see them.
        A parameter that names nothing (an unknown category or tag, a bad date, a page past
        the last) answers 400 with `errors` naming it."""
        params = SearchParams(q, category, tag, kind, resolved, certified, since, until, sort, page)
        found = await run_search(here, params, request.app.state.settings.page_size)
        hits = found.hits
        if hits is None:
            return SearchOut([], PageInfo(1, 1, 0), None)
        categories = found.categories_by_id
        items = [HitOut.of(hit, categories) for hit in hits.items]
        return SearchOut(items, PageInfo(hits.number, hits.count, hits.total), found.suggestion)
