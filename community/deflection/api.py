"""The deflection figures through the JSON API (community admins)."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from community.db import utcnow
from community.deflection import services as deflection
from community.deflection.web import FirstDay, LastDay
from community.scope import Scope
from community.web.openapi import MEMBER_READ


class DeflectionDayOut(msgspec.Struct):
    day: date
    sessions: int  # suggestion sessions shown suggestions
    shown: int  # suggestions shown
    opened: int
    solved: int
    posted_anyway: int
    deflected: int
    deflection_rate: float | None  # deflected / sessions; null on a day without sessions

    @classmethod
    def of(cls, day: deflection.DeflectionDay) -> DeflectionDayOut:
        return cls(
            day=day.day, sessions=day.sessions, shown=day.shown, opened=day.opened,
            solved=day.solved, posted_anyway=day.posted_anyway, deflected=day.deflected,
            deflection_rate=None if day.rate is None else round(day.rate, 4),
        )  # fmt: skip


class DeflectionOut(msgspec.Struct):
    from_: date = msgspec.field(name="from")
    to: date
    days: list[DeflectionDayOut]  # oldest first
    totals: DeflectionDayOut  # `day` is the last day


class DeflectionApi(Controller):
    path = "/api/v1/admin"
    tags = ["deflection"]

    @get("/deflection", **MEMBER_READ)
    async def figures(
        self, here: NamedDependency[Scope], first: FirstDay = "", last: LastDay = ""
    ) -> DeflectionOut:
        """Suggestions shown, opened, solved, posted anyway and deflected questions per UTC day
        (community admins). `from` and `to` are both included; by default the last 30 days.
        A session is deflected when it said "this solved my problem" and did not post within
        an hour (see the README's "Deflection")."""
        start, end = deflection.date_range(first, last, utcnow().date())
        shown = await deflection.report(here, start, end)
        return DeflectionOut(
            from_=start, to=end, days=[DeflectionDayOut.of(day) for day in reversed(shown.days)],
            totals=DeflectionDayOut.of(shown.totals),
        )  # fmt: skip
