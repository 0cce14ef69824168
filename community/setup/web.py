"""The community admin's setup pages: /admin/categories and /admin/domains."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.forums.models import CategoryKind, Posting
from community.l10n import N_
from community.scope import Scope
from community.setup import categories, domains
from community.setup.categories import CategoryForm
from community.web.context import Req
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other

CATEGORIES = "/admin/categories"
DOMAINS = "/admin/domains"
CATEGORY_FIELDS = ("name", "slug", "description", "kind", "premoderated", "posting")
SAVED = {
    "created": N_("The category was created."),
    "updated": N_("The category was saved."),
    "moved": N_("The order was saved: the home page lists the categories in this order."),
    "archived": N_("The category was archived: it stays readable and takes no new threads."),
    "unarchived": N_("The category takes new threads again."),
    "added": N_("The domain was added."),
    "removed": N_("The domain was removed."),
    "canonical": N_("The community is now served at this domain; the others redirect to it."),
}
KIND_LABELS = {
    CategoryKind.FORUM: N_("Questions and discussions"),
    CategoryKind.QUESTIONS: N_("Questions"),
    CategoryKind.DISCUSSIONS: N_("Discussions"),
    CategoryKind.IDEAS: N_("Idea board"),
}
POSTING_LABELS = {
    Posting.MEMBERS: N_("Every signed-in member"),
    Posting.STAFF: N_("Staff only (experts, moderators, admins)"),
}


async def _category_form(request: Req) -> CategoryForm:
    values = await form_fields(request, *CATEGORY_FIELDS)
    return CategoryForm(
        values["name"],
        values["slug"],
        values["description"],
        values["kind"] or CategoryKind.FORUM.value,
        bool(values["premoderated"]),
        values["posting"] or Posting.MEMBERS.value,
    )


def _saved(request: Req) -> str | None:
    return SAVED.get(request.query_params.get("saved", ""))


class SetupAdminPages(Controller):
    include_in_schema = False

    @get(CATEGORIES)
    async def categories(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return await _categories_page(request, here, CategoryForm(""), {})

    @post(CATEGORIES)
    async def create(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        form = await _category_form(request)
        try:
            await categories.create_category(here, form)
        except ValidationFailed as exc:
            return await _categories_page(request, here, form, exc.errors)
        return see_other(f"{CATEGORIES}?saved=created")

    @get(f"{CATEGORIES}/{{category_id:int}}")
    async def edit_form(
        self, request: Req, here: NamedDependency[Scope], category_id: Id
    ) -> Template:
        category = await categories.get_category(here, category_id)
        return _edit_page(request, category_id, categories.form_of(category), {}, category.slug)

    @post(f"{CATEGORIES}/{{category_id:int}}")
    async def update(
        self, request: Req, here: NamedDependency[Scope], category_id: Id
    ) -> Template | Redirect:
        form = await _category_form(request)
        try:
            await categories.update_category(here, category_id, form)
        except ValidationFailed as exc:
            stored = await categories.get_category(here, category_id)
            return _edit_page(request, category_id, form, exc.errors, stored.slug)
        return see_other(f"{CATEGORIES}?saved=updated#category-{category_id}")

    @post(f"{CATEGORIES}/{{category_id:int}}/move")
    async def move(self, request: Req, here: NamedDependency[Scope], category_id: Id) -> Redirect:
        step = (await form_fields(request, "step"))["step"]
        await categories.move(here, category_id, -1 if step == "up" else 1)
        return see_other(f"{CATEGORIES}?saved=moved#category-{category_id}")

    @post(f"{CATEGORIES}/{{category_id:int}}/archive")
    async def archive(
        self, request: Req, here: NamedDependency[Scope], category_id: Id
    ) -> Redirect:
        archived = (await form_fields(request, "archived"))["archived"] == "1"
        await categories.set_archived(here, category_id, archived)
        saved = "archived" if archived else "unarchived"
        return see_other(f"{CATEGORIES}?saved={saved}#category-{category_id}")

    @get(DOMAINS)
    async def domains(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return await _domains_page(request, here, "", {})

    @post(DOMAINS)
    async def add_domain(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        typed = (await form_fields(request, "domain"))["domain"]
        try:
            await domains.add_domain(here, typed)
        except ValidationFailed as exc:
            return await _domains_page(request, here, typed, exc.errors)
        request.app.state.tenants.forget()
        return see_other(f"{DOMAINS}?saved=added")

    @post(f"{DOMAINS}/{{domain_id:int}}/canonical")
    async def canonical(
        self, request: Req, here: NamedDependency[Scope], domain_id: Id
    ) -> Redirect:
        await domains.make_canonical(here, domain_id)
        request.app.state.tenants.forget()
        return see_other(f"{DOMAINS}?saved=canonical")

    @post(f"{DOMAINS}/{{domain_id:int}}/delete")
    async def remove_domain(
        self, request: Req, here: NamedDependency[Scope], domain_id: Id
    ) -> Template | Redirect:
        try:
            await domains.remove_domain(here, domain_id)
        except ValidationFailed as exc:
            return await _domains_page(request, here, "", exc.errors)
        request.app.state.tenants.forget()
        return see_other(f"{DOMAINS}?saved=removed")


async def _categories_page(
    request: Req, here: Scope, new: CategoryForm, errors: dict[str, str]
) -> Template:
    return render(
        request,
        "setup/categories.html",
        status_code=422 if errors else 200,
        categories=await categories.managed_categories(here),
        values=categories.form_values(new),
        errors=errors,
        kinds=KIND_LABELS,
        postings=POSTING_LABELS,
        saved=_saved(request),
    )


def _edit_page(
    request: Req, category_id: int, form: CategoryForm, errors: dict[str, str], slug: str
) -> Template:
    return render(
        request,
        "setup/category_edit.html",
        status_code=422 if errors else 200,
        category_id=category_id,
        slug=slug,
        values=categories.form_values(form),
        errors=errors,
        kinds=KIND_LABELS,
        postings=POSTING_LABELS,
    )


async def _domains_page(request: Req, here: Scope, typed: str, errors: dict[str, str]) -> Template:
    return render(
        request,
        "setup/domains.html",
        status_code=422 if errors else 200,
        domains=await domains.list_domains(here),
        typed=typed,
        errors=errors,
        saved=_saved(request),
    )
