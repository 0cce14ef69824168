"""Member profiles, leaderboards, the badge list and the admin's scoring settings."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.scope import Scope
from community.scoring import services as scoring
from community.scoring.badges import BADGES, BADGES_BY_CODE, badge_board
from community.scoring.models import Reason
from community.scoring.profiles import member_profile
from community.scoring.rules import REASON_LABELS
from community.scoring.settings import ScoringForm, scoring_form, update_scoring
from community.web.context import Req
from community.web.inputs import Id
from community.web.render import render, see_other, submitted_form

RANK_ROWS = 6


class ScoringPages(Controller):
    include_in_schema = False

    @get("/u/{member_id:int}")
    async def profile(self, request: Req, here: NamedDependency[Scope], member_id: Id) -> Template:
        profile = await member_profile(here, member_id)
        return render(request, "scoring/profile.html", profile=profile, badges=BADGES_BY_CODE)

    @get("/leaderboard")
    async def leaderboard(
        self,
        request: Req,
        here: NamedDependency[Scope],
        period: FromQuery[str] = "week",
        category: FromQuery[str] = "",
    ) -> Template:
        board = await scoring.leaderboard_for(
            here, period=period, category=category, with_categories=True
        )
        return render(
            request,
            "scoring/leaderboard.html",
            standings=board.standings,
            period=board.period,
            category=board.category,
            categories=board.categories,
        )

    @get("/badges")
    async def badges(self, request: Req, here: NamedDependency[Scope]) -> Template:
        board = await badge_board(here)
        return render(
            request, "scoring/badges.html", badges=BADGES, holders=board.holders, mine=board.mine
        )

    @get("/admin/scoring")
    async def settings_form(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return _settings_page(request, scoring_form(here), {})

    @post("/admin/scoring")
    async def save_settings(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        values = _submitted(await submitted_form(request))
        try:
            await update_scoring(here, values)
        except ValidationFailed as exc:
            return _settings_page(request, values, exc.errors, status_code=422)
        request.app.state.tenants.forget()
        return see_other("/admin/scoring?saved=1")


def _submitted(form: Any) -> ScoringForm:
    return ScoringForm(
        points={r.value: str(form.get(f"points_{r.value}", "")) for r in Reason},
        daily_vote_cap=str(form.get("daily_vote_cap", "")),
        ranks=[
            (str(form.get(f"rank_threshold_{i}", "")), str(form.get(f"rank_name_{i}", "")))
            for i in range(RANK_ROWS)
        ],
        allow_downvotes=form.get("allow_downvotes") == "on",
        discussions_by_date=form.get("discussions_by_date") == "on",
    )


def _settings_page(
    request: Req,
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
