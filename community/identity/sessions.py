"""Sessions: one revocable row per signed-in browser, in the database with or without Redis.

The cookie carries a random token and `member_sessions` its SHA-256. Ending a session
deletes its row, so the next request with that cookie is a guest's: logging out, a ban, a
suspension and a role change end sessions at once, and `end_all_sessions` is there for
what ends them all (a password change, an erasure). A visitor who never signed in has
no session, no row and no cookie.

Sessions are tenant-owned rows: a cookie shown to another community finds nothing there.
Expiry slides: a session ends after `LIFETIME` without a request. `last_seen_at`, and the
expiry with it, is written at most once per `TOUCH_INTERVAL`, not on every request.
Expired rows of a tenant are deleted whenever someone signs in to it, so the table holds
the sessions used in the last `LIFETIME`, not every session ever opened.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from community.db import utcnow
from community.errors import NotFound
from community.identity.models import Member, MemberSession
from community.l10n import N_
from community.scope import Scope

LIFETIME = timedelta(days=14)
TOUCH_INTERVAL = timedelta(minutes=1)
TOKEN_BYTES = 32
# What `secrets.token_urlsafe(TOKEN_BYTES)` makes; anything else is not worth a query.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class Client:
    """The browser a session is opened from, as the member's session list shows it."""

    user_agent: str = ""
    address: str = ""


@dataclass(frozen=True)
class Resumed:
    """The session a request's cookie belongs to, and its member."""

    session_id: int
    member: Member
    touched: bool  # its expiry moved on: the cookie is sent again, with the new lifetime


@dataclass(frozen=True)
class ActiveSession:
    """One line of the member's session list."""

    id: int
    browser: str
    system: str
    user_agent: str
    address: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(scope: Scope, member: Member, client: Client) -> str:
    """A new session for `member`, who has just proved who they are; returns the cookie's
    token, which is kept nowhere else."""
    await sweep_expired(scope)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    scope.db.add(
        MemberSession(
            token_hash=_digest(token),
            member_id=member.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
            user_agent=client.user_agent[:300],
            client_address=client.address[:64],
        )
    )
    await scope.db.flush()
    return token


async def resume(scope: Scope, token: str, client: Client) -> Resumed | None:
    """The open session of this token on the scope's tenant, or None (a guest)."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    now = utcnow()
    found = await scope.db.execute(
        select(MemberSession.id, MemberSession.last_seen_at, Member)
        .join(Member, Member.id == MemberSession.member_id)
        .where(MemberSession.token_hash == _digest(token), MemberSession.expires_at > now)
    )
    row = found.first()
    if row is None:
        return None
    session_id, last_seen_at, member = row
    if member.is_banned(now):  # a ban ends sessions; this covers one set outside the services
        return None
    touched = now - last_seen_at >= TOUCH_INTERVAL
    if touched:
        await _touch(scope, session_id, client, now)
    return Resumed(session_id, member, touched)


async def _touch(scope: Scope, session_id: int, client: Client, now: datetime) -> None:
    # A statement rather than a dirty object: ending this session later in the same
    # request must not meet a pending UPDATE of the row it deleted.
    await scope.db.execute(
        update(MemberSession)
        .where(MemberSession.id == session_id)
        .values(last_seen_at=now, expires_at=now + LIFETIME, client_address=client.address[:64])
        .execution_options(synchronize_session=False)
    )


async def end_session(scope: Scope, session_id: int) -> None:
    """The actor ends one of their own sessions (from their list of sessions)."""
    if not await _end_own(scope, session_id):
        raise NotFound(N_("No such session: it has ended already."))


async def sign_out(scope: Scope, session_id: int) -> None:
    """The actor leaves the session they are using (logging out, or in as someone else);
    one that a concurrent request has just ended is ended all the same."""
    await _end_own(scope, session_id)


async def _end_own(scope: Scope, session_id: int) -> int:
    member = scope.actor
    ended = await scope.db.execute(
        delete(MemberSession).where(
            MemberSession.id == session_id, MemberSession.member_id == member.id
        )
    )
    return int(ended.rowcount)  # type: ignore[attr-defined]


async def end_all_sessions(
    scope: Scope, member_id: int, *, except_current: int | None = None
) -> int:
    """End every session of the member, but the one whose id is `except_current`; returns
    how many ended. For the services that decide it (a ban, a role change, a password
    change, an erasure), after their own permission checks."""
    query = delete(MemberSession).where(MemberSession.member_id == member_id)
    if except_current is not None:
        query = query.where(MemberSession.id != except_current)
    ended = await scope.db.execute(query)
    return int(ended.rowcount)  # type: ignore[attr-defined]


async def end_other_sessions(scope: Scope, current_id: int | None) -> int:
    """Sign out everywhere else: every session of the actor but this one ends."""
    return await end_all_sessions(scope, scope.actor.id, except_current=current_id)


async def active_sessions(scope: Scope, current_id: int | None) -> list[ActiveSession]:
    """The actor's open sessions, most recently used first, this one marked."""
    rows = await scope.db.scalars(
        scope.select(MemberSession)
        .where(MemberSession.member_id == scope.actor.id, MemberSession.expires_at > utcnow())
        .order_by(MemberSession.last_seen_at.desc(), MemberSession.id.desc())
    )
    return [_listed(row, current_id) for row in rows]


def _listed(row: MemberSession, current_id: int | None) -> ActiveSession:
    browser, system = describe_user_agent(row.user_agent)
    return ActiveSession(
        id=row.id,
        browser=browser,
        system=system,
        user_agent=row.user_agent,
        address=row.client_address,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        is_current=row.id == current_id,
    )


async def sweep_expired(scope: Scope) -> int:
    """Delete the tenant's expired sessions (on every sign-in); returns how many."""
    swept = await scope.db.execute(
        delete(MemberSession)
        .where(MemberSession.expires_at <= utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(swept.rowcount)  # type: ignore[attr-defined]


# Checked in order: Edge and Opera say "Chrome" too, Chrome says "Safari", Android "Linux".
BROWSERS = (("Edg", "Edge"), ("OPR", "Opera"), ("SamsungBrowser", "Samsung Internet"),
            ("Firefox", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"),
            ("Chrome", "Chrome"), ("Safari", "Safari"))  # fmt: skip
SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
           ("Windows", "Windows"), ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"),
           ("Linux", "Linux"))  # fmt: skip


def describe_user_agent(user_agent: str) -> tuple[str, str]:
    """The browser and the system a User-Agent names ('' for what it does not say)."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    return browser, system
