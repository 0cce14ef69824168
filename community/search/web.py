"""The search page, GET /search: the query box, filters, hits with highlighted snippets."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from community.scope import Scope
from community.search.filters import BadSearch, SearchParams, refused_search, run_search
from community.web.context import Req, is_htmx, page_size
from community.web.inputs import PageNumber
from community.web.render import render


class SearchPages(Controller):
    include_in_schema = False

    @get("/search")
    async def search(
        self,
        request: Req,
        here: NamedDependency[Scope],
        q: FromQuery[str] = "",
        category: FromQuery[str] = "",
        tag: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        resolved: FromQuery[str] = "",
        certified: FromQuery[str] = "",
        since: Annotated[str, QueryParameter(name="from")] = "",
        until: Annotated[str, QueryParameter(name="to")] = "",
        sort: FromQuery[str] = "",
        page: PageNumber = 1,
    ) -> Template:
        params = SearchParams(q, category, tag, kind, resolved, certified, since, until, sort, page)
        template = "search/partials/results.html" if is_htmx(request) else "search/search.html"
        try:
            found = await run_search(here, params, page_size(request))
        except BadSearch as exc:
            refused = await refused_search(here, params, exc)
            return render(request, template, status_code=400, found=refused)
        return render(request, template, found=found)
