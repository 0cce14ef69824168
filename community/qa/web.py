"""Accept / certify buttons on answers (plain forms: the order of answers changes)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.response import Redirect

from community.forums import services as forums
from community.forums.web import post_url
from community.qa import services as qa
from community.scope import Scope
from community.web.context import page_size
from community.web.inputs import Id
from community.web.render import form_fields, see_other


async def _back_to_answer(request: Request[Any, Any, Any], here: Scope, post_id: int) -> Redirect:
    """To the answer on its thread page: where it stands now that the order changed."""
    answer = await forums.get_post(here, post_id)
    thread = await forums.get_thread(here, answer.thread_id)
    return see_other(await post_url(here, thread, answer, page_size(request)))


class AnswerPages(Controller):
    include_in_schema = False

    @post("/p/{post_id:int}/accept")
    async def accept(
        self, request: Request[Any, Any, Any], here: NamedDependency[Scope], post_id: Id
    ) -> Redirect:
        await qa.accept(here, post_id)
        return await _back_to_answer(request, here, post_id)

    @post("/p/{post_id:int}/unaccept")
    async def unaccept(
        self, request: Request[Any, Any, Any], here: NamedDependency[Scope], post_id: Id
    ) -> Redirect:
        await qa.unaccept(here, post_id)
        return await _back_to_answer(request, here, post_id)

    @post("/p/{post_id:int}/certify")
    async def certify(
        self, request: Request[Any, Any, Any], here: NamedDependency[Scope], post_id: Id
    ) -> Redirect:
        note = (await form_fields(request, "note"))["note"]
        await qa.certify(here, post_id, note)
        return await _back_to_answer(request, here, post_id)

    @post("/p/{post_id:int}/uncertify")
    async def uncertify(
        self, request: Request[Any, Any, Any], here: NamedDependency[Scope], post_id: Id
    ) -> Redirect:
        await qa.uncertify(here, post_id)
        return await _back_to_answer(request, here, post_id)
