"""Member profiles and leaderboards through the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from community.forums import services as forums
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission
from community.scoring import services as scoring
from community.scoring.profiles import member_profile
from community.tenancy.services import TenantInfo


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

    @get("/members/{member_id:int}")
    async def get_member(
        self,
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        member_id: FromPath[int],
    ) -> MemberOut:
        """A member's public profile."""
        profile = await member_profile(db, tenant.id, member_id)
        member = profile.member
        return MemberOut(
            id=member.id,
            name=member.display_name,
            role=member.role.value,
            reputation=member.reputation,
            rank=tenant.rules.rank(member.reputation),
            member_since=member.created_at,
            badges=[b.badge for b in profile.badges],
            accepted_answers=profile.accepted_answers,
            certified_answers=profile.certified_answers,
            influence=profile.influence
            if has_permission(viewer, Permission.SEE_INFLUENCE)
            else None,
        )

    @get("/leaderboard")
    async def leaderboard(
        self,
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        period: FromQuery[Literal["week", "month", "all"]] = "week",
        category: FromQuery[str | None] = None,
    ) -> list[StandingOut]:
        """Top members by points earned in the last 7 days, 30 days or all time."""
        in_category = await forums.get_category(db, tenant.id, category) if category else None
        standings = await scoring.leaderboard(
            db, tenant.id, period=period, category_id=in_category.id if in_category else None
        )
        return [
            StandingOut(
                s.member.id, s.member.display_name, tenant.rules.rank(s.member.reputation), s.points
            )
            for s in standings
        ]
