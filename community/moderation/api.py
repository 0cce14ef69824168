"""Flags, the moderation queue, bans and roles through the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from community.identity.models import Member
from community.moderation import services as moderation
from community.moderation.models import Flag, QueueItem
from community.scope import Scope
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE

Note = Annotated[str, msgspec.Meta(max_length=500)]


class FlagIn(Input):
    reason: str
    note: Note = ""


class FlagOut(msgspec.Struct):
    id: int
    post_id: int
    reason: str


class FlagSeen(msgspec.Struct):
    """A flag as moderators see it on a queue item."""

    member_id: int
    member_name: str
    reason: str
    note: str
    created_at: datetime

    @classmethod
    def of(cls, flag: Flag) -> FlagSeen:
        return cls(flag.member_id, flag.member.display_name, flag.reason.value, flag.note,
                   flag.created_at)  # fmt: skip


class ItemOut(msgspec.Struct):
    id: int
    post_id: int
    thread_id: int
    author_id: int
    reasons: list[str]
    state: str
    created_at: datetime
    claimed_by: int | None
    claimed_until: datetime | None
    flags: list[FlagSeen] = []  # the post's open flags, oldest first (in the queue listing)

    @classmethod
    def of(cls, item: QueueItem, flags: list[Flag] | None = None) -> ItemOut:
        return cls(
            id=item.id,
            post_id=item.post_id,
            thread_id=item.post.thread_id,
            author_id=item.post.author_id,
            reasons=list(item.reasons),
            state=item.state.value,
            created_at=item.created_at,
            claimed_by=item.claimed_by_id,
            claimed_until=item.claimed_until,
            flags=[FlagSeen.of(f) for f in flags or []],
        )


class DecisionIn(Input):
    action: str
    note: Note = ""


class BanIn(Input):
    reason: Note
    days: int | None = None  # none: a permanent ban


class RoleIn(Input):
    role: str


class MemberState(msgspec.Struct):
    id: int
    role: str
    banned_until: datetime | None


class Figures(msgspec.Struct):
    open_items: int
    oldest_age_minutes: int | None
    median_minutes_to_decision: float | None


def _member_state(member: Member) -> MemberState:
    return MemberState(member.id, member.role.value, member.banned_until)


class ModerationApi(Controller):
    path = "/api/v1"
    tags = ["moderation"]

    @post("/posts/{post_id:int}/flags", **MEMBER_WRITE)
    async def flag(
        self, here: NamedDependency[Scope], post_id: Id, data: JSONBody[FlagIn]
    ) -> FlagOut:
        """Flag a post (spam, abusive, off_topic, other with a note); once per post."""
        flag = await moderation.flag_post(here, post_id, data.reason, data.note)
        return FlagOut(flag.id, flag.post_id, flag.reason.value)

    @get("/mod/queue", **MEMBER_READ)
    async def queue(
        self,
        here: NamedDependency[Scope],
        reason: FromQuery[str] = "",
        category: FromQuery[str] = "",
    ) -> list[ItemOut]:
        """Open items, oldest first, with every open flag on each (moderators)."""
        listing = await moderation.queue_listing(here, reason=reason, category=category)
        return [ItemOut.of(item, flags) for item, flags in listing]

    @get("/mod/figures", **MEMBER_READ)
    async def figures(self, here: NamedDependency[Scope]) -> Figures:
        """Open items, age of the oldest, median minutes to a decision (last 30 days)."""
        found = await moderation.queue_figures(here)
        return Figures(found.open_items, found.oldest_age_minutes, found.median_minutes_to_decision)

    @post("/mod/queue/{item_id:int}/claim", status_code=200, **MEMBER_WRITE)
    async def claim(self, here: NamedDependency[Scope], item_id: Id) -> ItemOut:
        """Claim an item; 422 when another moderator holds it."""
        await moderation.claim(here, item_id)
        item = await moderation.open_item(here, item_id)
        assert item is not None
        return ItemOut.of(item)

    @post("/mod/queue/{item_id:int}/release", status_code=204, **MEMBER_WRITE)
    async def release(self, here: NamedDependency[Scope], item_id: Id) -> None:
        """Let go of an item you hold."""
        await moderation.release(here, item_id)

    @post("/mod/queue/{item_id:int}/decide", status_code=200, **MEMBER_WRITE)
    async def decide(
        self, here: NamedDependency[Scope], item_id: Id, data: JSONBody[DecisionIn]
    ) -> ItemOut:
        """approve, reject (note required), hide or delete."""
        item = await moderation.decide(here, item_id, data.action, data.note)
        return ItemOut.of(item)

    @post("/members/{member_id:int}/ban", status_code=200, **MEMBER_WRITE)
    async def ban(
        self, here: NamedDependency[Scope], member_id: Id, data: JSONBody[BanIn]
    ) -> MemberState:
        """Suspend for `days`, or ban for good without `days`."""
        banned = await moderation.ban(here, member_id, days=data.days, reason=data.reason)
        return _member_state(banned)

    @delete("/members/{member_id:int}/ban", status_code=200, **MEMBER_WRITE)
    async def unban(self, here: NamedDependency[Scope], member_id: Id) -> MemberState:
        """Lift a suspension or ban."""
        return _member_state(await moderation.unban(here, member_id))

    @put("/members/{member_id:int}/role", **MEMBER_WRITE)
    async def role(
        self, here: NamedDependency[Scope], member_id: Id, data: JSONBody[RoleIn]
    ) -> MemberState:
        """Change a member's role (admins): member, expert, moderator, admin, agent."""
        changed = await moderation.change_role(here, member_id, data.role)
        return _member_state(changed)
