"""Leaderboards at scale: latency and query plans of every leaderboard variant on a big ledger.

Builds a throwaway PostgreSQL database, seeds it with bulk SQL (one tenant, 20 categories,
20,000 members and 1,000,000 reputation events over the last 365 days, a few members much
more active than the rest), rebuilds the counters with `recompute_counters`, then times
`leaderboard()` for each period (week, month, all), overall and for the busiest category,
and prints the PostgreSQL plan of every statement it runs, flagging full table scans.

    .venv/bin/python benchmarks/leaderboard.py [--events 1000000] [--members 20000] [--runs 20]

PARVIS_BENCH_DATABASE_URL: the PostgreSQL server to use
(default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from throwaway_database import bench_database

from community.db import create_engine, session_factory, session_scope
from community.scope import Scope
from community.scoring.models import Reason
from community.scoring.recompute import recompute_counters
from community.scoring.rules import DEFAULT_POINTS
from community.scoring.services import leaderboard
from community.tenancy.services import TenantInfo, tenant_info

CATEGORIES = 20
DAYS = 365
WARMUP = 2
# Tables too big to read whole on every leaderboard request.
WATCHED_TABLES = {"reputation_events", "reputation_days", "members"}
# How often each reason occurs in the ledger (shares of all events).
REASON_WEIGHTS: dict[Reason, float] = {
    Reason.ANSWER_UPVOTED: 0.38,
    Reason.QUESTION_UPVOTED: 0.20,
    Reason.DOWNVOTE_RECEIVED: 0.07,
    Reason.ANSWER_ACCEPTED: 0.07,
    Reason.ACCEPTED_AN_ANSWER: 0.06,
    Reason.ANSWER_CERTIFIED: 0.01,
    Reason.FIRST_POST_OF_DAY: 0.19,
    Reason.IDEA_PLANNED: 0.01,
    Reason.IDEA_DONE: 0.01,
}


AGGREGATES = {"Hashed": "HashAggregate", "Sorted": "GroupAggregate", "Mixed": "MixedAggregate"}


@dataclass(frozen=True)
class Variant:
    period: str
    category_id: int | None

    @property
    def name(self) -> str:
        return f"{self.period}/{'overall' if self.category_id is None else 'category'}"


@dataclass(frozen=True)
class Timing:
    variant: Variant
    p50_ms: float
    max_ms: float
    rows: int


@dataclass(frozen=True)
class Plan:
    summary: str
    execution_ms: float
    hit: int
    read: int
    full_scans: list[str]


# ---- database -----------------------------------------------------------------------------


# ---- seed data (bulk SQL, not the services) -----------------------------------------------


def reasons_values() -> str:
    """A VALUES list (reason, points, lo, hi): each reason owns the [lo, hi) slice of [0, 1)."""
    rows = []
    low = 0.0
    total = sum(REASON_WEIGHTS.values())
    for index, (reason, weight) in enumerate(REASON_WEIGHTS.items()):
        high = 1.0 if index == len(REASON_WEIGHTS) - 1 else low + weight / total
        rows.append(f"('{reason.value}', {DEFAULT_POINTS[reason]}, {low:.6f}, {high:.6f})")
        low = high
    return ", ".join(rows)


async def _seed_tenant(connection: AsyncConnection, members: int) -> int:
    tenant_id = await connection.scalar(
        text(
            "INSERT INTO tenants (slug, name, locale, theme, preferences, created_at) "
            "VALUES ('bench', 'Bench Community', 'en', '{}', '{}', now()) RETURNING id"
        )
    )
    assert isinstance(tenant_id, int)
    await connection.execute(
        text(
            "INSERT INTO categories "
            "(tenant_id, slug, name, description, position, thread_count, kind) "
            "SELECT :tenant, 'category-' || g, 'Category ' || g, '', g, 0, 'forum' "
            f"FROM generate_series(1, {CATEGORIES}) AS g"
        ),
        {"tenant": tenant_id},
    )
    await connection.execute(
        text(
            "INSERT INTO members "
            "(tenant_id, email, display_name, password_hash, role, reputation, created_at) "
            "SELECT :tenant, 'member' || g || '@bench.test', 'Member ' || g, "
            "'bench-not-a-real-hash', 'member', 0, now() - random() * interval '400 days' "
            f"FROM generate_series(1, {members}) AS g"
        ),
        {"tenant": tenant_id},
    )
    return tenant_id


async def _seed_events(
    connection: AsyncConnection, tenant_id: int, members: int, events: int
) -> None:
    """`events` ledger rows over the last DAYS days.

    The n-th member (by id) is drawn with probability ~ 1/n (log-uniform, Zipf s=1): a handful
    of members earn a large share of all points. Categories are skewed too (the first ones are
    busier); actors are uniform; first-post-of-day events have no actor.
    """
    await connection.execute(
        text(
            f"""
            WITH member_ids AS MATERIALIZED (
                SELECT array_agg(id ORDER BY id) AS ids FROM members WHERE tenant_id = :tenant
            ),
            category_ids AS MATERIALIZED (
                SELECT array_agg(id ORDER BY id) AS ids FROM categories WHERE tenant_id = :tenant
            ),
            reasons (reason, points, lo, hi) AS (VALUES {reasons_values()}),
            draws AS MATERIALIZED (
                SELECT random() AS r_member, random() AS r_actor, random() AS r_reason,
                       random() AS r_category, random() AS r_time
                FROM generate_series(1, {events})
            )
            INSERT INTO reputation_events
                (tenant_id, member_id, actor_id, reason, points, post_id, category_id,
                 reverses_id, created_at)
            SELECT :tenant,
                   m.ids[least(floor(exp(d.r_member * ln({members})))::int, {members})],
                   CASE WHEN r.reason = '{Reason.FIRST_POST_OF_DAY.value}' THEN NULL
                        ELSE m.ids[1 + floor(d.r_actor * {members})::int] END,
                   r.reason,
                   r.points,
                   NULL,
                   c.ids[1 + floor(power(d.r_category, 2) * {CATEGORIES})::int],
                   NULL,
                   now() - d.r_time * interval '{DAYS} days'
            FROM draws AS d
            CROSS JOIN member_ids AS m
            CROSS JOIN category_ids AS c
            JOIN reasons AS r ON d.r_reason >= r.lo AND d.r_reason < r.hi
            """
        ),
        {"tenant": tenant_id},
    )


async def seed(engine: AsyncEngine, members: int, events: int) -> int:
    """Tenant, categories, members and the ledger in one transaction; returns the tenant id."""
    async with engine.begin() as connection:
        tenant_id = await _seed_tenant(connection, members)
        await _seed_events(connection, tenant_id, members, events)
    return tenant_id


async def recompute(engine: AsyncEngine, tenant_id: int) -> None:
    async with session_scope(session_factory(engine)) as session:
        await recompute_counters(await Scope.load(session, tenant_id))


async def vacuum_analyze(engine: AsyncEngine) -> None:
    """What autovacuum would have done on a live database: statistics and visibility map."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("members", "reputation_events", "reputation_days"):
            await autocommit.execute(text(f"VACUUM (ANALYZE) {table}"))


async def count(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text(sql)) or 0)


# ---- timings and plans --------------------------------------------------------------------


TENANTS: dict[int, TenantInfo] = {}


async def run_leaderboard(engine: AsyncEngine, tenant_id: int, variant: Variant) -> int:
    """One leaderboard request in its own session, as a page would do; returns its row count."""
    async with session_factory(engine)() as session:
        if tenant_id not in TENANTS:  # read once: a page gets its tenant from the cache
            TENANTS[tenant_id] = await tenant_info(session, tenant_id)
        scope = Scope(session, TENANTS[tenant_id])
        standings = await leaderboard(scope, period=variant.period, category_id=variant.category_id)
    return len(standings)


async def time_variant(engine: AsyncEngine, tenant_id: int, variant: Variant, runs: int) -> Timing:
    for _ in range(WARMUP):
        await run_leaderboard(engine, tenant_id, variant)
    elapsed = []
    rows = 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = await run_leaderboard(engine, tenant_id, variant)
        elapsed.append((time.perf_counter() - start) * 1000)
    return Timing(variant, statistics.median(elapsed), max(elapsed), rows)


@contextmanager
def captured_statements(engine: AsyncEngine) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """The (SQL, parameters) of every statement the engine runs inside the block."""
    statements: list[tuple[str, tuple[Any, ...]]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        statements.append((statement, tuple(parameters or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)


def _label(node: dict[str, Any]) -> str:
    label = str(node["Node Type"])
    if label == "Aggregate":
        label = AGGREGATES.get(str(node.get("Strategy")), label)
    if "Relation Name" in node:
        label += f" on {node['Relation Name']}"
    if "Index Name" in node:
        label += f" ({node['Index Name']})"
    return label


def _summarise(node: dict[str, Any]) -> str:
    children = node.get("Plans", [])
    if not children:
        return _label(node)
    if len(children) == 1:
        return f"{_label(node)} > {_summarise(children[0])}"
    return f"{_label(node)} > [{'; '.join(_summarise(c) for c in children)}]"


def _full_scans(node: dict[str, Any]) -> list[str]:
    found = []
    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in WATCHED_TABLES:
        found.append(str(node["Relation Name"]))
    for child in node.get("Plans", []):
        found.extend(_full_scans(child))
    return found


async def explain(engine: AsyncEngine, statement: str, parameters: tuple[Any, ...]) -> Plan:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection  # the asyncpg connection: takes $n parameters
        output = await driver.fetchval(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", *parameters
        )
    document = json.loads(output) if isinstance(output, str) else output
    root = document[0]
    plan = root["Plan"]
    return Plan(
        summary=_summarise(plan),
        execution_ms=float(root["Execution Time"]),
        hit=int(plan.get("Shared Hit Blocks", 0)),
        read=int(plan.get("Shared Read Blocks", 0)),
        full_scans=_full_scans(plan),
    )


async def plans_for(engine: AsyncEngine, tenant_id: int, variant: Variant) -> list[Plan]:
    with captured_statements(engine) as statements:
        await run_leaderboard(engine, tenant_id, variant)
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    return [await explain(engine, s, p) for s, p in selects]


# ---- the benchmark ------------------------------------------------------------------------


def busiest_category_sql(tenant_id: int) -> str:
    return (
        "SELECT category_id FROM reputation_events "
        f"WHERE tenant_id = {tenant_id} AND category_id IS NOT NULL "
        "GROUP BY category_id ORDER BY count(*) DESC LIMIT 1"
    )


async def bench(database_url: str, args: argparse.Namespace) -> None:
    engine = create_engine(database_url)
    try:
        start = time.perf_counter()
        tenant_id = await seed(engine, args.members, args.events)
        await vacuum_analyze(engine)
        print(
            f"seed: 1 tenant, {CATEGORIES} categories, {args.members:,} members, "
            f"{args.events:,} events (bulk SQL) in {time.perf_counter() - start:.1f} s"
        )
        start = time.perf_counter()
        await recompute(engine, tenant_id)
        print(f"recompute_counters(tenant): {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        await vacuum_analyze(engine)
        print(f"vacuum analyze: {time.perf_counter() - start:.1f} s")
        events = await count(engine, "SELECT count(*) FROM reputation_events")
        days = await count(engine, "SELECT count(*) FROM reputation_days")
        print(f"rows: reputation_events {events:,}, reputation_days {days:,}")
        category_id = await count(engine, busiest_category_sql(tenant_id))
        category_events = await count(
            engine, f"SELECT count(*) FROM reputation_events WHERE category_id = {category_id}"
        )
        top = await count(
            engine, f"SELECT max(reputation) FROM members WHERE tenant_id = {tenant_id}"
        )
        print(
            f"category = busiest (id {category_id}, {category_events:,} events); "
            f"top member reputation {top:,}"
        )

        variants = [
            Variant(period, category)
            for category in (None, category_id)
            for period in ("week", "month", "all")
        ]
        print(f"{'variant':<18}{'p50 ms':>9}{'max ms':>9}{'rows':>6}   ({args.runs} runs each)")
        timings = []
        for variant in variants:
            timing = await time_variant(engine, tenant_id, variant, args.runs)
            timings.append(timing)
            print(f"{variant.name:<18}{timing.p50_ms:>9.2f}{timing.max_ms:>9.2f}{timing.rows:>6}")

        print("plans (EXPLAIN ANALYZE, BUFFERS; one line per statement):")
        full_scans = []
        for variant in variants:
            for index, plan in enumerate(await plans_for(engine, tenant_id, variant)):
                name = variant.name if index == 0 else ""
                print(
                    f"  {name:<15}{plan.execution_ms:>7.2f} ms hit={plan.hit} "
                    f"read={plan.read}  {plan.summary}"
                )
                for table in plan.full_scans:
                    full_scans.append(f"FULL SCAN: {table} ({variant.name}, statement {index})")
        for line in full_scans:
            print(line)
        if not full_scans:
            print("no full scan of members, reputation_events or reputation_days")

        slowest = max(timings, key=lambda t: t.p50_ms)
        period, _, scope = slowest.variant.name.partition("/")
        print(
            f"leaderboards at {events:,} events: slowest p50 {slowest.p50_ms:.1f} ms "
            f"({period}, {scope})"
        )
    finally:
        await engine.dispose()


def positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=positive_int, default=1_000_000, help="ledger rows")
    parser.add_argument("--members", type=positive_int, default=20_000, help="members")
    parser.add_argument("--runs", type=positive_int, default=20, help="timed runs per variant")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with bench_database() as database_url:
        asyncio.run(bench(database_url, args))


if __name__ == "__main__":
    main()
