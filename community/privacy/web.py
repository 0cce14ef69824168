"""The member's privacy and avatar pages, the admin's page for a member's data, and the
avatar files."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from community.errors import NotFound, ValidationFailed
from community.identity.account_web import base_url
from community.identity.models import Member
from community.identity.permissions import Permission
from community.l10n import N_
from community.privacy import avatars, erasure, export
from community.privacy.avatars import AvatarStore
from community.scope import Scope
from community.web.context import Req, log_out
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other, submitted_file

IMMUTABLE = "public, max-age=31536000, immutable"
NO_SUCH_AVATAR = N_("No such avatar.")


def avatar_store(request: Req) -> AvatarStore:
    return AvatarStore(request.app.state.settings.data_dir / "avatars")


def download(archive: export.Archive) -> Response[bytes]:
    return Response(
        content=archive.content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{archive.filename}"',
            "Cache-Control": "no-store",
        },
    )


def checked(value: str) -> bool:
    return value in {"1", "on", "true", "yes"}


class PrivacyPages(Controller):
    include_in_schema = False

    @get("/account/privacy")
    async def privacy_page(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return _privacy(request, here.actor)

    @post("/account/privacy/export", status_code=200)
    async def export_own(self, request: Req, here: NamedDependency[Scope]) -> Response[bytes]:
        return download(await export.export_own_data(here, await base_url(request, here)))

    @post("/account/privacy/erase", status_code=200)
    async def erase_own(self, request: Req, here: NamedDependency[Scope]) -> Template:
        fields = await form_fields(request, "password", "confirmation", "remove_posts")
        try:
            await erasure.erase_own_account(
                here, avatar_store(request), password=fields["password"],
                confirmation=fields["confirmation"], remove_posts=checked(fields["remove_posts"]),
            )  # fmt: skip
        except ValidationFailed as exc:
            return _privacy(request, here.actor, exc.errors, status_code=422)
        await log_out(request, here)
        request.state.viewer = None  # signed out: the page says so, with no account menu
        return render(request, "privacy/erased.html")

    @get("/account/avatar")
    async def avatar_page(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return _avatar(request, here.actor)

    @post("/account/avatar")
    async def upload_avatar(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        member = here.actor
        data, _declared = await submitted_file(request, "avatar")
        try:
            await avatars.set_avatar(here, avatar_store(request), data)
        except ValidationFailed as exc:
            return _avatar(request, member, exc.errors, status_code=422)
        return see_other("/account/avatar?saved=1")

    @post("/account/avatar/remove")
    async def remove_avatar(self, request: Req, here: NamedDependency[Scope]) -> Redirect:
        await avatars.remove_avatar(here, avatar_store(request))
        return see_other("/account/avatar?removed=1")

    @get("/avatars/{name:str}", cache_control=None)
    async def avatar_file(self, request: Req, name: FromPath[str]) -> Response[bytes]:
        content = avatar_store(request).read(name)
        if content is None:
            raise NotFound(NO_SUCH_AVATAR)
        return Response(
            content=content, media_type="image/webp", headers={"Cache-Control": IMMUTABLE}
        )

    @get("/admin/members/{member_id:int}/privacy")
    async def admin_page(
        self, request: Req, here: NamedDependency[Scope], member_id: Id,
        erased: FromQuery[bool] = False,
    ) -> Template:  # fmt: skip
        member = await _member(here, member_id)
        return render(request, "privacy/admin.html", member=member, errors={}, erased=erased)

    @post("/admin/members/{member_id:int}/export", status_code=200)
    async def admin_export(
        self, request: Req, here: NamedDependency[Scope], member_id: Id
    ) -> Response[bytes]:
        return download(
            await export.export_member_data(here, member_id, await base_url(request, here))
        )

    @post("/admin/members/{member_id:int}/erase")
    async def admin_erase(
        self, request: Req, here: NamedDependency[Scope], member_id: Id
    ) -> Template | Redirect:
        fields = await form_fields(request, "confirm", "remove_posts")
        if not checked(fields["confirm"]):
            member = await _member(here, member_id)
            errors = {"confirm": CONFIRM_ERASURE}
            return render(request, "privacy/admin.html", member=member, errors=errors,
                          erased=False, status_code=422)  # fmt: skip
        await erasure.erase_member(
            here, avatar_store(request), member_id, remove_posts=checked(fields["remove_posts"])
        )
        return see_other(f"/admin/members/{member_id}/privacy?erased=true")


CONFIRM_ERASURE = N_("Tick the box to confirm: an erasure cannot be undone.")


async def _member(scope: Scope, member_id: int) -> Member:
    scope.require(Permission.MANAGE_PERSONAL_DATA, export.ADMINS_ONLY)
    return await scope.one(Member, member_id, N_("No such member."))


def _privacy(
    request: Req, member: Member, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    return render(
        request, "privacy/account.html", status_code=status_code, member=member,
        errors=errors or {}, files=export.sections_named(),
    )  # fmt: skip


def _avatar(
    request: Req, member: Member, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    query: Any = request.query_params
    return render(
        request, "privacy/avatar.html", status_code=status_code, member=member,
        errors=errors or {}, saved=bool(query.get("saved")), removed=bool(query.get("removed")),
    )  # fmt: skip
