"""Tag pages: every tag with its count, one tag's threads, and the managers' /admin/tags."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.identity.permissions import Permission
from community.inputs import parse_int
from community.l10n import N_
from community.scope import Scope
from community.tags import services as tags
from community.web.context import Req, page_size
from community.web.inputs import Id, PageNumber
from community.web.render import form_fields, render, see_other

THRESHOLD_MAX = 10_000_000
SAVED = {
    "created": N_("The tag was created."),
    "updated": N_("The tag was saved."),
    "deleted": N_("The tag was deleted."),
    "settings": N_("Saved."),
}


class TagPages(Controller):
    include_in_schema = False

    @get("/tags")
    async def all_tags(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return render(request, "tags/tags.html", tags=await tags.list_tags(here))

    @get("/tags/{slug:str}")
    async def tag(
        self, request: Req, here: NamedDependency[Scope], slug: FromPath[str], page: PageNumber = 1
    ) -> Template:
        tag = await tags.get_tag(here, slug)
        threads = await tags.threads_with_tag(here, tag, page=page, page_size=page_size(request))
        return render(
            request,
            "tags/tag.html",
            tag=tag,
            threads=threads,
            thread_tags=await tags.tags_of_threads(here, [t.id for t in threads.items]),
        )

    @get("/admin/tags")
    async def admin(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return await _admin_page(request, here)

    @post("/admin/tags")
    async def create(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        values = await form_fields(request, "name", "description")
        try:
            await tags.create_tag(here, values["name"], values["description"])
        except ValidationFailed as exc:
            return await _admin_page(request, here, new=values, errors=exc.errors)
        return see_other("/admin/tags?saved=created")

    @post("/admin/tags/{tag_id:int}")
    async def update(
        self, request: Req, here: NamedDependency[Scope], tag_id: Id
    ) -> Template | Redirect:
        values = await form_fields(request, "name", "description")
        try:
            await tags.update_tag(here, tag_id, values["name"], values["description"])
        except ValidationFailed as exc:
            return await _admin_page(request, here, new=values, editing=tag_id, errors=exc.errors)
        return see_other("/admin/tags?saved=updated")

    @post("/admin/tags/{tag_id:int}/delete")
    async def delete(self, here: NamedDependency[Scope], tag_id: Id) -> Redirect:
        await tags.delete_tag(here, tag_id)
        return see_other("/admin/tags?saved=deleted")

    @post("/admin/tags/settings")
    async def settings(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        values = await form_fields(request, "members_create", "threshold")
        threshold = parse_int(values["threshold"], 0, THRESHOLD_MAX)
        if values["members_create"] and threshold is None:
            message = N_("Enter a whole number from %(low)s to %(high)s.")
            errors = {"threshold": message % {"low": 0, "high": THRESHOLD_MAX}}
            return await _admin_page(request, here, errors=errors, threshold=values["threshold"])
        await tags.set_member_creation(here, threshold if values["members_create"] else None)
        request.app.state.tenants.forget()
        return see_other("/admin/tags?saved=settings")


async def _admin_page(
    request: Req,
    here: Scope,
    *,
    new: dict[str, str] | None = None,
    editing: int | None = None,
    errors: dict[str, str] | None = None,
    threshold: str | None = None,
) -> Template:
    here.require(Permission.MODERATE, tags.TAG_MANAGERS)
    stored = here.settings.tags.member_creation_reputation
    return render(
        request,
        "tags/admin.html",
        status_code=422 if errors else 200,
        tags=await tags.list_tags(here),
        new=new or {"name": "", "description": ""},
        editing=editing,
        errors=errors or {},
        members_create=stored is not None,
        threshold=threshold if threshold is not None else ("" if stored is None else str(stored)),
        configures=here.can(Permission.CONFIGURE_COMMUNITY),
        saved=SAVED.get(request.query_params.get("saved", "")),
    )
