"""A member's data through the JSON API: their archive, and erasure (their own, or an
admin's of any member)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, JSONBody
from litestar.response import Response

from community.identity.account_web import base_url
from community.privacy import erasure, export
from community.privacy.web import avatar_store, download
from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE

ZIP = {
    200: ResponseSpec(
        data_container=bytes,
        media_type="application/zip",
        description="The archive: JSON files and a README.txt that explains each one.",
        generate_examples=False,
    )
}


class EraseIn(Input):
    """How the member confirms: their password, or (an account without one, signed in
    through a provider) their email address typed again."""

    password: Annotated[str, msgspec.Meta(max_length=200)] = ""
    confirmation: Annotated[str, msgspec.Meta(max_length=320)] = ""
    remove_posts: bool = False


class PrivacyApi(Controller):
    path = "/api/v1"
    tags = ["privacy"]

    @get("/members/me/export", **(MEMBER_READ | {"responses": MEMBER_READ["responses"] | ZIP}))
    async def export_own(self, request: Req, here: NamedDependency[Scope]) -> Response[bytes]:
        """Everything the community holds about the signed-in member, as a ZIP."""
        return download(await export.export_own_data(here, await base_url(request, here)))

    @delete("/members/me", status_code=204, **MEMBER_WRITE)
    async def erase_own(
        self, request: Req, here: NamedDependency[Scope], data: JSONBody[EraseIn]
    ) -> None:
        """Erase the signed-in member's account (its sessions end at once)."""
        await erasure.erase_own_account(
            here, avatar_store(request), password=data.password,
            confirmation=data.confirmation, remove_posts=data.remove_posts,
        )  # fmt: skip

    @get(
        "/admin/members/{member_id:int}/export",
        **(MEMBER_READ | {"responses": MEMBER_READ["responses"] | ZIP}),
    )
    async def export_member(
        self, request: Req, here: NamedDependency[Scope], member_id: Id
    ) -> Response[bytes]:
        """Admins: a member's archive (the download is audited, the member told by mail)."""
        return download(
            await export.export_member_data(here, member_id, await base_url(request, here))
        )

    @delete("/admin/members/{member_id:int}", status_code=204, **MEMBER_WRITE)
    async def erase_member(
        self,
        request: Req,
        here: NamedDependency[Scope],
        member_id: Id,
        remove_posts: FromQuery[bool] = False,
    ) -> None:
        """Admins: erase a member's account; `remove_posts` replaces their posts' text too."""
        await erasure.erase_member(
            here, avatar_store(request), member_id, remove_posts=remove_posts
        )
