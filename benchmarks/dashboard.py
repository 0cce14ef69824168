"""The manager dashboard at scale: page time over the roll-ups, and what the jobs cost.

Builds a throwaway PostgreSQL database and seeds it with bulk SQL: one tenant, 10
categories, 2,000 members (5% staff), questions over the last 365 days with four replies
each (`--posts` in all), sentiment on every post, two in three questions accepted. Then it
times the recompute (`parvis dashboard recompute`), one run of the job (`refresh`, today,
yesterday and the touched days), and the page itself (`GET /admin/dashboard`, signed in as
an admin, through the app in this process) for 7, 30 and 90 days and for one category.

    .venv/bin/python benchmarks/dashboard.py [--posts 100000] [--runs 10]

PARVIS_BENCH_DATABASE_URL: the PostgreSQL server to use
(default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import replace

import httpx
from sqlalchemy import text
from throwaway_database import bench_database

from community.analytics import rollup
from community.app import create_app
from community.config import Settings
from community.db import create_engine, session_factory, session_scope
from community.identity.models import Role
from community.identity.services import create_member
from community.scope import Scope
from community.tenancy.services import tenant_info

CATEGORIES = 10
MEMBERS = 2000
REPLIES = 4
PASSWORD = "bench-password-123"


async def seed(url: str, posts: int) -> int:
    threads = posts // (REPLIES + 1)
    engine = create_engine(url)
    async with engine.begin() as db:
        tenant = await db.scalar(text(
            "INSERT INTO tenants (slug, name, locale, theme, preferences, created_at) "
            "VALUES ('bench', 'Bench', 'en', '{}', '{}', now() - interval '400 days') RETURNING id"
        ))  # fmt: skip
        await db.execute(text(
            "INSERT INTO tenant_domains (tenant_id, domain) VALUES (:t, 'bench.test')"
        ), {"t": tenant})  # fmt: skip
        await db.execute(text(
            "INSERT INTO categories (tenant_id, slug, name, description, position, thread_count,"
            " kind, premoderated, posting) SELECT :t, 'c' || g, 'Category ' || g, '', g, 0,"
            " 'forum', false, 'members' FROM generate_series(1, :n) g"
        ), {"t": tenant, "n": CATEGORIES})  # fmt: skip
        await db.execute(text(
            "INSERT INTO members (tenant_id, email, display_name, password_hash, role, created_at,"
            " name_skeleton, name_skeleton_as_written) SELECT :t, 'm' || g || '@bench.test',"
            " 'Member ' || g, '!', CASE WHEN g % 20 = 0 THEN 'expert' ELSE 'member' END,"
            " now() - interval '400 days', 'member' || g, 'member' || g"
            " FROM generate_series(1, :n) g"
        ), {"t": tenant, "n": MEMBERS})  # fmt: skip
        await db.execute(text(
            "INSERT INTO threads (tenant_id, category_id, author_id, kind, title, slug, post_count,"
            " view_count, created_at, last_activity_at, visibility, paused_business_seconds,"
            " certified_note)"
            " SELECT :t, (SELECT min(id) FROM categories) + g % :c,"
            " (SELECT min(id) FROM members) + (g * 7) % :m, 'question', 'Question ' || g, 'q' || g,"
            " :r + 1, 0, now() - (g::float / :n) * interval '365 days',"
            " now() - (g::float / :n) * interval '365 days', 'published', 0, ''"
            " FROM generate_series(1, :n) g"
        ), {"t": tenant, "c": CATEGORIES, "m": MEMBERS, "r": REPLIES, "n": threads})  # fmt: skip
        await db.execute(text(
            "INSERT INTO posts (tenant_id, thread_id, author_id, number, body_md, body_html,"
            " created_at, sentiment, score, visibility, moderation_note, official_agent)"
            " SELECT :t, th.id, CASE WHEN k = 1 THEN th.author_id"
            "  ELSE (SELECT min(id) FROM members) + (th.id * 13 + k * 31) % :m END, k, 'x', '<p>x</p>',"
            " th.created_at + (k - 1) * interval '3 hours', (random() * 2 - 1) * 0.8, 0, 'published', '', ''"
            " FROM threads th CROSS JOIN generate_series(1, :r1) k"
        ), {"t": tenant, "m": MEMBERS, "r1": REPLIES + 1})  # fmt: skip
        await db.execute(text(
            "UPDATE threads SET accepted_post_id = p.id, accepted_at = p.created_at + interval '1 hour'"
            " FROM posts p WHERE p.thread_id = threads.id AND p.number = 2 AND threads.id % 3 <> 0"
        ))  # fmt: skip
        await db.execute(text("ANALYZE"))
    await engine.dispose()
    assert isinstance(tenant, int)
    return tenant


async def timed(label: str, work: object) -> float:
    started = time.perf_counter()
    await work  # type: ignore[misc]
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s")
    return seconds


def main(posts: int, runs: int) -> None:
    with bench_database() as url:  # created and dropped outside the event loop
        asyncio.run(measure(url, posts, runs))


async def measure(url: str, posts: int, runs: int) -> None:
    started = time.perf_counter()
    tenant = await seed(url, posts)
    print(f"seeded {posts:,} posts in {time.perf_counter() - started:.1f} s")
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with session_scope(sessions) as session:
        scope = Scope(session, await tenant_info(session, tenant))
        await create_member(scope, email="boss@bench.test", display_name="Boss",
                            password=PASSWORD, role=Role.ADMIN)  # fmt: skip
    async with session_scope(sessions) as session:
        await timed(
            "recompute (every day, from the facts)",
            rollup.recompute(Scope(session, await tenant_info(session, tenant))),
        )
    async with session_scope(sessions) as session:
        await timed(
            "one run of the job (refresh)",
            rollup.refresh(Scope(session, await tenant_info(session, tenant))),
        )
    await engine.dispose()
    await pages(url, runs)


async def pages(url: str, runs: int) -> None:
    settings = replace(Settings.from_env(), database_url=url, redis_url="")
    app = create_app(settings)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
            await client.get("/login")
            token = client.cookies.get("csrftoken") or ""
            answer = await client.post("/login", data={"_csrf_token": token,
                                       "email": "boss@bench.test", "password": PASSWORD})  # fmt: skip
            assert answer.status_code == 303, answer.text
            for query in ("period=7", "period=30", "period=90", "period=90&category=c1"):
                times = []
                for _ in range(runs + 1):
                    started = time.perf_counter()
                    page = await client.get(f"/admin/dashboard?{query}")
                    times.append(time.perf_counter() - started)
                    assert page.status_code == 200, page.text[:500]
                warm = times[1:]
                print(f"GET /admin/dashboard?{query}: p50 {statistics.median(warm) * 1000:.0f} ms,"
                      f" max {max(warm) * 1000:.0f} ms ({runs} runs)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    arguments = parser.parse_args()
    main(arguments.posts, arguments.runs)
