"""Member profiles and leaderboards through the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from community.scope import Scope
from community.scoring import services as scoring
from community.scoring.profiles import member_profile
from community.web.inputs import Id
from community.web.openapi import PUBLIC_READ


class MemberOut(msgspec.Struct):
    id: int
    name: str
    role: str
    reputation: int
    rank: str
    member_since: datetime
    badges: list[str]
    accepted_answers: int
    certified_answers: int
    influence: int | None  # shown to moderators and admins only


class StandingOut(msgspec.Struct):
    member_id: int
    name: str
    rank: str
    points: int


class MembersApi(Controller):
    path = "/api/v1"
    tags = ["members"]

    @get("/members/{member_id:int}", **PUBLIC_READ)
    async def get_member(self, here: NamedDependency[Scope], member_id: Id) -> MemberOut:
        """A member's public profile."""
        profile = await member_profile(here, member_id)
        member = profile.member
        return MemberOut(
            id=member.id,
            name=member.display_name,
            role=member.role.value,
            reputation=member.reputation,
            rank=here.settings.scoring.rank(member.reputation),
            member_since=member.created_at,
            badges=[b.badge for b in profile.badges],
            accepted_answers=profile.accepted_answers,
            certified_answers=profile.certified_answers,
            influence=profile.influence,
        )

    @get("/leaderboard", **PUBLIC_READ)
    async def leaderboard(
        self,
        here: NamedDependency[Scope],
        period: FromQuery[Literal["week", "month", "all"]] = "week",
        category: FromQuery[str | None] = None,
    ) -> list[StandingOut]:
        """Top members by points earned in the last 7 days, 30 days or all time."""
        board = await scoring.leaderboard_for(here, period=period, category=category or "")
        rank = here.settings.scoring.rank
        return [
            StandingOut(s.member.id, s.member.display_name, rank(s.member.reputation), s.points)
            for s in board.standings
        ]
