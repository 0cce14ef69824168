"""The manager dashboard's figures through the JSON API (community admins)."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from community.analytics import services
from community.analytics.web import CategorySlug, FirstDay, LastDay, Period
from community.scope import Scope
from community.web.openapi import MEMBER_READ


class CardOut(msgspec.Struct):
    key: str
    value: float | None
    previous: float | None  # the same figure over the previous period of equal length
    unit: str  # count, percent (a share from 0 to 1), hours or score (-1 to 1)


class WaitOut(msgspec.Struct):
    name: str
    count: int
    median_business_hours: float | None
    p90_business_hours: float | None
    median_calendar_hours: float | None
    p90_calendar_hours: float | None
    previous_median_business_hours: float | None


class DayOut(msgspec.Struct):
    day: date
    questions: int
    answered_rate: float | None
    resolved_rate: float | None
    sentiment: float | None
    negative_posts: int


class RankedOut(msgspec.Struct):
    id: int
    label: str
    value: float
    detail: float
    url: str


class DashboardOut(msgspec.Struct):
    from_: date = msgspec.field(name="from")
    to: date = date.min
    previous_from: date = date.min
    previous_to: date = date.min
    category: str | None = None
    cards: list[CardOut] = []
    totals: dict[str, int] = {}
    previous_totals: dict[str, int] = {}
    waits: list[WaitOut] = []
    days: list[DayOut] = []
    breakdowns: dict[str, dict[str, int]] = {}
    negative_threads: list[RankedOut] = []  # value: mean sentiment; detail: posts
    top_contributors: list[RankedOut] = []  # value: solutions; detail: answers
    rising_members: list[RankedOut] = []  # value: answers gained; detail: answers
    top_ideas: list[RankedOut] = []  # value: votes

    @classmethod
    def of(cls, d: services.Dashboard) -> DashboardOut:
        def ranked(items: list[services.Ranked]) -> list[RankedOut]:
            return [RankedOut(r.id, r.label, r.value, r.detail, r.url) for r in items]

        q = d.query
        return cls(
            from_=q.first, to=q.last, previous_from=q.previous.first, previous_to=q.previous.last,
            category=q.category.slug if q.category else None,
            cards=[CardOut(c.key, c.value, c.previous, c.unit) for c in d.cards],
            totals=d.totals, previous_totals=d.previous_totals,
            waits=[WaitOut(w.name, w.count, w.median_business, w.p90_business, w.median_calendar,
                           w.p90_calendar, w.previous_median_business) for w in d.waits],
            days=[DayOut(p.day, p.questions, p.answered_rate, p.resolved_rate, p.sentiment,
                         p.negative_posts) for p in d.days],
            breakdowns={name: dict(parts) for name, parts in d.breakdowns.items()},
            negative_threads=ranked(d.negative_threads),
            top_contributors=ranked(d.top_contributors), rising_members=ranked(d.rising_members),
            top_ideas=ranked(d.top_ideas),
        )  # fmt: skip


class DashboardApi(Controller):
    path = "/api/v1/admin"
    tags = ["dashboard"]

    @get("/dashboard", **MEMBER_READ)
    async def figures(
        self, here: NamedDependency[Scope], period: Period = "", first: FirstDay = "",
        last: LastDay = "", category: CategorySlug = "",
    ) -> DashboardOut:  # fmt: skip
        """The manager dashboard's figures (community admins) over `period` days to today (7,
        30 or 90) or from `from` to `to` (both included, UTC days), for one `category` or
        all, each with the previous period of equal length. Definitions: the README's "The
        manager dashboard"."""
        query = await services.parse_query(here, period, first, last, category)
        return DashboardOut.of(await services.dashboard(here, query))
