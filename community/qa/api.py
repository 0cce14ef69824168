"""Accepting and certifying answers through the JSON API."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, delete, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from community.forums.models import Thread
from community.qa import services as qa
from community.scope import Scope
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_WRITE


class CertifyIn(Input):
    note: str = ""


class Resolution(msgspec.Struct):
    thread_id: int
    resolved: bool
    accepted_post_id: int | None
    certified_post_id: int | None
    certified_note: str
    certified_at: datetime | None

    @classmethod
    def of(cls, thread: Thread) -> Resolution:
        return cls(
            thread.id,
            thread.is_resolved,
            thread.accepted_post_id,
            thread.certified_post_id,
            thread.certified_note,
            thread.certified_at,
        )


class AnswersApi(Controller):
    path = "/api/v1/posts"
    tags = ["answers"]

    @post("/{post_id:int}/accept", status_code=200, **MEMBER_WRITE)
    async def accept(self, here: NamedDependency[Scope], post_id: Id) -> Resolution:
        """Accept this answer (the asker or a moderator)."""
        return Resolution.of(await qa.accept(here, post_id))

    @delete("/{post_id:int}/accept", status_code=200, **MEMBER_WRITE)
    async def unaccept(self, here: NamedDependency[Scope], post_id: Id) -> Resolution:
        """Undo the acceptance of this answer."""
        return Resolution.of(await qa.unaccept(here, post_id))

    @post("/{post_id:int}/certify", status_code=200, **MEMBER_WRITE)
    async def certify(
        self, here: NamedDependency[Scope], post_id: Id, data: JSONBody[CertifyIn]
    ) -> Resolution:
        """Certify this answer, with an optional note (experts, moderators, admins)."""
        return Resolution.of(await qa.certify(here, post_id, data.note))

    @delete("/{post_id:int}/certify", status_code=200, **MEMBER_WRITE)
    async def uncertify(self, here: NamedDependency[Scope], post_id: Id) -> Resolution:
        """Withdraw the certification of this answer."""
        return Resolution.of(await qa.uncertify(here, post_id))
