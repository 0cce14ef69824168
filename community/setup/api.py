"""Categories and domains through the JSON API, under /api/v1/admin (community admins)."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from community.forums.models import Category, CategoryKind, Posting
from community.scope import Scope
from community.setup import categories, domains
from community.setup.categories import CategoryForm
from community.tenancy.models import TenantDomain
from community.web.context import Req
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE


class CategoryIn(Input):
    name: str
    slug: str = ""  # "" takes one from the name
    description: str = ""
    kind: str = CategoryKind.FORUM.value  # forum (both), questions, discussions or ideas
    premoderated: bool = False
    posting: str = Posting.MEMBERS.value  # members or staff

    def form(self) -> CategoryForm:
        return CategoryForm(**{name: getattr(self, name) for name in self.__struct_fields__})


class CategoryOut(msgspec.Struct):
    id: int
    name: str
    slug: str
    description: str
    kind: str
    premoderated: bool
    posting: str
    archived: bool
    position: int
    thread_count: int
    url: str

    @classmethod
    def of(cls, category: Category) -> CategoryOut:
        return cls(
            category.id, category.name, category.slug, category.description,
            category.kind.value, category.premoderated, category.posting.value,
            category.is_archived, category.position, category.thread_count,
            f"/c/{category.slug}",
        )  # fmt: skip


class ArchivedIn(Input):
    archived: bool


class OrderIn(Input):
    ids: list[int]  # the categories' ids in their new order (those left out follow)


class DomainIn(Input):
    domain: str


class DomainOut(msgspec.Struct):
    id: int
    domain: str
    canonical: bool

    @classmethod
    def of(cls, domain: TenantDomain) -> DomainOut:
        return cls(domain.id, domain.domain, domain.canonical)


class SetupApi(Controller):
    path = "/api/v1/admin"
    tags = ["community setup"]

    @get("/categories", **MEMBER_READ)
    async def list_categories(self, here: NamedDependency[Scope]) -> list[CategoryOut]:
        """Every category and idea board, archived ones too, in the home page's order."""
        return [CategoryOut.of(c) for c in await categories.managed_categories(here)]

    @post("/categories", status_code=201, **MEMBER_WRITE)
    async def create_category(
        self, here: NamedDependency[Scope], data: JSONBody[CategoryIn]
    ) -> CategoryOut:
        """A new category at the end of the list; 422 with `errors` by field."""
        return CategoryOut.of(await categories.create_category(here, data.form()))

    @put("/categories/{category_id:int}", **MEMBER_WRITE)
    async def update_category(
        self, here: NamedDependency[Scope], category_id: Id, data: JSONBody[CategoryIn]
    ) -> CategoryOut:
        """Replace a category's settings (a category with threads keeps to forum kinds)."""
        return CategoryOut.of(await categories.update_category(here, category_id, data.form()))

    @patch("/categories/{category_id:int}", **MEMBER_WRITE)
    async def archive_category(
        self, here: NamedDependency[Scope], category_id: Id, data: JSONBody[ArchivedIn]
    ) -> CategoryOut:
        """Archive (readable, no new threads) or reopen a category."""
        return CategoryOut.of(await categories.set_archived(here, category_id, data.archived))

    @put("/categories/order", **MEMBER_WRITE)
    async def reorder(
        self, here: NamedDependency[Scope], data: JSONBody[OrderIn]
    ) -> list[CategoryOut]:
        """Put the categories in this order: the home page lists them so."""
        return [CategoryOut.of(c) for c in await categories.reorder(here, data.ids)]

    @get("/domains", **MEMBER_READ)
    async def list_domains(self, here: NamedDependency[Scope]) -> list[DomainOut]:
        """The domains that serve this community, the canonical one first."""
        return [DomainOut.of(d) for d in await domains.list_domains(here)]

    @post("/domains", status_code=201, **MEMBER_WRITE)
    async def add_domain(
        self, request: Req, here: NamedDependency[Scope], data: JSONBody[DomainIn]
    ) -> DomainOut:
        """Serve the community at one more domain (canonical when it is the first)."""
        added = await domains.add_domain(here, data.domain)
        request.app.state.tenants.forget()
        return DomainOut.of(added)

    @put("/domains/{domain_id:int}/canonical", **MEMBER_WRITE)
    async def make_canonical(
        self, request: Req, here: NamedDependency[Scope], domain_id: Id
    ) -> DomainOut:
        """Serve the pages at this domain; the others answer them with a 301 to it."""
        chosen = await domains.make_canonical(here, domain_id)
        request.app.state.tenants.forget()
        return DomainOut.of(chosen)

    @delete("/domains/{domain_id:int}", status_code=204, **MEMBER_WRITE)
    async def remove_domain(
        self, request: Req, here: NamedDependency[Scope], domain_id: Id
    ) -> None:
        """Stop serving the community at a domain (not the last, not the canonical one)."""
        await domains.remove_domain(here, domain_id)
        request.app.state.tenants.forget()
