"""Rate limits: how often something may be done, counted where every web process sees it.

    await limits.hit(scope, "login", rate_limit_key(address), LOGIN_PER_ADDRESS)

counts one attempt at `action` by `key` (a client address, an account) in the scope's
tenant — the tenant resolved from the Host, never the Host's spelling — and raises
`RateLimited(retry_after)` once the rule's limit for the current window is passed. The web
layer answers that with a 429, a `Retry-After` header and a page or JSON saying when to
come back. Sign-in, registration, and later password reset and token endpoints use it.

Counts live in Redis when it is configured (INCR and EXPIRE in one transaction, so every
process shares them) and in this process's memory otherwise. Redis is an accelerator here,
never a single point of failure: when it errors or is slow, the limiter counts in memory
(logged once), tries Redis again a few seconds later, and never fails the request.

Windows are fixed and follow the limiter's clock (`Limiter.clock`, injectable: tests move
time instead of sleeping).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from babel.units import format_unit
from redis.asyncio import Redis
from redis.exceptions import RedisError

from community.errors import DomainError
from community.l10n import N_

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from community.scope import Scope

log = logging.getLogger(__name__)

SESSION_KEY = "limits"  # where a unit of work's session carries the app's limiter
TRY_AGAIN = N_("Too many attempts: try again in %(wait)s.")
REDIS_TIMEOUT = 0.5  # seconds a Redis count may take before memory counts instead
REDIS_RETRY_SECONDS = 5.0  # after a Redis error, memory counts this long before Redis is tried
MEMORY_PRUNE_EVERY = 1_000  # counts between two sweeps of expired windows from memory


@dataclass(frozen=True)
class Rule:
    """At most `limit` attempts per `period` seconds."""

    limit: int
    period: int


class RateLimited(DomainError):
    """Too many attempts; `retry_after` is the whole number of seconds to wait (at least 1)."""

    status_code = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(TRY_AGAIN % {"wait": wait_in_words(self.retry_after)})


def wait_in_words(seconds: float, locale: str = "en") -> str:
    """ "8 seconds", "2 minutes", "1 hour": rounded up, so that trying again then works."""
    value, unit = math.ceil(seconds), "duration-second"
    if seconds >= 3600:
        value, unit = math.ceil(seconds / 3600), "duration-hour"
    elif seconds >= 60:
        value, unit = math.ceil(seconds / 60), "duration-minute"
    return format_unit(value, unit, length="long", locale=locale)


class MemoryCounters:
    """Counts in this process only: what limits use without Redis, or while it is down."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self._since_prune = 0

    def incr(self, key: str, expires_at: float, now: float) -> int:
        count, _ = self._counts.get(key, (0, expires_at))
        self._counts[key] = (count + 1, expires_at)
        self._since_prune += 1
        if self._since_prune >= MEMORY_PRUNE_EVERY:
            self._prune(now)
        return count + 1

    def _prune(self, now: float) -> None:
        self._since_prune = 0
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}


class Limiter:
    """Counts attempts per tenant, action and key in fixed windows; see the module docstring."""

    def __init__(
        self,
        redis: Redis | None = None,
        *,
        clock: Callable[[], float] = time.time,
        namespace: str = "parvis:limits",
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.namespace = namespace
        self.memory = MemoryCounters()
        self._redis_down_until = 0.0  # time.monotonic(): Redis is not tried before then

    def now(self) -> datetime:
        """The limiter's time, for the rules kept in the database (an account's back-off)."""
        return datetime.fromtimestamp(self.clock(), UTC)

    async def hit(self, tenant_id: int, action: str, key: str, rule: Rule) -> None:
        """Count one attempt; RateLimited when it is one too many for this window."""
        now = self.clock()
        window = int(now // rule.period)
        window_ends = (window + 1) * rule.period
        # Hashed: no email or address in Redis keys, and keys of one length whatever was sent.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        name = f"{self.namespace}:{action}:{tenant_id}:{rule.period}:{window}:{digest}"
        count = await self._count(name, rule.period, window_ends, now)
        if count > rule.limit:
            raise RateLimited(window_ends - now)

    async def _count(self, name: str, ttl: int, expires_at: float, now: float) -> int:
        if self.redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                async with asyncio.timeout(REDIS_TIMEOUT):
                    count = await self._count_in_redis(self.redis, name, ttl)
            except (RedisError, OSError, TimeoutError) as exc:
                self._redis_failed(exc)
            else:
                self._redis_back()
                return count
        return self.memory.incr(name, expires_at, now)

    @staticmethod
    async def _count_in_redis(redis: Redis, name: str, ttl: int) -> int:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, ttl + 1)
            count, _ = await pipe.execute()
        return int(count)

    def _redis_failed(self, exc: Exception) -> None:
        if self._redis_down_until == 0.0:  # log when it goes, not at every request
            log.warning(
                "rate limits: Redis failed (%s: %s); counting in this process's memory",
                type(exc).__name__,
                exc,
            )
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def _redis_back(self) -> None:
        if self._redis_down_until != 0.0:
            log.warning("rate limits: Redis is back; counting in Redis again")
            self._redis_down_until = 0.0


_PROCESS_LIMITER = Limiter()  # for sessions no app opened (the CLI, a script): memory counts


def limiter_of(session: AsyncSession) -> Limiter:
    """The limiter of the app that opened this session (`session.info["limits"]`)."""
    limiter = session.info.get(SESSION_KEY)
    return limiter if isinstance(limiter, Limiter) else _PROCESS_LIMITER


async def hit(scope: Scope, action: str, key: str, rule: Rule) -> None:
    """Count one attempt at `action` by `key` in the scope's tenant (see the module docstring)."""
    await limiter_of(scope.db).hit(scope.tenant_id, action, key, rule)
