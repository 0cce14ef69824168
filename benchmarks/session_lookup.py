"""What finding a request's member costs, before and after sessions became database rows.

Builds a throwaway PostgreSQL database with one tenant, `--members` members and one open
session each, then times, in a transaction per lookup as a request has:

- `resume`: today's lookup, one indexed SELECT of the session joined to its member;
- `member by id`: the database half of the lookup it replaced (Litestar's server-side
  session gave the member id from Redis, then the member was read by primary key);
- `redis GET`: the Redis half it replaced (a ~100-byte value), when PARVIS_BENCH_REDIS_URL
  or --redis is given.

A Redis cache in front of `resume` could only replace its one SELECT with one GET, and the
member still has to be read fresh (a ban must show at once): no gain, a second truth.

    .venv/bin/python benchmarks/session_lookup.py [--members 10000] [--runs 2000] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from throwaway_database import bench_database

from community.db import create_engine, session_factory
from community.identity import sessions
from community.identity.models import Member
from community.scope import Scope
from community.tenancy.services import create_tenant, tenant_info

CLIENT = sessions.Client("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "127.0.0.1")


async def seed(factory: async_sessionmaker[AsyncSession], members: int) -> tuple[int, str, int]:
    """One tenant, `members` members with a session each; a token and a member id to look up."""
    async with factory() as db:
        tenant = await create_tenant(db, slug="bench", name="Bench", domains=["bench.test"])
        await db.execute(
            text(
                "INSERT INTO members (tenant_id, email, display_name, password_hash, role,"
                " reputation, created_at, ban_reason, customer_id, customer_tier)"
                " SELECT :tenant, 'm' || n || '@example.com', 'Member ' || n, 'x', 'member',"
                " 0, now(), '', '', '' FROM generate_series(1, :members) AS n"
            ),
            {"tenant": tenant.id, "members": members},
        )
        scope = Scope(db, await tenant_info(db, tenant.id))
        ids = list(await db.scalars(scope.select(Member.id).order_by(Member.id)))
        tokens = [await sessions.open_session(scope, await _member(scope, i), CLIENT) for i in ids]
        await db.commit()
        middle = len(ids) // 2
        return tenant.id, tokens[middle], ids[middle]


async def _member(scope: Scope, member_id: int) -> Member:
    return await scope.one(Member, member_id)


async def timed(runs: int, lookup: Callable[[], Awaitable[object]]) -> list[float]:
    for _ in range(50):  # warm the pool and the caches
        await lookup()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await lookup()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(f"{name:14} p50 {statistics.median(ordered):.3f} ms   p99 {p99:.3f} ms")


async def run(url: str, members: int, runs: int, redis_url: str) -> None:
    engine = create_engine(url)
    factory = session_factory(engine)
    tenant_id, token, member_id = await seed(factory, members)

    async def in_a_transaction(work: Callable[[Scope], Awaitable[object]]) -> object:
        async with factory() as db:
            scope = Scope(db, await tenant_info(db, tenant_id))
            found = await work(scope)
            await db.commit()
            return found

    async def by_token() -> object:
        return await in_a_transaction(lambda scope: sessions.resume(scope, token, CLIENT))

    async def by_id() -> object:
        return await in_a_transaction(lambda scope: scope.get(Member, member_id))

    async def nothing() -> object:
        return await in_a_transaction(lambda scope: asyncio.sleep(0))

    print(f"PostgreSQL, {members} members with a session each, {runs} lookups each:")
    baseline = await timed(runs, nothing)
    report("transaction", baseline)  # the tenant read and the commit every request pays
    report("resume", await timed(runs, by_token))
    report("member by id", await timed(runs, by_id))
    await explain(factory, token)
    if redis_url:
        redis = Redis.from_url(redis_url)
        await redis.set("parvis:bench:session", "x" * 100, ex=60)
        report("redis GET", await timed(runs, lambda: redis.get("parvis:bench:session")))
        await redis.delete("parvis:bench:session")
        await redis.aclose()
    await engine.dispose()


async def explain(factory: async_sessionmaker[AsyncSession], token: str) -> None:
    """PostgreSQL's own account of the lookup: the plan and its execution time."""
    async with factory() as db:
        plan = await db.execute(
            text(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT s.id, s.last_seen_at, m.* FROM member_sessions s"
                " JOIN members m ON m.id = s.member_id WHERE s.token_hash = :digest"
                " AND s.expires_at > now()"
            ),
            {"digest": sessions._digest(token)},
        )
        print("\n".join("    " + line for (line,) in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2_000)
    parser.add_argument("--redis", default=os.environ.get("PARVIS_BENCH_REDIS_URL", ""))
    args = parser.parse_args()
    with bench_database() as url:
        asyncio.run(run(url, args.members, args.runs, args.redis))


if __name__ == "__main__":
    main()
