"""The limiter: fixed windows on its own clock, in Redis when it answers, in memory when not."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from community.limits import Limiter, RateLimited, Rule, wait_in_words

pytestmark = pytest.mark.anyio

FIVE_A_MINUTE = Rule(limit=5, period=60)
START = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


async def hits(limiter: Limiter, n: int, key: str = "198.51.100.7", tenant: int = 1) -> list[str]:
    """What each of `n` attempts got: "ok", or the wait in seconds."""
    answers = []
    for _ in range(n):
        try:
            await limiter.hit(tenant, "login", key, FIVE_A_MINUTE)
        except RateLimited as exc:
            answers.append(str(exc.retry_after))
        else:
            answers.append("ok")
    return answers


async def test_in_memory_the_window_holds_then_opens() -> None:
    clock = Clock()
    limiter = Limiter(clock=clock)
    clock.now = START + 45
    assert await hits(limiter, 7) == ["ok"] * 5 + ["15", "15"]
    clock.now = START + 60
    assert await hits(limiter, 1) == ["ok"]


async def test_keys_tenants_and_actions_are_counted_apart() -> None:
    limiter = Limiter(clock=Clock())
    await hits(limiter, 5)
    assert await hits(limiter, 1, key="198.51.100.8") == ["ok"]
    assert await hits(limiter, 1, tenant=2) == ["ok"]
    await limiter.hit(1, "register", "198.51.100.7", FIVE_A_MINUTE)


def test_the_wait_is_said_rounded_up() -> None:
    assert wait_in_words(8) == "8 seconds"
    assert wait_in_words(61) == "2 minutes"
    assert wait_in_words(3600) == "1 hour"
    assert RateLimited(0.2).retry_after == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def private_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test's own, on a free port, that the test may stop."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", server
    if server.poll() is None:
        server.terminate()
        server.wait(10)


async def test_redis_stopping_mid_way_falls_back_to_memory_and_says_so_once(
    private_redis: tuple[str, subprocess.Popen[bytes]], caplog: pytest.LogCaptureFixture
) -> None:
    url, server = private_redis
    redis = Redis.from_url(url)
    limiter = Limiter(redis, clock=Clock())
    try:
        assert await hits(limiter, 3) == ["ok"] * 3
        assert len([k async for k in redis.scan_iter("parvis:limits:*")]) == 1
        server.terminate()
        server.wait(10)
        # Memory starts from zero: the limit holds again, a little late, and nothing fails.
        assert await hits(limiter, 7) == ["ok"] * 5 + ["60", "60"]
    finally:
        await redis.aclose()
    failures = [r for r in caplog.records if "Redis failed" in r.getMessage()]
    assert len(failures) == 1
