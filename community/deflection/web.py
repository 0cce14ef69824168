"""Deflection's pages: the similar questions fragment of the ask form, "This solved my
problem" on a suggested thread, and the admin's figures per day."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template

from community.db import utcnow
from community.deflection import services as deflection
from community.deflection.hooks import TRACKING
from community.errors import ValidationFailed
from community.forums.web import thread_url
from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other

FirstDay = Annotated[str, QueryParameter(name="from", description="First day, YYYY-MM-DD")]
LastDay = Annotated[str, QueryParameter(name="to", description="Last day, YYYY-MM-DD")]


class DeflectionPages(Controller):
    include_in_schema = False

    @get("/ask/similar")
    async def similar_questions(
        self,
        request: Req,
        here: NamedDependency[Scope],
        title: FromQuery[str] = "",
        suggestion_key: FromQuery[str] = "",
    ) -> Template:
        """The ask form's suggestions while the title is typed (htmx)."""
        found = await deflection.suggest(here, title, suggestion_key)
        return render(request, "deflection/partials/similar.html", suggestions=found.hits,
                      suggestion_key=found.key)  # fmt: skip

    @post("/t/{thread_id:int}/solved")
    async def solved(self, request: Req, here: NamedDependency[Scope], thread_id: Id) -> Redirect:
        key = (await form_fields(request, "suggestion_key"))["suggestion_key"]
        thread = await deflection.mark_solved(here, key, thread_id)
        query = urlencode({TRACKING: key})
        return see_other(f"{thread_url(thread)}?{query}#solved")

    @get("/admin/deflection")
    async def figures(
        self,
        request: Req,
        here: NamedDependency[Scope],
        first: FirstDay = "",
        last: LastDay = "",
    ) -> Template:
        errors: dict[str, str] = {}
        try:
            start, end = deflection.date_range(first, last, utcnow().date())
        except ValidationFailed as exc:
            errors = exc.errors
            start, end = deflection.date_range("", "", utcnow().date())
        shown = await deflection.report(here, start, end)
        return render(request, "deflection/admin.html", status_code=422 if errors else 200,
                      report=shown, errors=errors, first=first, last=last)  # fmt: skip
