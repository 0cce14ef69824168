"""The admin's embedding page: the snippet to paste in the brand's pages, each widget's, and
the origins allowed to frame the community (edited with the signed-token settings, where the
embedded sign-in that needs them is set up: one place only)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from community.forums import services as forums
from community.forums.models import Category
from community.ideas import services as ideas
from community.identity.permissions import Permission
from community.l10n import N_, translate
from community.scope import Scope
from community.tags import services as tags
from community.tags.models import Tag
from community.tenancy.embedding import embed_origins

ADMINS_ONLY = N_("Only community admins can see the embedding settings.")
ORIGINS_PAGE = "/admin/sso/token"


@dataclass(frozen=True)
class Widget:
    name: str  # its address: /embed/widgets/<name>
    label: str
    description: str


WIDGETS = (
    Widget("questions", N_("Top questions"),
           N_("The questions with the most votes, of a category or a tag.")),
    Widget("ask", N_("Ask the community"),
           N_("A question box that suggests answered questions while it is typed, then hands over to the ask page.")),
    Widget("certified", N_("Latest certified answers"),
           N_("The answers your staff certified most recently.")),
    Widget("ideas", N_("Idea board"),
           N_("The ideas with the most votes; members vote in the widget, guests are asked to sign in.")),
)  # fmt: skip


@dataclass(frozen=True)
class Choice:
    """What the widgets show, as the admin picked it (slugs; "" for all)."""

    category: str = ""
    tag: str = ""
    board: str = ""


@dataclass(frozen=True)
class WidgetSnippet:
    widget: Widget
    path: str
    snippet: str


@dataclass(frozen=True)
class EmbedSetup:
    base_url: str
    origins: tuple[str, ...]
    snippet: str  # the whole community
    widgets: list[WidgetSnippet]
    choice: Choice
    categories: list[Category]
    boards: list[Category]
    tags: list[Tag]


def snippet(base_url: str, path: str, title: str) -> str:
    """The script tag a brand pastes: embed.js mounts `path` in an iframe where it stands."""
    return (
        f'<script src="{escape(base_url)}/embed.js" data-parvis-path="{escape(path)}" '
        f'data-parvis-title="{escape(title)}" async></script>'
    )


def widget_path(widget: Widget, choice: Choice) -> str:
    params = {
        "questions": {"category": choice.category, "tag": choice.tag},
        "certified": {"category": choice.category},
        "ideas": {"board": choice.board},
    }.get(widget.name, {})
    query = urlencode({name: value for name, value in params.items() if value})
    return f"/embed/widgets/{widget.name}" + (f"?{query}" if query else "")


async def embed_setup(scope: Scope, base_url: str, picked: Choice, title: str) -> EmbedSetup:
    """The page's snippets for the community at `base_url`; a picked slug that names nothing
    is dropped (the admin's choice only narrows what a widget shows)."""
    scope.require(Permission.CONFIGURE_COMMUNITY, ADMINS_ONLY)
    categories = await forums.list_categories(scope)
    boards = await ideas.idea_boards(scope)
    known_tags = await tags.list_tags(scope)
    choice = Choice(
        category=_known(picked.category, [c.slug for c in categories]),
        tag=_known(picked.tag, [t.slug for t in known_tags]),
        board=_known(picked.board, [b.slug for b in boards]),
    )
    widgets = [
        # The frame's title is read out on the brand's page: in the community's language.
        WidgetSnippet(w, path, snippet(base_url, path, translate(scope.tenant.locale, w.label)))
        for w in WIDGETS
        for path in [widget_path(w, choice)]
    ]
    return EmbedSetup(
        base_url, embed_origins(scope.tenant.preferences), snippet(base_url, "/", title),
        widgets, choice, categories, boards, known_tags,
    )  # fmt: skip


def _known(slug: str, slugs: list[str]) -> str:
    return slug if slug in slugs else ""
