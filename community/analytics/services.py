"""The manager dashboard's figures for a period and category, against the period before.

Days before today come from the roll-ups; today is read from the facts on each request (the
same code that rolls a day up), so the page is current without waiting for the job.
Definitions are in the README ("The manager dashboard").
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from community.analytics.facts import CountKey, Facts, Span, Wait, collect, day_of
from community.analytics.models import DashboardCount, DashboardDuration
from community.db import utcnow
from community.errors import ValidationFailed
from community.escalation.models import EscalationTarget
from community.forums.models import Category, Post, Thread, ThreadKind
from community.ideas.models import Idea, IdeaStatus
from community.identity.models import Member, Role
from community.identity.permissions import Permission
from community.inputs import parse_day
from community.l10n import N_
from community.scope import Scope

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366
LISTED = 5  # threads, members and ideas listed
READERS = N_("Only admins can read the dashboard.")
BAD_RANGE = N_("The first day must not be after the last.")
TOO_LONG = N_("Ask for at most 366 days.")
IN_FUTURE = N_("The last day cannot be after today.")
BAD_PERIOD = N_("Choose 7, 30 or 90 days, or give the first and last days.")
NO_CATEGORY = N_("There is no such category.")
CLOSED_IDEAS = (IdeaStatus.DONE, IdeaStatus.DECLINED, IdeaStatus.MERGED)
MEMBER_MEASURES = ("answers", "solutions")
WAITS = ("first_answer", "resolution", "to_case", "to_agent_reply", "moderation_decision")


# ---- what is asked ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    first: date
    last: date
    preset: int | None  # 7, 30 or 90; None for a custom period
    category: Category | None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def previous(self) -> Span:
        """The period of the same length just before."""
        return Span(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    @property
    def span(self) -> Span:
        return Span(self.first, self.last)

    def params(self) -> dict[str, str]:
        """The query string that asks for this again (links, CSV downloads)."""
        chosen = {"period": str(self.preset)} if self.preset else {
            "from": self.first.isoformat(), "to": self.last.isoformat()}  # fmt: skip
        return chosen | ({"category": self.category.slug} if self.category else {})


async def parse_query(
    scope: Scope, period: str, first: str, last: str, category: str, today: date | None = None
) -> Query:
    """The period and category asked for; ValidationFailed names each bad field."""
    scope.require(Permission.CONFIGURE_COMMUNITY, READERS)
    today = today or utcnow().date()
    errors: dict[str, str] = {}
    preset: int | None = None
    if first or last:
        start, end = parse_day(first, "from", errors), parse_day(last, "to", errors) or today
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    else:
        preset = _preset(period, errors)
        start, end = today - timedelta(days=preset - 1), today
    if not errors:
        if start > end:
            errors["from"] = BAD_RANGE
        elif end > today:
            errors["to"] = IN_FUTURE
        elif (end - start).days >= MAX_DAYS:
            errors["from"] = TOO_LONG
    chosen = await _category(scope, category, errors)
    if errors:
        raise ValidationFailed(errors)
    return Query(start, end, preset, chosen)


def _preset(period: str, errors: dict[str, str]) -> int:
    if not period:
        return DEFAULT_DAYS
    if period.isdigit() and int(period) in PRESETS:
        return int(period)
    errors["period"] = BAD_PERIOD
    return DEFAULT_DAYS


async def _category(scope: Scope, slug: str, errors: dict[str, str]) -> Category | None:
    if not slug:
        return None
    found = await scope.db.scalar(select(Category).where(Category.slug == slug[:80]))
    if found is None:
        errors["category"] = NO_CATEGORY
    return found


async def categories(scope: Scope) -> list[Category]:
    """The categories the form offers."""
    return list(await scope.db.scalars(select(Category).order_by(Category.position, Category.id)))


# ---- the figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A headline figure, this period and the one before."""

    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str  # "count", "percent", "hours", "score"
    good: str = "up"  # which way is better: "up", "down" or "" (neither)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def trend(self) -> str:
        """ "better", "worse" or "same" (for the card's colour)."""
        change = self.change
        if not change or not self.good:
            return "same"
        return "better" if (change > 0) == (self.good == "up") else "worse"


@dataclass(frozen=True)
class WaitFigures:
    name: str
    label: str
    count: int
    median_business: float | None  # hours
    p90_business: float | None
    median_calendar: float | None
    p90_calendar: float | None
    previous_median_business: float | None


@dataclass(frozen=True)
class DayPoint:
    day: date
    questions: int
    answered_rate: float | None
    resolved_rate: float | None
    sentiment: float | None
    negative_posts: int


@dataclass(frozen=True)
class Ranked:
    """A member, thread or idea in one of the dashboard's lists."""

    id: int
    label: str
    value: float
    detail: float = 0
    url: str = ""


@dataclass
class Dashboard:
    query: Query
    cards: list[Card]
    waits: list[WaitFigures]
    days: list[DayPoint]
    breakdowns: dict[str, list[tuple[str, int]]]
    totals: dict[str, int]
    previous_totals: dict[str, int]
    negative_threads: list[Ranked] = field(default_factory=list)
    top_contributors: list[Ranked] = field(default_factory=list)
    rising_members: list[Ranked] = field(default_factory=list)
    top_ideas: list[Ranked] = field(default_factory=list)


@dataclass
class Loaded:
    """A period's roll-ups added up: counts by (day, name, key), and waits by name."""

    counts: Counter[tuple[date, str, str]] = field(default_factory=Counter)
    waits: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))

    def total(self, name: str, key: str | None = None) -> int:
        return sum(v for (_, n, k), v in self.counts.items() if n == name and key in (None, k))

    def parts(self, name: str) -> Counter[str]:
        found: Counter[str] = Counter()
        for (_, n, k), v in self.counts.items():
            if n == name:
                found[k] += v
        return found

    def daily(self) -> Counter[tuple[date, str]]:
        """Each measure's total per day."""
        found: Counter[tuple[date, str]] = Counter()
        for (day, name, _), value in self.counts.items():
            found[(day, name)] += value
        return found


async def dashboard(scope: Scope, query: Query, now: datetime | None = None) -> Dashboard:
    scope.require(Permission.CONFIGURE_COMMUNITY, READERS)
    now = now or utcnow()
    today = day_of(now)
    # Today's facts, read once: today is in the period (never in the previous one).
    live = await collect(scope, Span(today, today), now) if query.last >= today else None
    current = await load(scope, query.span, query.category, now, live)
    before = await load(scope, query.previous, query.category, now)
    built = Dashboard(
        query=query,
        cards=_cards(current, before),
        waits=[_wait_figures(name, current, before) for name in WAITS],
        days=_days(query, current),
        breakdowns=await _breakdowns(scope, current),
        totals=_totals(current),
        previous_totals=_totals(before),
    )
    built.negative_threads = await negative_threads(scope, query)
    built.top_contributors, built.rising_members = await contributors(scope, query, live)
    built.top_ideas = await top_ideas(scope, query)
    return built


async def load(
    scope: Scope, span: Span, category: Category | None, now: datetime, live: Facts | None = None
) -> Loaded:
    """The span's measures: stored days, and today's (if in the span) read from the facts
    (`live`, when the caller has read them already)."""
    loaded = Loaded()
    today = day_of(now)
    stored_last = min(span.last, today - timedelta(days=1))
    where = [DashboardCount.day >= span.first, DashboardCount.day <= stored_last,
             DashboardCount.name.not_in(MEMBER_MEASURES)]  # fmt: skip
    if category is not None:
        where.append(DashboardCount.category_id == category.id)
    rows = await scope.db.execute(
        select(DashboardCount.day, DashboardCount.name, DashboardCount.key,
               func.sum(DashboardCount.value))
        .where(*where).group_by(DashboardCount.day, DashboardCount.name, DashboardCount.key)
    )  # fmt: skip
    for day, name, key, value in rows.all():
        loaded.counts[(day, name, key)] += int(value)
    waits = select(DashboardDuration.name, DashboardDuration.business_seconds,
                   DashboardDuration.calendar_seconds).where(
        DashboardDuration.day >= span.first, DashboardDuration.day <= stored_last)  # fmt: skip
    if category is not None:
        waits = waits.where(DashboardDuration.category_id == category.id)
    for name, business, calendar in (await scope.db.execute(waits)).all():
        loaded.waits[name].append((business, calendar))
    if span.first <= today <= span.last:
        facts = live or await collect(scope, Span(today, today), now)
        _add_live(loaded, facts.counts, facts.waits, category)
    return loaded


def _add_live(
    loaded: Loaded, counts: Counter[CountKey], waits: list[Wait], category: Category | None
) -> None:
    for (day, category_id, name, key), value in counts.items():
        if (category is None or category_id == category.id) and name not in MEMBER_MEASURES:
            loaded.counts[(day, name, key)] += value
    for wait in waits:
        if category is None or wait.category_id == category.id:
            loaded.waits[wait.name].append((wait.business_seconds, wait.calendar_seconds))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean_sentiment(loaded: Loaded) -> float | None:
    posts = loaded.total("sentiment_posts")
    return loaded.total("sentiment_milli") / 1000 / posts if posts else None


def median(values: list[int]) -> float | None:
    """The exact median (the mean of the two middle values for an even count)."""
    return float(statistics.median(values)) if values else None


def percentile(values: list[int], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of all at or
    below it (the 90th of 1..10 is 9, of 1..20 is 18)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(math.ceil(share * len(ordered)), 1) - 1])


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _wait_median(loaded: Loaded, name: str, business: bool = True) -> float | None:
    return _hours(median([b if business else c for b, c in loaded.waits.get(name, [])]))


def _cards(now: Loaded, before: Loaded) -> list[Card]:
    def both(measure: object) -> tuple[float | None, float | None]:
        return measure(now), measure(before)  # type: ignore[operator]

    def asked(part: str) -> object:
        return lambda d: _rate(d.total(part), d.total("questions"))

    def by_community(d: Loaded) -> float | None:
        return _rate(d.total("answered_by_community"), d.total("answered"))

    specs: list[tuple[str, str, object, str, str]] = [
        ("questions", N_("Questions asked"), lambda d: d.total("questions"), "count", ""),
        ("answered", N_("Answered"), asked("answered"), "percent", "up"),
        ("resolved", N_("Resolved"), asked("resolved"), "percent", "up"),
        ("first_answer", N_("Median time to first answer"),
         lambda d: _wait_median(d, "first_answer", business=False), "hours", "down"),
        ("community_share", N_("Answered by the community"), by_community, "percent", "up"),
        ("deflected", N_("Questions deflected"), lambda d: d.total("deflected"), "count", "up"),
        ("escalations", N_("Escalations"), lambda d: d.total("escalations"), "count", "down"),
        ("sla_breaches", N_("SLA breaches"), lambda d: d.total("sla_breaches"), "count", "down"),
        ("sentiment", N_("Customer sentiment"), _mean_sentiment, "score", "up"),
        ("flags", N_("Flags raised"), lambda d: d.total("flags"), "count", "down"),
    ]  # fmt: skip
    return [Card(key, label, *both(measure), unit, good)
            for key, label, measure, unit, good in specs]  # fmt: skip


WAIT_LABELS = {
    "first_answer": N_("Time to first answer"),
    "resolution": N_("Time to resolution"),
    "to_case": N_("Escalation to a case"),
    "to_agent_reply": N_("Escalation to the agent's reply"),
    "moderation_decision": N_("Held post to a moderator's decision"),
}


def _wait_figures(name: str, now: Loaded, before: Loaded) -> WaitFigures:
    waits = now.waits.get(name, [])
    business, calendar = [b for b, _ in waits], [c for _, c in waits]
    return WaitFigures(
        name, WAIT_LABELS[name], len(waits),
        _hours(median(business)), _hours(percentile(business, 0.9)),
        _hours(median(calendar)), _hours(percentile(calendar, 0.9)),
        _wait_median(before, name),
    )  # fmt: skip


def _days(query: Query, loaded: Loaded) -> list[DayPoint]:
    daily = loaded.daily()
    points = []
    for n in range(query.days):
        day = query.first + timedelta(days=n)
        asked, posts = daily[(day, "questions")], daily[(day, "sentiment_posts")]
        points.append(DayPoint(
            day, asked, _rate(daily[(day, "answered")], asked), _rate(daily[(day, "resolved")], asked),
            daily[(day, "sentiment_milli")] / 1000 / posts if posts else None,
            daily[(day, "negative_posts")],
        ))  # fmt: skip
    return points


TOTALS = ("questions", "answered", "resolved", "answered_by_staff", "answered_by_community",
          "deflection_solved", "deflection_posted_anyway", "deflected", "escalations",
          "sla_breaches", "sentiment_posts", "negative_posts", "flags", "held_posts")  # fmt: skip


def _totals(loaded: Loaded) -> dict[str, int]:
    return {name: loaded.total(name) for name in TOTALS}


async def _breakdowns(scope: Scope, loaded: Loaded) -> dict[str, list[tuple[str, int]]]:
    """Escalations by rule, state and target, and ideas by status: (key, count), largest
    first; a target is named (or "0" when it was removed)."""
    names = dict((await scope.db.execute(select(EscalationTarget.id, EscalationTarget.name))).all())
    targets = Counter({names.get(int(k), "0") if k.isdigit() else k: v
                       for k, v in loaded.parts("escalation_target").items()})  # fmt: skip
    ideas = loaded.parts("ideas")
    return {
        "escalation_rule": loaded.parts("escalation_rule").most_common(),
        "escalation_state": loaded.parts("escalation_state").most_common(),
        "escalation_target": targets.most_common(),
        "ideas": [
            (status.value, ideas[status.value]) for status in IdeaStatus if ideas[status.value]
        ],
    }


# ---- the lists -------------------------------------------------------------------------------


async def negative_threads(scope: Scope, query: Query) -> list[Ranked]:
    """Open threads (not resolved) whose customers' posts of the period are the most
    negative on average."""
    span = query.span
    mean = func.avg(Post.sentiment)
    rows = await scope.db.execute(
        select(Thread.id, Thread.title, Thread.slug, mean, func.count(Post.id))
        .join(Post, Post.thread_id == Thread.id)
        .join(Member, Member.id == Post.author_id)
        .where(Thread.last_activity_at >= span.start, span.within(Post.created_at))
        .where(Thread.deleted_at.is_(None), Thread.kind != ThreadKind.IDEA)
        .where(Thread.accepted_post_id.is_(None), Thread.certified_post_id.is_(None))
        .where(Member.role == Role.MEMBER, Post.sentiment.is_not(None), Post.deleted_at.is_(None))
        .where(*_in_category(query))
        .group_by(Thread.id, Thread.title, Thread.slug)
        .having(mean < 0)
        .order_by(mean, Thread.id)
        .limit(LISTED)
    )
    return [Ranked(i, title, round(float(m), 2), n, f"/t/{i}/{slug}")
            for i, title, slug, m, n in rows.all()]  # fmt: skip


def _in_category(query: Query) -> list[ColumnElement[bool]]:
    return [Thread.category_id == query.category.id] if query.category else []


async def _member_totals(
    scope: Scope, span: Span, query: Query, live: Facts | None
) -> dict[int, tuple[int, int]]:
    """Answers and solutions (accepted or certified answers) per member over a span: the
    stored days before today, and today's from `live` (today's facts) when given."""
    stored_last = min(span.last, utcnow().date() - timedelta(days=1))
    where = [DashboardCount.day >= span.first, DashboardCount.day <= stored_last,
             DashboardCount.name.in_(MEMBER_MEASURES)]  # fmt: skip
    if query.category:
        where.append(DashboardCount.category_id == query.category.id)
    rows = await scope.db.execute(
        select(DashboardCount.key, DashboardCount.name, func.sum(DashboardCount.value))
        .where(*where)
        .group_by(DashboardCount.key, DashboardCount.name)
    )
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for key, name, value in rows.all():
        found[int(key)][MEMBER_MEASURES.index(name)] += int(value)
    if live is not None and span.first <= live.span.first <= span.last:
        for (_, category_id, name, key), value in live.counts.items():
            in_category = not query.category or category_id == query.category.id
            if name in MEMBER_MEASURES and in_category:
                found[int(key)][MEMBER_MEASURES.index(name)] += value
    return {member: (a, s) for member, (a, s) in found.items()}


async def contributors(
    scope: Scope, query: Query, live: Facts | None = None
) -> tuple[list[Ranked], list[Ranked]]:
    """Top contributors (most solutions, then answers) and rising members (the biggest gain
    in answers over the previous period, among the others, with at least two answers)."""
    now = await _member_totals(scope, query.span, query, live)
    ranked = sorted(now.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))
    top = [member for member, _ in ranked[:LISTED]]
    candidates = [m for m, (answers, _) in now.items() if m not in top and answers >= 2]
    before = await _member_totals(scope, query.previous, query, None)
    gains = sorted(
        ((m, now[m][0] - before.get(m, (0, 0))[0]) for m in candidates), key=lambda g: (-g[1], g[0])
    )
    rising = [(m, gain) for m, gain in gains if gain > 0][:LISTED]
    names = await _names(scope, top + [m for m, _ in rising])
    return (
        [Ranked(m, names.get(m, "?"), now[m][1], now[m][0], f"/u/{m}") for m in top],
        [Ranked(m, names.get(m, "?"), gain, now[m][0], f"/u/{m}") for m, gain in rising],
    )


async def _names(scope: Scope, member_ids: list[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    rows = await scope.db.execute(
        select(Member.id, Member.display_name).where(Member.id.in_(member_ids))
    )
    return dict(rows.all())


async def top_ideas(scope: Scope, query: Query) -> list[Ranked]:
    """The most voted open ideas (not done, declined or merged), whenever proposed."""
    rows = await scope.db.execute(
        select(Idea.id, Thread.title, Idea.vote_count, Thread.id, Idea.status)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Idea.status.not_in(CLOSED_IDEAS), Thread.deleted_at.is_(None), *_in_category(query))
        .order_by(Idea.vote_count.desc(), Idea.id)
        .limit(LISTED)
    )
    return [Ranked(i, title, votes, 0, f"/ideas/{i}") for i, title, votes, _, _ in rows.all()]
