"""Deflection, measured: similar answered questions suggested while a member writes a title,
and what came of them.

A *suggestion session* is a random key the ask form (and the idea form) carries, and every
suggestion link after it: the events of one member's attempt to ask share it. Each event is
recorded once per session, thread and kind (a unique constraint), so reloading a page or
clicking "This solved my problem" again counts nothing more. "Solved" and "opened" are only
taken for a thread that was shown in that session.

The rule for a **deflected** question, computed when the figures are read (nothing to sweep,
nothing that can drift): a suggestion session is deflected when it has a "solved" event and
no "posted anyway" event up to one hour after its first "solved". It counts on the UTC day of
that first "solved", once the hour has passed; until then it is pending and not counted.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from community.db import utcnow
from community.deflection.models import DeflectionEvent, DeflectionKind
from community.errors import NotFound, ValidationFailed
from community.forums.models import Thread, ThreadKind
from community.identity.permissions import Permission
from community.inputs import has_words, normalise_line, parse_day
from community.l10n import N_
from community.scope import Scope
from community.search import service as search
from community.search.port import SearchHit, SearchQuery

KEY = re.compile(r"[A-Za-z0-9_-]{22}")  # what secrets.token_urlsafe(16) makes
SUGGESTIONS = 5
MIN_TITLE = 4  # characters before anything is suggested
MAX_TITLE = 200
DEFLECTION_WINDOW = timedelta(hours=1)
MAX_DAYS = 366
DEFAULT_DAYS = 30

READERS = N_("Only admins can read the deflection figures.")
NOT_SUGGESTED = N_("This thread was not suggested to you.")
BAD_RANGE = N_("The first day must not be after the last.")
TOO_LONG = N_("Ask for at most 366 days.")


def new_key() -> str:
    return secrets.token_urlsafe(16)


def valid_key(value: str) -> str | None:
    return value if KEY.fullmatch(value) else None


@dataclass(frozen=True)
class Suggestions:
    key: str  # the suggestion session the links carry
    hits: tuple[SearchHit, ...]


async def suggest(
    scope: Scope,
    title: str,
    key: str,
    *,
    kinds: tuple[str, ...] = (ThreadKind.QUESTION.value,),
    resolved: bool | None = True,
) -> Suggestions:
    """Threads like `title` (resolved questions by default), recorded as shown in the session
    `key` (a new one when `key` is not one)."""
    key = valid_key(key) or new_key()
    text = normalise_line(title)[:MAX_TITLE]
    if len(text) < MIN_TITLE or not has_words(text):
        return Suggestions(key, ())
    query = SearchQuery(text=text, kinds=kinds, resolved=resolved, limit=SUGGESTIONS)
    hits = (await search.search(scope, query)).hits
    await _record(scope, DeflectionKind.SHOWN, key, [hit.thread_id for hit in hits])
    return Suggestions(key, hits)


@dataclass(frozen=True)
class SolvedOffer:
    """The "This solved my problem" button of a thread opened from a suggestion."""

    key: str
    thread_id: int
    solved: bool  # already said: the thanks are shown instead


async def opened(scope: Scope, key: str, thread: Thread) -> SolvedOffer | None:
    """The thread was opened from a suggestion of session `key`: recorded, and the offer to
    say it solved the problem (None when it was not suggested in that session)."""
    key_ = valid_key(key)
    if key_ is None or not await _has(scope, key_, thread.id, DeflectionKind.SHOWN):
        return None
    await _record(scope, DeflectionKind.OPENED, key_, [thread.id])
    solved = await _has(scope, key_, thread.id, DeflectionKind.SOLVED)
    return SolvedOffer(key_, thread.id, solved)


async def mark_solved(scope: Scope, key: str, thread_id: int) -> Thread:
    """The suggested thread solved the member's problem."""
    thread = await scope.one(Thread, thread_id, "No such thread.")
    key_ = valid_key(key)
    if key_ is None or not await _has(scope, key_, thread.id, DeflectionKind.SHOWN):
        raise NotFound(NOT_SUGGESTED)
    await _record(scope, DeflectionKind.OPENED, key_, [thread.id])
    await _record(scope, DeflectionKind.SOLVED, key_, [thread.id])
    return thread


async def posted(scope: Scope, key: str, thread: Thread) -> None:
    """The member posted `thread` in a session that was shown suggestions: posted anyway."""
    key_ = valid_key(key)
    if key_ is not None and await _has(scope, key_, None, DeflectionKind.SHOWN):
        await _record(scope, DeflectionKind.POSTED_ANYWAY, key_, [thread.id])


async def _has(scope: Scope, key: str, thread_id: int | None, kind: DeflectionKind) -> bool:
    query = select(DeflectionEvent.id).where(
        DeflectionEvent.session_key == key, DeflectionEvent.kind == kind
    )
    if thread_id is not None:
        query = query.where(DeflectionEvent.thread_id == thread_id)
    return await scope.db.scalar(query.limit(1)) is not None


async def _record(scope: Scope, kind: DeflectionKind, key: str, thread_ids: Sequence[int]) -> None:
    """One event per thread, unless the session has it already (a repeated click)."""
    if not thread_ids:
        return
    insert = pg_insert if scope.db.get_bind().dialect.name == "postgresql" else sqlite_insert
    member_id = scope.member.id if scope.member else None
    rows = [
        {"tenant_id": scope.tenant_id, "kind": kind.value, "thread_id": thread_id,
         "member_id": member_id, "session_key": key, "created_at": utcnow()}
        for thread_id in dict.fromkeys(thread_ids)
    ]  # fmt: skip
    await scope.db.execute(insert(DeflectionEvent).values(rows).on_conflict_do_nothing())


# ---- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeflectionDay:
    day: date
    sessions: int  # suggestion sessions that were shown suggestions
    shown: int  # suggestions shown (one per session and thread)
    opened: int
    solved: int
    posted_anyway: int  # sessions that posted after being shown suggestions
    deflected: int  # sessions deflected by the rule (module docstring)

    @property
    def rate(self) -> float | None:
        """Deflected sessions out of the sessions shown suggestions that day."""
        return self.deflected / self.sessions if self.sessions else None


@dataclass(frozen=True)
class DeflectionReport:
    first: date
    last: date
    days: list[DeflectionDay]  # every day from first to last, newest first
    totals: DeflectionDay  # `day` is the last day

    @property
    def peak(self) -> int:
        """The most suggestions shown on one day (the bar chart's full width)."""
        return max((d.shown for d in self.days), default=0)


def date_range(first: str, last: str, today: date) -> tuple[date, date]:
    """The days asked for (ISO dates, both included; the last 30 days by default)."""
    errors: dict[str, str] = {}
    end = parse_day(last, "to", errors) or today
    start = parse_day(first, "from", errors) or end - timedelta(days=DEFAULT_DAYS - 1)
    if not errors and start > end:
        errors["from"] = BAD_RANGE
    elif not errors and (end - start).days >= MAX_DAYS:
        errors["from"] = TOO_LONG
    if errors:
        raise ValidationFailed(errors)
    return start, end


async def report(scope: Scope, first: date, last: date) -> DeflectionReport:
    """The figures of each day from `first` to `last` (UTC days)."""
    scope.require(Permission.CONFIGURE_COMMUNITY, READERS)
    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(last + timedelta(days=1), time(), UTC)
    counts = await _counts(scope, start, end)
    deflected = await _deflected(scope, start, end, utcnow())
    days = [
        _day(first + timedelta(days=n), counts, deflected) for n in range((last - first).days + 1)
    ]
    return DeflectionReport(first, last, days[::-1], _total(last, days))


Counts = dict[tuple[date, DeflectionKind], tuple[int, int]]  # (events, sessions)


def _utc_day(scope: Scope) -> ColumnElement[date]:
    column = DeflectionEvent.created_at
    if scope.db.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


async def _counts(scope: Scope, start: datetime, end: datetime) -> Counts:
    day = _utc_day(scope).label("day")
    rows = await scope.db.execute(
        select(
            day,
            DeflectionEvent.kind,
            func.count(DeflectionEvent.id),
            func.count(DeflectionEvent.session_key.distinct()),
        )
        .where(DeflectionEvent.created_at >= start, DeflectionEvent.created_at < end)
        .group_by(day, DeflectionEvent.kind)
    )
    return {(_as_date(d), DeflectionKind(k)): (n, s) for d, k, n, s in rows.all()}


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def _deflected(
    scope: Scope, start: datetime, end: datetime, now: datetime
) -> dict[date, int]:
    """Deflected sessions by the day of their first "solved" (the rule in the docstring)."""
    by_day: dict[date, int] = defaultdict(int)
    for session in await deflected_sessions(scope, start, end, now):
        by_day[session.solved_at.date()] += 1
    return by_day


@dataclass(frozen=True)
class Deflected:
    """A suggestion session deflected: its first "solved", on which suggested thread."""

    session_key: str
    solved_at: datetime
    thread_id: int


async def deflected_sessions(
    scope: Scope, start: datetime, end: datetime, now: datetime
) -> list[Deflected]:
    """The sessions whose first "solved" falls in [start, end) and that did not post within
    DEFLECTION_WINDOW of it (a window still running at `now` does not count yet)."""
    keys = await scope.db.scalars(
        select(DeflectionEvent.session_key)
        .distinct()
        .where(
            DeflectionEvent.kind == DeflectionKind.SOLVED,
            DeflectionEvent.created_at >= start,
            DeflectionEvent.created_at < end,
        )
    )
    first: dict[str, tuple[datetime, int]] = {}
    for chunk in _chunks(list(keys.all())):
        rows = await scope.db.execute(
            select(DeflectionEvent.session_key, DeflectionEvent.created_at,
                   DeflectionEvent.thread_id)
            .where(DeflectionEvent.kind == DeflectionKind.SOLVED,
                   DeflectionEvent.session_key.in_(chunk))
            .order_by(DeflectionEvent.created_at, DeflectionEvent.id)
        )  # fmt: skip
        for key, at, thread_id in rows.all():
            first.setdefault(key, (_aware(at), thread_id))
    solved = {key: found for key, found in first.items() if start <= found[0] < end}
    posted = await _posted_at(scope, solved)
    deflected = []
    for key, (at, thread_id) in solved.items():
        deadline = at + DEFLECTION_WINDOW
        if deadline <= now and not any(p <= deadline for p in posted.get(key, ())):
            deflected.append(Deflected(key, at, thread_id))
    return deflected


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def _aware(value: datetime | str) -> datetime:
    """A min() over the column comes back as the database wrote it (text on SQLite)."""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def _posted_at(scope: Scope, keys: Iterable[str]) -> dict[str, list[datetime]]:
    posted: dict[str, list[datetime]] = defaultdict(list)
    for chunk in _chunks(list(keys)):
        rows = await scope.db.execute(
            select(DeflectionEvent.session_key, DeflectionEvent.created_at).where(
                DeflectionEvent.kind == DeflectionKind.POSTED_ANYWAY,
                DeflectionEvent.session_key.in_(chunk),
            )
        )
        for key, at in rows.all():
            posted[key].append(_aware(at))
    return posted


def _day(day: date, counts: Counts, deflected: dict[date, int]) -> DeflectionDay:
    def events(kind: DeflectionKind) -> int:
        return counts.get((day, kind), (0, 0))[0]

    return DeflectionDay(
        day=day,
        sessions=counts.get((day, DeflectionKind.SHOWN), (0, 0))[1],
        shown=events(DeflectionKind.SHOWN),
        opened=events(DeflectionKind.OPENED),
        solved=events(DeflectionKind.SOLVED),
        posted_anyway=counts.get((day, DeflectionKind.POSTED_ANYWAY), (0, 0))[1],
        deflected=deflected.get(day, 0),
    )


def _total(last: date, days: list[DeflectionDay]) -> DeflectionDay:
    def total(name: str) -> int:
        return sum(getattr(day, name) for day in days)

    names = ("sessions", "shown", "opened", "solved", "posted_anyway", "deflected")
    return DeflectionDay(last, *(total(name) for name in names))
