"""One fixture layer for the whole suite.

The database is built by Alembic, once per run: a SQLite file by default, a fresh
PostgreSQL database when PARVIS_TEST_DATABASE_URL is set. Each test gets a clean copy
(SQLite) or clean tables (PostgreSQL). PARVIS_TEST_REDIS_URL switches the job queue and
sessions to Redis; its database is flushed before each test.

Under pytest-xdist (`make test` runs `-n auto`) each worker process is a run of its own: its
own template database, and its own Redis database (the URL's number plus the worker's index).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from alembic import command
from litestar import Litestar
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.app import create_app
from community.cli import alembic_config
from community.config import DeliveryOptions, Settings
from community.db import Base, create_engine, session_factory, session_scope
from community.forums import services as forums
from community.forums.models import Thread, ThreadKind
from community.identity.models import Member, Role
from community.identity.services import create_member
from community.jobs import InProcessQueue
from community.net.outbound import AllowedHosts, IPAddress, Outbound, system_resolver
from community.scope import Scope
from community.tasks import TASKS
from community.tenancy.services import create_tenant, tenant_info
from community.wiring import register_all
from tests.mail_server import MailServer

PASSWORD = "correct horse battery"
TRUSTING = {"premoderate_first_posts": 0, "new_member_posts": 0, "posts_per_minute": 10_000}
MAX_AUTO_WORKERS = 4  # `-n auto` on a big machine: more workers would mostly wait on the database


def worker_index() -> int:
    """This pytest-xdist worker's number (gw0 is 0), 0 when the run is not distributed; xdist
    sets PYTEST_XDIST_WORKER before the worker imports this file."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def worker_redis_url(url: str, index: int) -> str:
    """The Redis database of worker `index`: the URL's database number plus the index, so that
    one worker's FLUSHDB never empties another's queue."""
    if not url:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + index}"))


PG_URL = os.environ.get("PARVIS_TEST_DATABASE_URL", "")
REDIS_URL = worker_redis_url(os.environ.get("PARVIS_TEST_REDIS_URL", ""), worker_index())

# Escalation deliveries: short waits, and links on the tenants' test domains.
TEST_DELIVERY = DeliveryOptions(
    timeout=2.0, retry_base_seconds=0.02, retry_cap_seconds=0.1, base_url_format="http://{domain}"
)

# The stand-in contact centres and vendors of the tests listen on 127.0.0.1, allowed as the
# operator of an on-premise contact centre would allow it; nothing else internal is.
ALLOWED_IN_TESTS = ("127.0.0.1",)
TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
PUBLIC_ADDRESS = ipaddress.ip_address("93.184.215.14")  # public; no test connects to it


async def resolve_for_tests(host: str, port: int) -> list[IPAddress]:
    """What the system answers when it can (localhost, /etc/hosts, numbers); nothing for a
    name under .invalid (RFC 6761); what nip.io answers for its names (the address they
    spell); and for any other name (the made-up vendors' domains of the tests, which this
    machine may not resolve) a public address."""
    if host.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    if host.endswith(".nip.io"):
        return [ipaddress.ip_address(host.removesuffix(".nip.io").rsplit("-", 1)[-1])]
    try:
        return await system_resolver(host, port)
    except OSError:
        return [PUBLIC_ADDRESS]


TEST_OUTBOUND = Outbound(AllowedHosts.parse(ALLOWED_IN_TESTS), resolve_for_tests, 2.0)

requires_postgres = pytest.mark.skipif(not PG_URL, reason="needs PARVIS_TEST_DATABASE_URL")
requires_redis = pytest.mark.skipif(not REDIS_URL, reason="needs PARVIS_TEST_REDIS_URL")


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # no hook with -p no:xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker per core this process may use, at most MAX_AUTO_WORKERS."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_AUTO_WORKERS))


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """With -n and no --dist, xdist's loadgroup: tests marked `xdist_group` share a worker (and
    what is expensive to build for them), the others go wherever a worker is free. Set here,
    not in addopts, where --dist would break `-p no:xdist`."""
    if getattr(config.option, "dist", "no") == "no" and getattr(config.option, "numprocesses", 0):
        config.option.dist = "loadgroup"


# CI's second stage (PostgreSQL and Redis) sets PARVIS_TEST_SERVICES_ONLY=1: a test that
# touches neither (no database or Redis fixture, no PG_URL/REDIS_URL in its module) ran in
# the first stage already and would prove nothing new there.
SERVICE_FIXTURES = {"migrated_database", "redis_url"}


def uses_services(item: pytest.Item) -> bool:
    if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    return module is not None and bool({"PG_URL", "REDIS_URL"} & set(vars(module)))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PARVIS_TEST_SERVICES_ONLY") != "1":
        return
    kept = [item for item in items if uses_services(item)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(sql))
    await engine.dispose()


@contextmanager
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new database at the head revision (a SQLite file's path, or a PostgreSQL URL),
    dropped afterwards."""
    if not PG_URL:
        path = tmp_path_factory.mktemp("db") / "template.db"
        migrate(f"sqlite+aiosqlite:///{path}")
        yield str(path)
        return
    name = f"parvis_test_{uuid.uuid4().hex[:10]}"
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(PG_URL, f'CREATE DATABASE "{name}"'))
    try:
        migrate(url)
        yield url
    finally:
        asyncio.run(_admin(PG_URL, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at the head revision: the template every test starts from."""
    with new_database(tmp_path_factory) as database:
        yield database


# A previous test's event loop is closed, but a query it left running (a job or a sweep cut
# off mid-transaction) goes on in its server process until that notices the client is gone;
# reading table after table, it deadlocked with TRUNCATE taking them in turn. This worker's
# database has no other user between tests: end whatever still runs there first.
END_LEFTOVERS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def _truncate_all(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(END_LEFTOVERS)
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def database_url(migrated_database: str, tmp_path: Path) -> str:
    if not PG_URL:
        copy = tmp_path / "parvis.db"
        shutil.copyfile(migrated_database, copy)
        return f"sqlite+aiosqlite:///{copy}"
    await _truncate_all(migrated_database)
    return migrated_database


@pytest.fixture
async def redis_url() -> str:
    if REDIS_URL:
        from redis.asyncio import Redis

        client = Redis.from_url(REDIS_URL)
        await client.flushdb()
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        redis_url=redis_url,
        data_dir=tmp_path,
        page_size=5,
        view_flush_threshold=1_000,
        view_flush_seconds=3_600,
        delivery=TEST_DELIVERY,
        outbound_allowed_hosts=ALLOWED_IN_TESTS,
    )


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (tests/mail_server.py)."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    application = create_app(settings, Outbound.from_settings(settings, resolve_for_tests))
    async with application.lifespan():
        yield application


# ---- building data ------------------------------------------------------------------------


@dataclass
class World:
    """Builds tenants, members and threads through the services, each in its own commit."""

    sessions: async_sessionmaker[AsyncSession]
    tenants: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        register_all()  # the capabilities' hooks, as the app, the worker and the CLI have them
        self.jobs = InProcessQueue(
            self.sessions, TASKS, TEST_DELIVERY, TEST_OUTBOUND, secret_key=TEST_SECRET_KEY
        )

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One committed unit of work; the jobs it enqueued have run when it returns."""
        async with session_scope(self.sessions, self.jobs) as session:
            yield session
        await self.jobs.drain()

    async def scope(
        self, session: AsyncSession, tenant: str, member: Member | None = None
    ) -> Scope:
        """The Scope a service is called with: this session, the tenant as stored, who acts."""
        return Scope(session, await tenant_info(session, self.tenants[tenant]), member)

    async def tenant(self, slug: str, domain: str = "", locale: str = "en", **theme: str) -> int:
        async with self.unit() as session:
            created = await create_tenant(
                session, slug=slug, name=f"{slug.title()} Community",
                domains=[domain or f"{slug}.test"], locale=locale, theme=theme,
            )  # fmt: skip
            # Members' first posts and links are trusted here; moderation tests turn it on.
            created.preferences = {"moderation": TRUSTING}
            self.tenants[slug] = created.id
            scope = await self.scope(session, slug)
            await forums.create_category(scope, slug="general", name="General")
            await forums.create_category(scope, slug="billing", name="Billing")
        return created.id

    async def member(self, tenant: str, email: str, role: Role = Role.MEMBER) -> Member:
        async with self.unit() as session:
            return await create_member(
                await self.scope(session, tenant), email=email,
                display_name=email.split("@")[0].title(), password=PASSWORD, role=role,
            )  # fmt: skip

    async def thread(
        self, tenant: str, author: Member, title: str = "How do I reset my router?",
        replies: int = 0, category: str = "general", kind: ThreadKind = ThreadKind.QUESTION,
    ) -> Thread:  # fmt: skip
        async with self.unit() as session:
            # Fresh from this session: merging would write stale counters.
            scope = await self.scope(session, tenant, await session.get(Member, author.id))
            created = await forums.create_thread(
                scope, category_slug=category, title=title, body=f"Body of **{title}**", kind=kind
            )
            for n in range(replies):
                await forums.reply(scope, created.id, f"Reply number {n + 1}")
            return created


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    built = World(sessions)
    await built.tenant("acme", domain="acme.test")
    await built.tenant("globex", domain="globex.test", locale="fr")
    return built


# ---- talking to the app -------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Client(httpx.AsyncClient):
    """An HTTP client for one host, that knows how to pass CSRF checks and log in."""

    def csrf(self) -> str:
        return self.cookies.get("csrftoken") or ""

    async def ensure_csrf(self) -> str:
        if not self.csrf():
            await self.get("/login")
        return self.csrf()

    async def submit(self, url: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """POST a form as a browser would: with the CSRF token field."""
        token = await self.ensure_csrf()
        return await self.post(url, data={"_csrf_token": token, **data}, **kwargs)

    async def htmx(self, url: str, data: dict[str, Any]) -> httpx.Response:
        """POST a form as htmx does: CSRF in a header, HX-Request set."""
        token = await self.ensure_csrf()
        headers = {"HX-Request": "true", "x-csrftoken": token}
        return await self.post(url, data=data, headers=headers)

    async def api_post(self, url: str, payload: dict[str, Any]) -> httpx.Response:
        token = await self.ensure_csrf()
        return await self.post(url, json=payload, headers={"x-csrftoken": token})

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = await self.submit("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        return response


@pytest.fixture
def client_for(app: Litestar) -> Iterator[Any]:
    clients: list[Client] = []

    def make(host: str = "acme.test") -> Client:
        transport = httpx.ASGITransport(app=app)
        made = Client(transport=transport, base_url=f"http://{host}", follow_redirects=False)
        clients.append(made)
        return made

    yield make


@pytest.fixture
async def client(client_for: Any, world: World) -> Client:
    made: Client = client_for("acme.test")
    return made
