"""The pieces of the reliability suite: a private Redis the test may stop, an arq worker
process it may kill, mixed traffic that keeps count, and the figures it prints.

Everything runs on 127.0.0.1: the machine's own Redis is never touched (the test starts
`redis-server` on a free port, nothing kept on disk), the app runs in the test's event loop
(its ASGI interface, lifespan included), the worker is a real `parvis worker` process.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import socket
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy import select, text

from community.config import Settings
from community.db import create_engine, session_scope
from community.demo.contact_centre import ContactCentre
from community.escalation.adapters.registry import new_signing_secret
from community.escalation.models import Escalation, EscalationState, EscalationTarget, TargetKind
from community.forums.models import Post
from tests.conftest import PG_URL, Client, World

DEADLINE = 180.0  # seconds any one wait may take before the test fails
WORKER_ENV = {  # short waits, so that recovery takes seconds, not the production minutes
    "PARVIS_DELIVERY_TIMEOUT": "5",
    "PARVIS_DELIVERY_LEASE_SECONDS": "3",
    "PARVIS_RETRY_BASE_SECONDS": "0.2",
    "PARVIS_JOB_SWEEP_SECONDS": "2",
    "PARVIS_JOB_LEASE_SECONDS": "6",
    "PARVIS_BASE_URL_FORMAT": "http://{domain}",
    "PARVIS_OUTBOUND_ALLOWED_HOSTS": "127.0.0.1",  # the stand-in contact centre, as in tests
}

requires_the_real_stack = [
    pytest.mark.skipif(not PG_URL, reason="the reliability suite needs PostgreSQL: set PARVIS_TEST_DATABASE_URL"),
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="the reliability suite starts its own Redis: needs redis-server on PATH",
    ),
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def until(
    check: Callable[[], Awaitable[bool]], what: str, deadline: float = DEADLINE
) -> None:
    """Poll `check` until it holds; fail after `deadline` seconds."""
    give_up = time.monotonic() + deadline
    while not await check():
        if time.monotonic() > give_up:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.2)


# ---- a Redis of the test's own ---------------------------------------------------------------


class PrivateRedis:
    """`redis-server` on a free port, owned by the test: stopped and started at will."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log = log
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no"]  # fmt: skip
        with self._log.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(*command, stdout=log, stderr=log)
        await until(self.answers, "the private Redis answered", 20)

    async def answers(self) -> bool:
        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            return bool(await client.ping())
        except Exception:
            return False
        finally:
            await client.aclose()

    async def stop(self) -> None:
        """Gone at once, with everything it held (nothing is kept on disk)."""
        if self._process is not None:
            self._process.kill()
            await self._process.wait()
            self._process = None


# ---- a worker process ------------------------------------------------------------------------


class WorkerProcess:
    """`parvis worker`, started, killed and (when it exited by itself) counted."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self._env = (
            os.environ
            | WORKER_ENV
            | {
                "PARVIS_DATABASE_URL": settings.database_url,
                "PARVIS_REDIS_URL": settings.redis_url,
                "PARVIS_DATA_DIR": str(settings.data_dir),
                "PARVIS_SECRET_KEY": settings.secret_key,
            }
        )
        self.log = log
        self._process: asyncio.subprocess.Process | None = None
        self.exits: list[int] = []  # exit codes of the times it stopped without being killed

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "community.cli", "worker", env=self._env,
                stdout=log, stderr=log,
            )  # fmt: skip

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def kill(self) -> None:
        """SIGKILL: no shutdown, the jobs in flight are simply gone."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()

    async def restart_if_it_exited(self) -> None:
        """What a supervisor would do; the issue asks for a worker that needs none."""
        if self._process is not None and self._process.returncode is not None:
            self.exits.append(self._process.returncode)
            await self.start()

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 20)
            except TimeoutError:
                await self.kill()

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# ---- traffic ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """Every request of the traffic, by the phase it was sent in and what it did."""

    phase: str = "before"
    served: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    logged_out: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    replies_acknowledged: set[str] = field(default_factory=set)
    replies_refused: set[str] = field(default_factory=set)
    escalations_acknowledged: set[int] = field(default_factory=set)
    escalations_refused: set[int] = field(default_factory=set)

    def count(self, kind: str, response: httpx.Response | None, failure: str = "") -> bool:
        key = (self.phase, kind)
        if response is not None and response.status_code < 500:
            self.served[key] += 1
            if "/login" in response.headers.get("location", ""):
                self.logged_out[key] += 1  # served, but the session was forgotten
                return False
            return response.status_code < 400
        self.errors[key] += 1
        if len(self.examples) < 8:
            shown = f"HTTP {response.status_code}" if response is not None else failure
            self.examples.append(f"{self.phase} {kind}: {shown}")
        return False

    def errors_in(self, phase: str) -> int:
        return sum(n for (p, _), n in self.errors.items() if p == phase)

    def served_in(self, phase: str) -> int:
        return sum(n for (p, _), n in self.served.items() if p == phase)


async def _send(tally: Tally, kind: str, request: Awaitable[httpx.Response]) -> bool:
    try:
        response = await request
    except Exception as exc:  # the app raised through the ASGI interface: a 500 for a browser
        return tally.count(kind, None, f"{type(exc).__name__}: {exc}"[:200])
    return tally.count(kind, response)


@dataclass
class Cast:
    """Who sends the traffic, and what they work on."""

    guest: Client
    member: Client
    moderator: Client
    thread_url: str  # the thread the member replies to
    to_escalate: list[int]  # threads the moderator escalates, one request each


async def guest_reads(cast: Cast, tally: Tally, stop: asyncio.Event) -> None:
    pages = itertools.cycle(["/", cast.thread_url, "/static/css/parvis.css", "/health/ready"])
    while not stop.is_set():
        await _send(tally, "anonymous page", cast.guest.get(next(pages)))
        await asyncio.sleep(0.02)


async def member_reads_and_posts(cast: Cast, tally: Tally, stop: asyncio.Event) -> None:
    thread_id = cast.thread_url.split("/")[2]
    while not stop.is_set():
        await _send(tally, "logged-in page", cast.member.get("/"))
        body = f"Reliability reply {uuid.uuid4().hex}"
        token = cast.member.csrf()
        posted = cast.member.post(
            f"/t/{thread_id}/reply", data={"_csrf_token": token, "body": body}
        )
        (tally.replies_acknowledged if await _send(tally, "post", posted)
         else tally.replies_refused).add(body)  # fmt: skip
        await asyncio.sleep(0.02)


async def moderator_escalates(cast: Cast, tally: Tally, stop: asyncio.Event, pause: float) -> None:
    while cast.to_escalate and not stop.is_set():
        thread_id = cast.to_escalate.pop(0)
        token = cast.moderator.csrf()
        data = {"_csrf_token": token, "note": "Customer cannot work"}
        sent = cast.moderator.post(f"/t/{thread_id}/escalate", data=data)
        (tally.escalations_acknowledged if await _send(tally, "escalate", sent)
         else tally.escalations_refused).add(thread_id)  # fmt: skip
        await asyncio.sleep(pause)


@contextlib.asynccontextmanager
async def traffic(cast: Cast, tally: Tally, escalate_every: float = 0.1) -> AsyncIterator[None]:
    """Guests reading, a member reading and posting, a moderator escalating, until the block ends."""
    stop = asyncio.Event()
    users = [
        asyncio.create_task(guest_reads(cast, tally, stop)),
        asyncio.create_task(guest_reads(cast, tally, stop)),
        asyncio.create_task(member_reads_and_posts(cast, tally, stop)),
        asyncio.create_task(moderator_escalates(cast, tally, stop, escalate_every)),
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*users)


async def cast_for(app: Litestar, world: World, threads_to_escalate: int) -> Cast:
    member = await world.member("acme", "ann@example.com")
    from community.identity.models import Role

    await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", member, title="Where the member replies")
    to_escalate = [
        (await world.thread("acme", member, title=f"My line number {n} is down")).id
        for n in range(threads_to_escalate)
    ]
    guest, logged_in, moderator = (client(app) for _ in range(3))
    await guest.ensure_csrf()
    await logged_in.login("ann@example.com")
    await moderator.login("mo@example.com")
    return Cast(guest, logged_in, moderator, f"/t/{thread.id}/{thread.slug}", to_escalate)


def client(app: Litestar) -> Client:
    transport = httpx.ASGITransport(app=app)
    return Client(
        transport=transport, base_url="http://acme.test", follow_redirects=False, timeout=30
    )


# ---- what was saved and delivered ------------------------------------------------------------


async def add_stand_in(world: World, centre: ContactCentre) -> None:
    async with world.unit() as session:
        session.add(
            EscalationTarget(
                tenant_id=world.tenants["acme"],
                name="Stand-in",
                kind=TargetKind.WEBHOOK,
                settings={"url": f"{centre.url}/webhook"},
                credentials={"signing_secret": centre.secret},
                callback_secret=centre.callback_secret,
            )
        )


def stand_in() -> ContactCentre:
    return ContactCentre(new_signing_secret(), new_signing_secret())


async def saved_replies(world: World, bodies: set[str]) -> set[str]:
    async with session_scope(world.sessions) as session:
        found = await session.scalars(select(Post.body_md).where(Post.body_md.in_(bodies)))
        return set(found.all())


async def all_escalations(world: World) -> list[Escalation]:
    async with session_scope(world.sessions) as session:
        return list((await session.scalars(select(Escalation).order_by(Escalation.id))).all())


@dataclass
class Deliveries:
    escalations: int
    delivered_once: int
    lost: int  # saved, never reached the contact centre
    duplicated: int  # cases beyond the first for one escalation
    retries_absorbed: int  # deliveries the stand-in recognised by their idempotency key


def deliveries(escalations: list[Escalation], centre: ContactCentre) -> Deliveries:
    cases = Counter(case.payload.escalation_id for case in centre.cases())
    ids = [e.id for e in escalations]
    return Deliveries(
        escalations=len(ids),
        delivered_once=sum(1 for i in ids if cases[i] == 1),
        lost=sum(1 for i in ids if cases[i] == 0),
        duplicated=sum(max(0, n - 1) for n in cases.values()),
        retries_absorbed=sum(1 for a in centre.attempts() if a.outcome == "duplicate"),
    )


async def every_escalation_reached(world: World, centre: ContactCentre) -> bool:
    escalations = await all_escalations(world)
    settled = all(e.state != EscalationState.PENDING for e in escalations)
    return settled and deliveries(escalations, centre).lost == 0


async def terminate_backends(database_url: str) -> int:
    """Drop every other connection to the test's database, as a PostgreSQL restart would."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            killed = await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return len(killed.all())
    finally:
        await engine.dispose()


def report(title: str, tally: Tally, phases: list[str], **figures: Any) -> str:
    lines = [f"== {title}"]
    for phase in phases:
        lines.append(
            f"  {phase:<8} requests served {tally.served_in(phase):>5}, errors {tally.errors_in(phase)}"
        )
    lines += [f"  {name.replace('_', ' ')}: {value}" for name, value in figures.items()]
    lines += [f"  e.g. {example}" for example in tally.examples]
    text_ = "\n".join(lines)
    print(text_)
    return text_
