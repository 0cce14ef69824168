"""Member profiles, leaderboards, the badge list and the admin's scoring settings."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import Forbidden, ValidationFailed
from community.forums import services as forums
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission
from community.scoring import services as scoring
from community.scoring.badges import BADGES, BADGES_BY_CODE, badge_holders, earned_badges
from community.scoring.models import Reason
from community.scoring.profiles import member_profile
from community.scoring.rules import REASON_LABELS
from community.scoring.settings import ScoringForm, update_scoring
from community.tenancy.services import TenantInfo
from community.web.render import render, see_other

PERIODS = ("week", "month", "all")
RANK_ROWS = 6


class ScoringPages(Controller):
    include_in_schema = False

    @get("/u/{member_id:int}")
    async def profile(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        member_id: FromPath[int],
    ) -> Template:
        profile = await member_profile(db, tenant.id, member_id)
        return render(request, "scoring/profile.html", profile=profile, badges=BADGES_BY_CODE)

    @get("/leaderboard")
    async def leaderboard(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        period: FromQuery[str] = "week",
        category: FromQuery[str] = "",
    ) -> Template:
        if period not in PERIODS:
            raise ValidationFailed({"period": "The period is week, month or all."})
        in_category = await forums.get_category(db, tenant.id, category) if category else None
        standings = await scoring.leaderboard(
            db, tenant.id, period=period, category_id=in_category.id if in_category else None
        )
        return render(
            request,
            "scoring/leaderboard.html",
            standings=standings,
            period=period,
            category=in_category,
            categories=await forums.list_categories(db, tenant.id),
        )

    @get("/badges")
    async def badges(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
    ) -> Template:
        holders = await badge_holders(db, tenant.id)
        mine = {b.badge for b in await earned_badges(db, viewer.id)} if viewer else set()
        return render(request, "scoring/badges.html", badges=BADGES, holders=holders, mine=mine)

    @get("/admin/scoring")
    async def settings_form(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
    ) -> Template:
        _require_admin(member)
        rules = tenant.rules
        values = ScoringForm(
            points={r.value: str(p) for r, p in rules.points.items()},
            daily_vote_cap=str(rules.daily_vote_cap),
            ranks=[(str(t), n) for t, n in rules.ranks],
            allow_downvotes=rules.allow_downvotes,
            discussions_by_date=rules.discussions_by_date,
        )
        return _settings_page(request, values, {})

    @post("/admin/scoring")
    async def save_settings(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
    ) -> Template | Redirect:
        _require_admin(member)
        form = await request.form()
        values = ScoringForm(
            points={r.value: str(form.get(f"points_{r.value}", "")) for r in Reason},
            daily_vote_cap=str(form.get("daily_vote_cap", "")),
            ranks=[
                (str(form.get(f"rank_threshold_{i}", "")), str(form.get(f"rank_name_{i}", "")))
                for i in range(RANK_ROWS)
            ],
            allow_downvotes=form.get("allow_downvotes") == "on",
            discussions_by_date=form.get("discussions_by_date") == "on",
        )
        try:
            await update_scoring(db, tenant.id, member, values)
        except ValidationFailed as exc:
            return _settings_page(request, values, exc.errors, status_code=422)
        request.app.state.tenants.forget()
        return see_other("/admin/scoring?saved=1")


def _require_admin(member: Member) -> None:
    if not has_permission(member, Permission.CONFIGURE_COMMUNITY):
        raise Forbidden("Only community admins can change the scoring rules.")


def _settings_page(
    request: Request[Any, Any, Any],
    values: ScoringForm,
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    ranks = values.ranks + [("", "")] * (RANK_ROWS - len(values.ranks))
    return render(
        request,
        "scoring/admin_scoring.html",
        status_code=status_code,
        values=values,
        ranks=ranks[:RANK_ROWS],
        reasons=list(Reason),
        reason_labels=REASON_LABELS,
        errors=errors,
        saved=request.query_params.get("saved") == "1",
    )
