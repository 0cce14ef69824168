"""Both demo communities, seeded once per test process for the tests of this folder.

Seeding goes through the same services members use and takes about half a minute, so the
tests here share one database: they only read, or roll back what they try. Under
pytest-xdist each worker seeds its own and takes whichever of these tests come its way
(the long crawls and the input walk spread over the workers).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.db import ALL_TENANTS, create_engine, session_factory, session_scope, utcnow
from community.demo.brand import seed_brand_sign_in
from community.demo.seed import seed_contact_centre, seed_demo
from community.demo.sso import OIDC_ISSUER, seed_identity_provider
from community.demo.webhooks import seed_webhooks
from community.identity import sessions as member_sessions
from community.identity.models import Member, MemberSession
from community.jobs import InProcessQueue
from community.oidc.models import OidcSession, SsoAttempt
from community.scope import Scope
from community.tasks import TASKS
from community.wiring import register_all
from tests.conftest import PG_URL, TEST_DELIVERY, new_database

DEMO_SECRET_KEY = "test-secret-key-" + "x" * 32  # the settings fixture's


async def seed_both_communities(url: str, secret_key: str = DEMO_SECRET_KEY) -> None:
    register_all()
    engine = create_engine(url)
    sessions = session_factory(engine)
    jobs = InProcessQueue(sessions, TASKS, TEST_DELIVERY)
    await seed_demo(sessions, jobs)
    await jobs.drain()
    await seed_contact_centre(sessions)
    await seed_brand_sign_in(sessions, secret_key)
    # Seeded switched off: no provider runs beside these tests, and a sign-in would answer
    # 502 (provider unreachable), a server error to the input walk. tests/oidc runs one.
    await seed_identity_provider(sessions, secret_key, enabled=False)
    await seed_webhooks(sessions, secret_key, jobs)
    await jobs.drain()
    await _sign_in_once_in_each_community(sessions)
    await jobs.close()
    await engine.dispose()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own (other tests' clean-ups never touch it), kept for the whole run:
    a worker runs other tests between these, and a package-scoped seed was redone each time
    it came back to them."""
    with new_database(tmp_path_factory) as database:
        yield database if PG_URL else f"sqlite+aiosqlite:///{database}"


@pytest.fixture(scope="session")
async def database_url(demo_database: str) -> str:
    """The database of this folder's tests, with both demo communities seeded."""
    await seed_both_communities(demo_database)
    return demo_database


async def _sign_in_once_in_each_community(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A session in each community (as its first member signing in): they are rows too."""
    async with session_scope(sessions) as session:
        firsts = await session.execute(
            select(Member.tenant_id, Member.id)
            .order_by(Member.tenant_id, Member.id)
            .execution_options(**ALL_TENANTS)
        )
        first_of_each = {tenant_id: member_id for tenant_id, member_id in reversed(firsts.all())}
    for tenant_id, member_id in first_of_each.items():
        async with session_scope(sessions) as session:
            scope = await Scope.load(session, tenant_id, member_id)
            await member_sessions.open_session(scope, scope.actor, member_sessions.Client())
            await _sso_rows(scope)


async def _sso_rows(scope: Scope) -> None:
    """A sign-in under way at the identity provider, and the session it opened: rows too."""
    session_id = await scope.db.scalar(select(MemberSession.id).order_by(MemberSession.id.desc()))
    assert session_id is not None
    scope.db.add(OidcSession(session_id=session_id, issuer=OIDC_ISSUER, id_token="a.b.c"))
    scope.db.add(
        SsoAttempt(
            state_hash=f"{scope.tenant_id:064d}", nonce="n", code_verifier="v" * 43,
            expires_at=utcnow() + timedelta(minutes=10),
        )
    )  # fmt: skip
