"""The community admin's search settings page: synonyms and stop words."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.scope import Scope
from community.search import admin
from community.web.context import Req
from community.web.render import render, see_other

PAGE = "/admin/search"


class SearchAdminPages(Controller):
    path = PAGE
    include_in_schema = False

    @get("/")
    async def settings_form(self, request: Req, here: NamedDependency[Scope]) -> Template:
        form = await admin.search_words(here)
        saved = request.query_params.get("saved") == "1"
        return render(request, "search/admin.html", form=form, errors={}, saved=saved)

    @post("/")
    async def save_settings(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        # Read as sent: the service refuses control characters by field, so the form comes
        # back with what was typed and the field marked, not an error page.
        sent = await request.form()
        form = admin.SearchWordsForm(
            synonyms=str(sent.get("synonyms", "")), stop_words=str(sent.get("stop_words", ""))
        )
        try:
            await admin.save_search_words(here, form)
        except ValidationFailed as exc:
            return render(request, "search/admin.html", status_code=422, form=form,
                          errors=exc.errors, saved=False)  # fmt: skip
        return see_other(f"{PAGE}?saved=1")
