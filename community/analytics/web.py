"""The manager dashboard page, its charts as SVG images and their figures as CSV."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Response, Template

from community.analytics import charts, services
from community.errors import NotFound, ValidationFailed
from community.scope import Scope
from community.web.context import Req
from community.web.render import base_context, render

Period = Annotated[str, QueryParameter(name="period", description="7, 30 or 90 (days to today)")]
FirstDay = Annotated[str, QueryParameter(name="from", description="First day, YYYY-MM-DD")]
LastDay = Annotated[str, QueryParameter(name="to", description="Last day, YYYY-MM-DD")]
CategorySlug = Annotated[str, QueryParameter(name="category", description="A category's slug")]
FORMATS = {"svg": "image/svg+xml", "csv": "text/csv; charset=utf-8"}


class DashboardPages(Controller):
    include_in_schema = False

    @get("/admin/dashboard")
    async def page(
        self, request: Req, here: NamedDependency[Scope], period: Period = "",
        first: FirstDay = "", last: LastDay = "", category: CategorySlug = "",
    ) -> Template:  # fmt: skip
        errors: dict[str, str] = {}
        try:
            query = await services.parse_query(here, period, first, last, category)
        except ValidationFailed as exc:
            errors = exc.errors
            query = await services.parse_query(here, "", "", "", "")
        shown = await services.dashboard(here, query)
        drawn = charts.charts(shown, base_context(request)["locale"])
        images = {chart.name: charts.as_data_uri(chart, _colours(here)) for chart in drawn}
        return render(request, "analytics/dashboard.html", status_code=422 if errors else 200,
                      dashboard=shown, charts=drawn, images=images,
                      errors=errors, asked={"period": period, "from": first, "to": last,
                      "category": category}, categories=await services.categories(here))  # fmt: skip

    @get("/admin/dashboard/{file:str}")
    async def chart_file(
        self, request: Req, here: NamedDependency[Scope], file: str, period: Period = "",
        first: FirstDay = "", last: LastDay = "", category: CategorySlug = "",
    ) -> Response[bytes]:  # fmt: skip
        name, _, extension = file.partition(".")
        if name not in charts.CHARTS or extension not in FORMATS:
            raise NotFound("There is no such chart.")
        query = await services.parse_query(here, period, first, last, category)
        chart = charts.chart(await services.dashboard(here, query), name,
                             base_context(request)["locale"])  # fmt: skip
        if extension == "svg":
            return Response(charts.as_svg(chart, _colours(here)), media_type=FORMATS["svg"])
        disposition = f'attachment; filename="{name}-{query.first}-{query.last}.csv"'
        return Response(charts.as_csv(chart).encode(), media_type=FORMATS["csv"],
                        headers={"content-disposition": disposition})  # fmt: skip


def _colours(here: Scope) -> tuple[str, ...]:
    """The brand's primary and accent colours, for the charts' first two series."""
    theme = here.tenant.theme
    return tuple(c for c in (theme.get("primary", ""), theme.get("accent", "")) if c)
