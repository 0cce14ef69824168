"""The manager dashboard: figures on a dated history whose right answers are worked out by
hand below, roll-ups kept by the job equal to a recompute, the API, the CSV and bad input."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from community.analytics import rollup, services
from community.analytics.models import DashboardCount, DashboardDuration
from community.deflection.models import DeflectionEvent, DeflectionKind
from community.escalation.models import Escalation, EscalationState
from community.forums import services as forums
from community.forums.models import Post, Thread
from community.identity.models import Member, Role
from community.moderation import services as moderation
from community.qa import services as qa
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

# The acme community's calendar is the default one: Monday to Friday, 09:00-18:00 UTC, and
# its case SLA 8 business hours. 2026-11-20 is a Friday.
FRI, MON, TUE, WED = (date(2026, 11, d) for d in (20, 23, 24, 25))
WEEK = {"from": "2026-11-20", "to": "2026-11-26"}
LATER = datetime(2026, 11, 30, 12, tzinfo=UTC)  # "now" for the figures: after the week


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass
class History:
    ann: Member
    bob: Member
    eve: Member  # an expert
    boss: Member  # an admin
    q1: Thread
    q2: Thread
    q3: Thread
    q1_answer: int


async def _dated(world: World, model: Any, row_id: int, **values: Any) -> None:
    async with world.unit() as session:
        await session.execute(update(model).where(model.id == row_id).values(**values))


async def acting(world: World, session: Any, member: Member) -> Any:
    return await world.scope(session, "acme", await session.get(Member, member.id))


async def seeded_week(world: World) -> History:
    """Q1 asked on Friday at 17:00, answered by Bob (a member) on Monday at 10:00, accepted at
    11:00; Q2 asked on Monday at 09:30, answered by Eve (an expert) at 11:30; Q3 asked on
    Tuesday at 12:00, unanswered (its asker's own reply does not count), escalated at 13:00,
    its case opened on Wednesday at 14:00. Two suggestion sessions: one deflected, one that
    posted anyway."""
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    eve = await world.member("acme", "eve@example.com", Role.EXPERT)
    boss = await world.member("acme", "boss@example.com", Role.ADMIN)
    q1 = await world.thread("acme", ann, title="Router drops every evening")
    q2 = await world.thread("acme", ann, title="Invoice in euros", category="billing")
    q3 = await world.thread("acme", ann, title="Fibre not installed yet")
    replies = []
    for author, thread, text in ((bob, q1, "Reboot it."), (eve, q2, "Yes, in settings."),
                                 (ann, q3, "Still waiting.")):  # fmt: skip
        async with world.unit() as session:
            replies.append(
                await forums.reply(await acting(world, session, author), thread.id, text)
            )
    answer, staff, own = replies
    async with world.unit() as session:
        await qa.accept(await acting(world, session, ann), answer.id)
    for thread, asked in ((q1, at(FRI, 17)), (q2, at(MON, 9, 30)), (q3, at(TUE, 12))):
        await _dated(world, Thread, thread.id, created_at=asked, last_activity_at=asked)
        async with world.unit() as session:
            opening = await session.scalar(
                select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
            )
        await _dated(world, Post, opening, created_at=asked)
    await _dated(world, Post, answer.id, created_at=at(MON, 10))
    await _dated(world, Thread, q1.id, accepted_at=at(MON, 11))
    await _dated(world, Post, staff.id, created_at=at(MON, 11, 30))
    await _dated(world, Post, own.id, created_at=at(TUE, 12, 30))
    async with world.unit() as session:
        session.add(Escalation(
            tenant_id=world.tenants["acme"], thread_id=q3.id, rules=["manual"], idempotency_key="k3",
            state=EscalationState.ACKNOWLEDGED, created_at=at(TUE, 13), updated_at=at(WED, 14),
            acknowledged_at=at(WED, 14), external_id="CASE-1",
        ))  # fmt: skip
        for key, kind, thread_id, moment in (
            ("a" * 22, DeflectionKind.SOLVED, q1.id, at(TUE, 10)),
            ("b" * 22, DeflectionKind.SOLVED, q1.id, at(TUE, 11)),
            ("b" * 22, DeflectionKind.POSTED_ANYWAY, q3.id, at(TUE, 11, 20)),
        ):
            session.add(
                DeflectionEvent(
                    tenant_id=world.tenants["acme"],
                    kind=kind,
                    thread_id=thread_id,
                    session_key=key,
                    created_at=moment,
                )
            )
    return History(ann, bob, eve, boss, q1, q2, q3, answer.id)


async def figures(world: World, admin: Member, category: str = "") -> services.Dashboard:
    async with world.unit() as session:
        scope = await acting(world, session, admin)
        query = await services.parse_query(
            scope, "", WEEK["from"], WEEK["to"], category, LATER.date()
        )
        return await services.dashboard(scope, query, LATER)


async def recompute(world: World, now: datetime | None = None) -> None:
    async with world.unit() as session:
        await rollup.recompute(await world.scope(session, "acme"), now)


def card(d: services.Dashboard, key: str) -> services.Card:
    return next(c for c in d.cards if c.key == key)


def wait(d: services.Dashboard, name: str) -> services.WaitFigures:
    return next(w for w in d.waits if w.name == name)


async def test_the_week_s_figures_are_the_ones_worked_out_by_hand(world: World) -> None:
    history = await seeded_week(world)
    await recompute(world, LATER)
    shown = await figures(world, history.boss)

    assert card(shown, "questions").value == 3
    assert card(shown, "answered").value == pytest.approx(2 / 3)  # Q1 and Q2
    assert card(shown, "resolved").value == pytest.approx(1 / 3)  # Q1, accepted
    assert card(shown, "community_share").value == pytest.approx(1 / 2)  # Bob; Eve is staff
    assert (shown.totals["answered_by_staff"], shown.totals["answered_by_community"]) == (1, 1)
    first = wait(shown, "first_answer")
    # Q1: Friday 17:00 to Monday 10:00 is 65 calendar hours but 2 business hours (17-18 on
    # Friday, 9-10 on Monday); Q2: 2 hours either way.
    assert (first.count, first.median_business, first.p90_business) == (2, 2.0, 2.0)
    assert (first.median_calendar, first.p90_calendar) == (33.5, 65.0)
    resolution = wait(shown, "resolution")  # Q1 only: to Monday 11:00
    assert (resolution.median_business, resolution.median_calendar) == (3.0, 66.0)
    # The case: Tuesday 13:00 to Wednesday 14:00 is 25 hours, 10 of them open (5 + 5): more
    # than the 8-hour SLA.
    to_case = wait(shown, "to_case")
    assert (to_case.median_business, to_case.median_calendar) == (10.0, 25.0)
    assert shown.totals["escalations"] == 1 and shown.totals["sla_breaches"] == 1
    assert dict(shown.breakdowns["escalation_state"]) == {"acknowledged": 1}
    assert dict(shown.breakdowns["escalation_rule"]) == {"manual": 1}
    # Session a solved and never posted; session b posted 20 minutes after its "solved".
    assert shown.totals["deflection_solved"] == 2
    assert shown.totals["deflection_posted_anyway"] == 1
    assert card(shown, "deflected").value == 1
    assert card(shown, "questions").previous == 0, "nothing the week before"
    assert [p.questions for p in shown.days] == [1, 0, 0, 1, 1, 0, 0]
    assert [c.label for c in shown.top_contributors][:1] == ["Bob"], "one solution"

    billing = await figures(world, history.boss, "billing")
    assert card(billing, "questions").value == 1 and card(billing, "answered").value == 1.0


def test_the_percentiles_are_exact_nearest_rank() -> None:
    assert services.median([1, 2, 3, 10]) == 2.5
    assert services.percentile(list(range(1, 11)), 0.9) == 9
    assert services.percentile(list(range(1, 21)), 0.9) == 18
    assert services.percentile([7], 0.9) == 7 and services.percentile([], 0.9) is None


async def snapshot(world: World) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        counts = await scope.db.execute(select(
            DashboardCount.day, DashboardCount.category_id, DashboardCount.name,
            DashboardCount.key, DashboardCount.value))  # fmt: skip
        waits = await scope.db.execute(select(
            DashboardDuration.day, DashboardDuration.category_id, DashboardDuration.name,
            DashboardDuration.subject_id, DashboardDuration.calendar_seconds,
            DashboardDuration.business_seconds))  # fmt: skip
        return sorted(map(tuple, counts.all())), sorted(map(tuple, waits.all()))


async def test_the_job_keeps_the_roll_ups_equal_to_a_recompute(world: World) -> None:
    history = await seeded_week(world)
    await recompute(world)  # the job's starting point
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    # Later, on the old questions: Bob answers Q3 and Ann accepts; Ann takes back Q1's
    # acceptance; a post of Q2 is flagged; a new question is asked today.
    async with world.unit() as session:
        late = await forums.reply(await acting(world, session, history.bob), history.q3.id,
                                  "The technician comes on Friday.")  # fmt: skip
    async with world.unit() as session:
        asker = await acting(world, session, history.ann)
        await qa.accept(asker, late.id)
        await qa.unaccept(asker, history.q1_answer)
    async with world.unit() as session:
        flagger = await acting(world, session, history.bob)
        staff_post = await session.scalar(
            select(Post.id).where(Post.thread_id == history.q2.id, Post.number == 2)
        )
        await moderation.flag_post(flagger, staff_post, "spam")
    await world.thread("acme", history.bob, title="Is there an outage in Lyon?")
    stale = await snapshot(world)

    async with world.unit() as session:
        await rollup.refresh(await world.scope(session, "acme"))
    kept = await snapshot(world)
    await recompute(world)
    assert kept == await snapshot(world)
    assert kept != stale, "the job had work to do"
    del mod


async def admin_client(client: Client, world: World) -> History:
    history = await seeded_week(world)
    await recompute(world)
    await client.login("boss@example.com")
    return history


async def test_the_api_gives_the_figures_and_refuses_bad_periods(
    client: Client, world: World
) -> None:
    await admin_client(client, world)
    found = await client.get("/api/v1/admin/dashboard", params=WEEK)
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["from"], body["to"], body["previous_from"]) == (
        "2026-11-20",
        "2026-11-26",
        "2026-11-13",
    )
    assert body["totals"]["questions"] == 3 and body["totals"]["deflected"] == 1
    waits = {w["name"]: w for w in body["waits"]}
    assert waits["first_answer"]["median_business_hours"] == 2.0
    assert body["breakdowns"]["escalation_state"] == {"acknowledged": 1}
    assert len(body["days"]) == 7
    for params, field in (
        ({"from": "2026-11-26", "to": "2026-11-20"}, "from"),
        ({"from": "2020-01-01", "to": "2026-11-26"}, "from"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "2999-01-01"}, "to"),
        ({"period": "12"}, "period"),
        ({"category": "nowhere"}, "category"),
    ):
        refused = await client.get("/api/v1/admin/dashboard", params=params)
        assert refused.status_code in (400, 422), (params, refused.status_code)
        assert field in refused.json().get("errors", {}), refused.text
    assert (await client.get("/api/v1/admin/dashboard?period=7")).status_code == 200


async def test_members_and_guests_cannot_read_the_dashboard(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    assert (await client.get("/api/v1/admin/dashboard")).status_code == 401
    await client.login("ann@example.com")
    assert (await client.get("/api/v1/admin/dashboard")).status_code == 403
    assert (await client.get("/admin/dashboard/questions.csv")).status_code == 403


async def test_the_page_shows_the_cards_and_charts_and_marks_bad_fields(
    client: Client, world: World
) -> None:
    await admin_client(client, world)
    page = await client.get("/admin/dashboard", params=WEEK)
    assert page.status_code == 200
    assert 'data-card="questions"' in page.text and "Questions asked" in page.text
    assert page.text.count('<img src="data:image/svg+xml;base64,') == 5
    assert 'href="/admin/dashboard/questions.svg?from=2026-11-20&amp;to=2026-11-26"' in page.text
    assert 'href="/admin/dashboard/answered.csv?from=2026-11-20&amp;to=2026-11-26"' in page.text
    bad = await client.get("/admin/dashboard", params={"from": "2026-11-26", "to": "2026-11-20"})
    assert bad.status_code == 422
    assert "The first day must not be after the last." in bad.text
    assert 'aria-invalid="true" aria-describedby="from-error"' in bad.text
    unknown = await client.get("/admin/dashboard", params={"category": "nowhere"})
    assert unknown.status_code == 422 and "There is no such category." in unknown.text


async def test_each_chart_is_an_svg_image_and_a_csv_file(client: Client, world: World) -> None:
    await admin_client(client, world)
    svg = await client.get("/admin/dashboard/questions.svg", params=WEEK)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content and b"<script" not in svg.content
    download = await client.get("/admin/dashboard/questions.csv", params=WEEK)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["Day", "Questions asked"]
    assert rows[1:] == [["2026-11-20", "1"], ["2026-11-21", "0"], ["2026-11-22", "0"],
                        ["2026-11-23", "1"], ["2026-11-24", "1"], ["2026-11-25", "0"],
                        ["2026-11-26", "0"]]  # fmt: skip
    states = list(
        csv.reader(
            io.StringIO((await client.get("/admin/dashboard/escalations.csv", params=WEEK)).text)
        )
    )
    assert states == [["State", "Escalations"], ["Case open", "1"]]
    for name in ("answered", "sentiment", "ideas"):
        for ext in ("svg", "csv"):
            assert (
                await client.get(f"/admin/dashboard/{name}.{ext}", params=WEEK)
            ).status_code == 200
    assert (await client.get("/admin/dashboard/nothing.csv")).status_code == 404
    assert (await client.get("/admin/dashboard/questions.png")).status_code == 404
    assert (await client.get("/admin/dashboard/questions.csv?from=x")).status_code in (400, 422)


async def test_today_is_read_live_and_counted_once_after_the_job_rolled_it(world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    boss = await world.member("acme", "boss@example.com", Role.ADMIN)
    thread = await world.thread("acme", ann, title="Is there an outage in Lyon?")

    async def this_week() -> services.Dashboard:
        async with world.unit() as session:
            scope = await acting(world, session, boss)
            return await services.dashboard(
                scope, await services.parse_query(scope, "7", "", "", "")
            )

    assert card(await this_week(), "questions").value == 1, "no job has run: read live"
    async with world.unit() as session:
        await forums.reply(await acting(world, session, bob), thread.id, "Yes, since 9 am.")
    async with world.unit() as session:
        await rollup.refresh(await world.scope(session, "acme"))  # today is stored now
    shown = await this_week()
    assert card(shown, "questions").value == 1 and card(shown, "answered").value == 1.0
    assert [(r.label, r.detail) for r in shown.top_contributors] == [("Bob", 1)]
