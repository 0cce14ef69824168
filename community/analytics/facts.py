"""What the dashboard counts, read from the facts for a span of UTC days.

Every measure belongs to a day and a category (the thread's): a question's figures (asked,
answered, resolved, its waits) to the day it was asked; an answer's to the day it was
posted; a post's sentiment to its day; an escalation's to the day it was opened; a flag or
a held post to the day it was raised; an idea to the day it was proposed (with the status
it has now); a deflected session to the day of its first "solved". `collect` returns them;
`community.analytics.rollup` stores them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from community.deflection.models import DeflectionEvent, DeflectionKind
from community.deflection.services import deflected_sessions
from community.escalation.calendar import BusinessCalendar
from community.escalation.models import Escalation, EscalationState
from community.escalation.sentiment import NEGATIVE_AT_MOST
from community.escalation.sweep import STAFF
from community.forums.models import Post, Thread, ThreadKind, Visibility
from community.ideas.models import Idea
from community.identity.models import Member, Role
from community.moderation.models import Flag, QueueItem
from community.scope import Scope

CountKey = tuple[date, int, str, str]  # day, category id, measure, part


@dataclass(frozen=True)
class Span:
    """UTC days from `first` to `last`, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), UTC)

    def within(
        self, column: InstrumentedAttribute[datetime] | ColumnElement[datetime]
    ) -> ColumnElement[bool]:
        return (column >= self.start) & (column < self.end)


@dataclass(frozen=True)
class Wait:
    day: date
    category_id: int
    name: str
    subject_id: int
    calendar_seconds: int
    business_seconds: int


@dataclass
class Facts:
    """The measures of a span, ready to be stored or added up."""

    span: Span
    counts: Counter[CountKey] = field(default_factory=Counter)
    waits: list[Wait] = field(default_factory=list)
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)

    def count(self, at: datetime, category_id: int, name: str, key: str = "", n: int = 1) -> None:
        self.counts[(day_of(at), category_id, name, key)] += n

    def wait(self, name: str, subject: tuple[int, int], begun: datetime, ended: datetime) -> None:
        """A wait from `begun` to `ended`, of subject (id, category id), on `begun`'s day."""
        self.waits.append(Wait(
            day_of(begun), subject[1], name, subject[0],
            max(int((ended - begun).total_seconds()), 0),
            self.calendar.business_seconds(begun, ended),
        ))  # fmt: skip


def day_of(at: datetime) -> date:
    return at.astimezone(UTC).date()


Collector = Callable[[Scope, Span, Facts, datetime], Awaitable[None]]


async def collect(scope: Scope, span: Span, now: datetime) -> Facts:
    facts = Facts(span, calendar=scope.settings.escalation.business_calendar)
    for collector in COLLECTORS:
        await collector(scope, span, facts, now)
    return facts


def _live_thread() -> ColumnElement[bool]:
    return Thread.deleted_at.is_(None) & (Thread.visibility == Visibility.PUBLISHED)


def _live_post() -> ColumnElement[bool]:
    return Post.deleted_at.is_(None) & (Post.visibility == Visibility.PUBLISHED)


def _is_staff(role: Role, official_agent: str) -> bool:
    return role in STAFF or bool(official_agent)


async def _questions(scope: Scope, span: Span, facts: Facts, now: datetime) -> None:
    """Asked, answered (by staff or the community), resolved; time to answer and to resolve."""
    threads = (await scope.db.execute(
        select(Thread.id, Thread.category_id, Thread.created_at, Thread.accepted_post_id,
               Thread.accepted_at, Thread.certified_post_id, Thread.certified_at)
        .where(Thread.kind == ThreadKind.QUESTION, _live_thread(), span.within(Thread.created_at))
    )).all()  # fmt: skip
    first_answers = await _first_answers(scope, span)
    for thread_id, category_id, asked, accepted_id, accepted, certified_id, certified in threads:
        subject = (thread_id, category_id)
        facts.count(asked, category_id, "questions")
        if answer := first_answers.get(thread_id):
            answered_at, by_staff = answer
            facts.count(asked, category_id, "answered")
            facts.count(
                asked, category_id, "answered_by_staff" if by_staff else "answered_by_community"
            )
            facts.wait("first_answer", subject, asked, answered_at)
        moments = [m for i, m in ((accepted_id, accepted), (certified_id, certified)) if i and m]
        if moments:
            facts.count(asked, category_id, "resolved")
            facts.wait("resolution", subject, asked, min(moments))


async def _first_answers(scope: Scope, span: Span) -> dict[int, tuple[datetime, bool]]:
    """The first reply by someone other than the asker to each question of the span: when,
    and whether staff (experts, moderators, admins, agents, official replies) gave it."""
    rows = await scope.db.execute(
        select(Post.thread_id, Post.created_at, Member.role, Post.official_agent)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Member, Member.id == Post.author_id)
        .where(Thread.kind == ThreadKind.QUESTION, _live_thread(), span.within(Thread.created_at))
        .where(Post.number > 1, _live_post(), Post.author_id != Thread.author_id)
        .order_by(Post.thread_id, Post.created_at, Post.id)
    )
    first: dict[int, tuple[datetime, bool]] = {}
    for thread_id, at, role, agent in rows.all():
        first.setdefault(thread_id, (at, _is_staff(role, agent)))
    return first


async def _answers(scope: Scope, span: Span, facts: Facts, now: datetime) -> None:
    """Each member's answers posted in the span (to others' questions), and how many of them
    are the accepted or certified answer: the contributors' table."""
    rows = await scope.db.execute(
        select(Post.id, Post.author_id, Post.created_at, Thread.category_id,
               Thread.accepted_post_id, Thread.certified_post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Thread.kind == ThreadKind.QUESTION, _live_thread())
        .where(Post.number > 1, _live_post(), Post.author_id != Thread.author_id)
        .where(span.within(Post.created_at))
    )  # fmt: skip
    for post_id, author_id, at, category_id, accepted_id, certified_id in rows.all():
        facts.count(at, category_id, "answers", str(author_id))
        if post_id in (accepted_id, certified_id):
            facts.count(at, category_id, "solutions", str(author_id))


async def _sentiment(scope: Scope, span: Span, facts: Facts, now: datetime) -> None:
    """Customers' (members') posts with a sentiment: how many, their sum in thousandths, and
    how many are negative (at most the escalation lexicon's NEGATIVE_AT_MOST)."""
    rows = await scope.db.execute(
        select(Post.created_at, Post.sentiment, Thread.category_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Member, Member.id == Post.author_id)
        .where(Member.role == Role.MEMBER, Post.sentiment.is_not(None), _live_post(),
               Thread.deleted_at.is_(None), span.within(Post.created_at))
    )  # fmt: skip
    for at, sentiment, category_id in rows.all():
        assert sentiment is not None  # the query's condition
        facts.count(at, category_id, "sentiment_posts")
        facts.count(at, category_id, "sentiment_milli", n=round(sentiment * 1000))
        if sentiment <= NEGATIVE_AT_MOST:
            facts.count(at, category_id, "negative_posts")


async def _deflection(scope: Scope, span: Span, facts: Facts, now: datetime) -> None:
    """ "This solved my problem" clicks, sessions that posted anyway, and deflected sessions
    (the deflection page's rule), on the suggested (or posted) thread's category."""
    rows = await scope.db.execute(
        select(DeflectionEvent.kind, DeflectionEvent.created_at, Thread.category_id)
        .join(Thread, Thread.id == DeflectionEvent.thread_id)
        .where(DeflectionEvent.kind.in_([DeflectionKind.SOLVED, DeflectionKind.POSTED_ANYWAY]))
        .where(span.within(DeflectionEvent.created_at))
    )
    for kind, at, category_id in rows.all():
        facts.count(at, category_id, f"deflection_{kind.value}")
    deflected = await deflected_sessions(scope, span.start, span.end, now)
    categories = await _categories_of(scope, {d.thread_id for d in deflected})
    for session in deflected:
        if session.thread_id in categories:
            facts.count(session.solved_at, categories[session.thread_id], "deflected")


async def _categories_of(scope: Scope, thread_ids: set[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = await scope.db.execute(
        select(Thread.id, Thread.category_id).where(Thread.id.in_(thread_ids))
    )
    return {thread_id: category_id for thread_id, category_id in rows.all()}


async def _escalations(scope: Scope, span: Span, facts: Facts, now: datetime) -> None:
    """Escalations opened, by rule, current state and target; SLA breaches; time to a case
    and to the agent's first reply."""
    sla_seconds = scope.settings.escalation.case_sla_hours * 3600
    rows = await scope.db.execute(
        select(Escalation, Thread.category_id)
        .join(Thread, Thread.id == Escalation.thread_id)
        .where(span.within(Escalation.created_at))
    )
    escalations = [(e, c) for e, c in rows.all()]
    replies = await _agent_replies(scope, [e.thread_id for e, _ in escalations])
    for escalation, category_id in escalations:
        opened, subject = escalation.created_at, (escalation.id, category_id)
        facts.count(opened, category_id, "escalations")
        for rule in escalation.rules:
            facts.count(opened, category_id, "escalation_rule", rule)
        facts.count(opened, category_id, "escalation_state", escalation.state.value)
        facts.count(opened, category_id, "escalation_target", str(escalation.target_id or 0))
        if escalation.acknowledged_at:
            facts.wait("to_case", subject, opened, escalation.acknowledged_at)
        if reply := next((r for r in replies.get(escalation.thread_id, []) if r >= opened), None):
            facts.wait("to_agent_reply", subject, opened, reply)
        waited_until = escalation.acknowledged_at or escalation.resolved_at or now
        if facts.calendar.business_seconds(opened, waited_until) > sla_seconds:
            facts.count(opened, category_id, "sla_breaches")


async def _agent_replies(scope: Scope, thread_ids: list[int]) -> dict[int, list[datetime]]:
    """When each thread's official contact-centre replies were posted, oldest first."""
    found: dict[int, list[datetime]] = {}
    for chunk in (thread_ids[i : i + 500] for i in range(0, len(thread_ids), 500)):
        rows = await scope.db.execute(
            select(Post.thread_id, Post.created_at)
            .where(Post.thread_id.in_(chunk), Post.official_agent != "", Post.deleted_at.is_(None))
            .order_by(Post.created_at)
        )
        for thread_id, at in rows.all():
            found.setdefault(thread_id, []).append(at)
    return found


async def _moderation(scope: Scope, span: Span, facts: Facts, now: datetime) -> None:
    """Flags raised, posts held for review, and the time to a moderator's decision."""
    flags = await scope.db.execute(
        select(Flag.created_at, Thread.category_id)
        .join(Post, Post.id == Flag.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(span.within(Flag.created_at))
    )
    for at, category_id in flags.all():
        facts.count(at, category_id, "flags")
    held = await scope.db.execute(
        select(QueueItem.id, QueueItem.created_at, QueueItem.decided_at, Thread.category_id)
        .join(Post, Post.id == QueueItem.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(span.within(QueueItem.created_at))
    )
    for item_id, at, decided_at, category_id in held.all():
        facts.count(at, category_id, "held_posts")
        if decided_at is not None:
            facts.wait("moderation_decision", (item_id, category_id), at, decided_at)


async def _ideas(scope: Scope, span: Span, facts: Facts, now: datetime) -> None:
    """Ideas proposed, by the status they have now."""
    rows = await scope.db.execute(
        select(Thread.created_at, Thread.category_id, Idea.status)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Thread.deleted_at.is_(None), span.within(Thread.created_at))
    )
    for at, category_id, status in rows.all():
        facts.count(at, category_id, "ideas", status.value)


COLLECTORS: list[Collector] = [
    _questions, _answers, _sentiment, _deflection, _escalations, _moderation, _ideas,
]  # fmt: skip

OPEN_CASE = (EscalationState.PENDING, EscalationState.SENT, EscalationState.FAILED)
