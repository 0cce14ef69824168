"""Per-account back-off: after a few wrong passwords, each further try waits longer.

The first `FREE_FAILURES` failures cost nothing; from then on an account (a normalised email
in one community, whether or not it has a member) is refused until 2, 4, 8 … seconds have
passed, up to `BACKOFF_CAP` — the right password included, so that guessing is as slow as the
rule says. A successful sign-in forgets the failures; so does a day without any.

Each attempt is charged *before* its password is checked, in a row locked for the moment it
takes, and committed at once: concurrent guesses (from as many addresses or processes as an
attacker likes) queue on the row and each sees the previous one's charge. The rows live in
the database (`SignInFailures`), so every web process agrees and Redis may be down.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from community.db import commit
from community.identity.models import SignInFailures
from community.limits import RateLimited, limiter_of
from community.scope import Scope

FREE_FAILURES = 5
BACKOFF_CAP = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # failures this old no longer count


@dataclass(frozen=True)
class BackedOff:
    """An account has just started backing off (its `FREE_FAILURES`th failure in a row)."""

    email: str  # normalised
    failures: int
    retry_at: datetime


# Run once per back-off, after the failure is committed. The mail port (not built yet) will
# register the notice to the account's owner here ("someone is trying your password").
BackOffNotice = Callable[[Scope, BackedOff], Awaitable[None]]
BACKOFF_NOTICES: list[BackOffNotice] = []


def backoff_after(failures: int) -> timedelta:
    """How long an account waits after `failures` failures in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES + 1, 30)  # past the cap anyway; no overflow
    return min(timedelta(seconds=2**doublings), BACKOFF_CAP)


def account_key(email: str) -> str:
    """What the row keeps of the email: a digest (no address of a stranger is stored)."""
    return hashlib.sha256(email.encode()).hexdigest()


async def charge_attempt(scope: Scope, email: str) -> SignInFailures:
    """Count this attempt as a failure until it proves otherwise (`forget_failures`), or
    raise RateLimited while the account is backing off. Commits the request's session."""
    now = limiter_of(scope.db).now()
    record = await _locked_record(scope, account_key(email))
    if record.retry_at is not None and record.retry_at > now:
        raise RateLimited((record.retry_at - now).total_seconds())
    if now - record.last_attempt_at > FORGET_AFTER:
        record.failures = 0
    record.failures += 1
    record.last_attempt_at = now
    record.retry_at = (
        now + backoff_after(record.failures) if record.failures >= FREE_FAILURES else None
    )
    # Committed before the password is checked: a 422 answer rolls the request back, and
    # every other process must see this charge before it checks a concurrent guess.
    await commit(scope.db)
    return record


async def attempt_failed(scope: Scope, email: str, record: SignInFailures) -> None:
    """The charged attempt was indeed a failure: tell whoever listens if back-off starts."""
    if record.failures == FREE_FAILURES and record.retry_at is not None:
        started = BackedOff(email, record.failures, record.retry_at)
        for notice in BACKOFF_NOTICES:
            await notice(scope, started)


async def forget_failures(scope: Scope, email: str) -> None:
    """The right password: the account starts afresh."""
    await scope.db.execute(
        delete(SignInFailures).where(SignInFailures.account == account_key(email))
    )
    await commit(scope.db)


async def _locked_record(scope: Scope, account: str) -> SignInFailures:
    """The account's row, locked until the commit (PostgreSQL; SQLite has one writer anyway)."""
    query = scope.select(SignInFailures).where(SignInFailures.account == account).with_for_update()
    if (found := await scope.db.scalar(query)) is not None:
        return found
    record = SignInFailures(account=account, failures=0, last_attempt_at=limiter_of(scope.db).now())
    try:
        async with scope.db.begin_nested():  # added inside: a rolled-back savepoint drops it
            scope.db.add(record)
            await scope.db.flush()
    except IntegrityError:  # a concurrent first attempt made it: wait for it and use it
        found = await scope.db.scalar(query.execution_options(populate_existing=True))
        if found is None:
            raise
        return found
    return record
