"""Stack Exchange's addresses for imported content, sent on to where it lives now."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Redirect

from community.importing.models import SourceKind
from community.importing.services import old_address
from community.scope import Scope
from community.web.inputs import Id


class OldAddresses(Controller):
    include_in_schema = False

    @get(
        [
            "/questions/{source_id:int}",
            "/questions/{source_id:int}/{slug:str}",
            "/q/{source_id:int}",
        ]
    )
    async def question(self, here: NamedDependency[Scope], source_id: Id) -> Redirect:
        return Redirect(
            path=await old_address(here, SourceKind.QUESTION, source_id), status_code=301
        )

    @get(["/a/{source_id:int}", "/a/{source_id:int}/{user_id:int}"])
    async def answer(self, here: NamedDependency[Scope], source_id: Id) -> Redirect:
        return Redirect(path=await old_address(here, SourceKind.ANSWER, source_id), status_code=301)

    @get("/posts/comments/{source_id:int}")
    async def comment(self, here: NamedDependency[Scope], source_id: Id) -> Redirect:
        return Redirect(
            path=await old_address(here, SourceKind.COMMENT, source_id), status_code=301
        )
