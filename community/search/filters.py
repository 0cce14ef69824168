"""What the search page and `GET /api/v1/search` share: their parameters read into a
`SearchQuery`, the search run, and one page of hits with what a page shows beside them.

A parameter that names nothing (an unknown category or tag, a date that is not one, a page
past the last) is refused with a 400 naming it (`BadSearch`), never a server error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

from community.errors import ValidationFailed
from community.forums import services as forums
from community.forums.models import Category, CategoryKind, ThreadKind
from community.inputs import has_control_characters, normalise_line
from community.l10n import N_
from community.pagination import Page
from community.scope import Scope
from community.search.port import SearchHit, SearchQuery, SearchResults, SearchSort
from community.search.service import search
from community.tags import services as tags
from community.tags.models import Tag

TEXT_MAX = 200
KINDS = tuple(kind.value for kind in ThreadKind)
YES_NO = {"yes": True, "no": False, "": None}


class BadSearch(ValidationFailed):
    """A search parameter that does not name anything: 400, by parameter."""

    status_code = 400


@dataclass(frozen=True)
class SearchParams:
    """The parameters as given (strings, '' when absent), as the form shows them again."""

    q: str = ""
    category: str = ""
    tag: str = ""
    kind: str = ""
    resolved: str = ""  # "yes", "no" or ""
    certified: str = ""  # "yes" or ""
    since: str = ""  # YYYY-MM-DD, the `from` parameter
    until: str = ""  # YYYY-MM-DD, the `to` parameter
    sort: str = ""
    page: int = 1

    @property
    def text(self) -> str:
        return normalise_line(self.q)

    def link(self, **changes: str | int) -> str:
        """This search's address with some parameters changed (a page, a suggestion)."""
        given = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "q": given.q,
            "category": given.category,
            "tag": given.tag,
            "kind": given.kind,
            "resolved": given.resolved,
            "certified": given.certified,
            "from": given.since,
            "to": given.until,
            "sort": given.sort,
            "page": str(given.page) if given.page > 1 else "",
        }
        return "/search?" + urlencode({k: v for k, v in pairs.items() if v})


@dataclass(frozen=True)
class SearchPage:
    """A page of hits (None before anything was asked), and what the filters offer."""

    params: SearchParams
    hits: Page[SearchHit] | None
    suggestion: str | None
    categories: list[Category]
    tags: list[Tag]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def categories_by_id(self) -> dict[int, Category]:
        return {category.id: category for category in self.categories}

    def tags_of(self, hit: SearchHit) -> list[Tag]:
        """The hit's tags as the community has them now (by slug or by name)."""
        known = {tag.slug: tag for tag in self.tags} | {tag.name: tag for tag in self.tags}
        return [known[name] for name in hit.tags if name in known]

    @property
    def filtered(self) -> bool:
        p = self.params
        return any((p.category, p.tag, p.kind, p.resolved, p.certified, p.since, p.until))


def _date(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = N_("Enter a date as YYYY-MM-DD.")
        return None


def _checked(params: SearchParams, errors: dict[str, str]) -> tuple[date | None, date | None]:
    """The problems of the parameters that need no database; the dates read."""
    if has_control_characters(params.q) or len(params.q) > TEXT_MAX:
        errors["q"] = N_("Search for 200 characters at most.")
    if params.kind and params.kind not in KINDS:
        errors["kind"] = N_("Search questions, discussions or ideas.")
    if params.resolved not in YES_NO or params.certified not in ("", "yes"):
        errors["status"] = N_("Filter on resolved, unresolved or certified threads.")
    if params.sort and params.sort not in {sort.value for sort in SearchSort}:
        errors["sort"] = N_("Sort by relevance, newest or votes.")
    since, until = _date(params.since, "from", errors), _date(params.until, "to", errors)
    if since and until and since > until:
        errors["to"] = N_("The end date comes before the start date.")
    return since, until


async def _filter_choices(scope: Scope) -> tuple[list[Category], list[Tag]]:
    categories = await forums.list_categories(scope) + await forums.list_categories(
        scope, CategoryKind.IDEAS
    )
    return categories, await tags.list_tags(scope)


def to_query(
    params: SearchParams, categories: list[Category], all_tags: list[Tag], page_size: int
) -> SearchQuery:
    """The engine's query, or BadSearch naming each parameter that does not parse."""
    errors: dict[str, str] = {}
    since, until = _checked(params, errors)
    category = next((c for c in categories if c.slug == params.category), None)
    if params.category and category is None:
        errors["category"] = N_("There is no such category.")
    if params.tag and params.tag not in {tag.slug for tag in all_tags}:
        errors["tag"] = N_("There is no such tag.")
    if errors:
        raise BadSearch(errors)
    return SearchQuery(
        text=params.text,
        category_ids=(category.id,) if category else (),
        tags=(params.tag,) if params.tag else (),
        kinds=(params.kind,) if params.kind else (),
        resolved=YES_NO[params.resolved],
        certified=True if params.certified == "yes" else None,
        since=since,
        until=until,
        sort=SearchSort(params.sort) if params.sort else SearchSort.RELEVANCE,
        offset=(params.page - 1) * page_size,
        limit=page_size,
    )


async def run_search(scope: Scope, params: SearchParams, page_size: int) -> SearchPage:
    """The search the parameters ask for (nothing before there is text to look for)."""
    categories, all_tags = await _filter_choices(scope)
    query = to_query(params, categories, all_tags, page_size)
    if not query.text:
        return SearchPage(params, None, None, categories, all_tags)
    results: SearchResults = await search(scope, query)
    hits = Page(list(results.hits), params.page, page_size, results.total)
    if params.page > hits.count:
        message = N_("There is no page %(page)s of these results.") % {"page": params.page}
        raise BadSearch({"page": message})
    return SearchPage(params, hits, results.suggestion, categories, all_tags)


async def refused_search(scope: Scope, params: SearchParams, exc: BadSearch) -> SearchPage:
    """The page for a refused search: the form again, with each problem marked."""
    categories, all_tags = await _filter_choices(scope)
    return SearchPage(params, None, None, categories, all_tags, exc.errors)
