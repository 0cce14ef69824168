"""`/embed.js`, the widgets' pages (`/embed/widgets/...`, small pages a brand frames) and the
admin's embedding page. Every widget works without JavaScript; htmx only enhances them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import File, Redirect, Template

from community.embed import setup, widgets
from community.escalation.delivery import tenant_base_url
from community.scope import Scope
from community.web.context import Req, is_htmx
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other

SCRIPT_CACHE = (
    "public, max-age=3600"  # a fixed address: brands pick up a new version within the hour
)


class EmbedScript(Controller):
    include_in_schema = False

    @get("/embed.js")
    async def script(self, request: Req) -> File:
        """The brand page's script: mounts the community (or a widget) in an iframe."""
        return File(
            request.app.state.settings.static_dir / "js" / "embed.js",
            media_type="text/javascript; charset=utf-8",
            content_disposition_type="inline",
            headers={"Cache-Control": SCRIPT_CACHE},
        )


def _widget(request: Req, name: str, **context: Any) -> Template:
    return render(request, f"embed/{name}.html", embedded=True, widget=True,
                  query=request.url.query, **context)  # fmt: skip


class WidgetPages(Controller):
    path = "/embed/widgets"
    include_in_schema = False

    @get("/questions")
    async def questions(
        self, request: Req, here: NamedDependency[Scope], category: FromQuery[str] = "",
        tag: FromQuery[str] = "", limit: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        shown = await widgets.top_questions(
            here, category=category, tag=tag, limit=widgets.widget_limit(limit)
        )
        return _widget(request, "questions", items=shown)

    @get("/certified")
    async def certified(
        self, request: Req, here: NamedDependency[Scope], category: FromQuery[str] = "",
        limit: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        shown = await widgets.certified_answers(
            here, category=category, limit=widgets.widget_limit(limit)
        )
        return _widget(request, "certified", items=shown)

    @get("/ask")
    async def ask(
        self, request: Req, here: NamedDependency[Scope], q: FromQuery[str] = "",
        suggestion_key: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        found = await widgets.ask_suggestions(here, q, suggestion_key)
        name = "partials/ask_suggestions" if is_htmx(request) else "ask"
        return _widget(request, name, question=q[:200], suggestions=found.hits,
                       suggestion_key=found.key)  # fmt: skip

    @get("/ideas")
    async def ideas(
        self, request: Req, here: NamedDependency[Scope], board: FromQuery[str] = "",
        limit: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        shown = await widgets.top_ideas(here, board=board, limit=widgets.widget_limit(limit))
        return _widget(request, "ideas", items=shown.ideas, voted=shown.voted)

    @post("/ideas/{idea_id:int}/vote")
    async def vote(
        self, request: Req, here: NamedDependency[Scope], idea_id: Id
    ) -> Template | Redirect:
        values = await form_fields(request, "action", "back")
        withdraw = values["action"] == "unvote"
        idea = await widgets.vote_on_idea(here, idea_id, withdraw=withdraw)
        if is_htmx(request):
            voted = frozenset() if withdraw else frozenset({idea.id})
            return _widget(request, "partials/idea_vote", idea=idea, voted=voted)
        return see_other(_back_to_ideas(values["back"]))


def _back_to_ideas(query: str) -> str:
    """The widget's own address again, with only the parameters it reads."""
    params = parse_qs(query[:500])
    kept = {name: params[name][0] for name in ("board", "limit") if params.get(name)}
    return "/embed/widgets/ideas" + (f"?{urlencode(kept)}" if kept else "")


class EmbedAdminPages(Controller):
    include_in_schema = False

    @get("/admin/embed")
    async def page(
        self, request: Req, here: NamedDependency[Scope], category: FromQuery[str] = "",
        tag: FromQuery[str] = "", board: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        base_url = await tenant_base_url(here, request.app.state.settings.delivery)
        picked = setup.Choice(category=category, tag=tag, board=board)
        shown = await setup.embed_setup(here, base_url, picked, here.tenant.name)
        return render(request, "embed/admin.html", setup=shown, origins_page=setup.ORIGINS_PAGE)
