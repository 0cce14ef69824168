"""Sign-in and registration limits that an attacker cannot reset by varying what they send.

Guesses are counted where it matters: how many passwords were actually checked (argon2
verifications), whatever the answers said. Time is the limiter's clock, moved by the tests.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from litestar import Litestar
from redis.asyncio import Redis

from community.app import create_app
from community.config import Settings
from community.identity import backoff, services
from community.limits import Limiter
from tests.conftest import PASSWORD, REDIS_URL, Client, World

pytestmark = pytest.mark.anyio

GUESSES = 200
CONCURRENT = 20
LOGIN_LIMIT = services.LOGIN_PER_ADDRESS.limit  # 10 a minute per address and community
# One community, spelled as a client may: case, port, trailing dot (which names no community).
HOSTS = ["acme.test", "ACME.TEST", "Acme.Test:8080", "acme.test:443", "acme.test.", "aCmE.tEsT:1"]
PROXY = "10.0.0.7"  # the load balancer's address in the trusted-proxy tests
START = 1_800_000_000.0  # a whole hour, so the tests' windows never straddle two


class Clock:
    """The limiter's time, moved by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every password the login service actually verified, in order."""
    seen: list[str] = []
    verify = services.verify_password

    async def counting(password_hash: str | None, password: str) -> bool:
        seen.append(password)
        return await verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting)
    yield seen


@pytest.fixture
def clock(app: Litestar) -> Clock:
    made = Clock()
    app.state.limits.clock = made
    return made


@pytest.fixture
async def proxied_app(settings: Settings, world: World) -> AsyncIterator[Litestar]:
    """The app behind a load balancer in 10.0.0.0/8, whose X-Forwarded-For it believes."""
    application = create_app(replace(settings, trusted_proxies=("10.0.0.0/8",)))
    async with application.lifespan():
        application.state.limits.clock = Clock()
        yield application


def client_from(app: Litestar, peer: str, host: str = "acme.test") -> Client:
    transport = httpx.ASGITransport(app=app, client=(peer, 41000))
    return Client(transport=transport, base_url=f"http://{host}", follow_redirects=False)


async def guess(client: Client, email: str, password: str = "wrong guess", **headers: str) -> Any:
    return await client.submit("/login", {"email": email, "password": password}, headers=headers)


def forged_addresses() -> Iterator[str]:
    """A new address each time, as a client forging X-Forwarded-For would send."""
    for n in itertools.count(1):
        yield f"203.0.113.{n % 250 + 1}, 198.51.{n // 250}.{n % 250 + 1}"


async def test_guesses_with_rotating_hosts_and_forged_forwarded_headers_hit_the_account_backoff(
    client: Client, world: World, checked: list[str], clock: Clock
) -> None:
    await world.member("acme", "ann@example.com")
    statuses: Counter[int] = Counter()
    forwarded = forged_addresses()
    for n in range(GUESSES):
        response = await guess(
            client, "ANN@example.com ", f"guess {n}", host=HOSTS[n % len(HOSTS)],
            **{"x-forwarded-for": next(forwarded)},
        )  # fmt: skip
        statuses[response.status_code] += 1
    print(
        f"\n[one account, rotating Host and forged XFF] checked {len(checked)} of {GUESSES}: {dict(statuses)}"
    )
    assert len(checked) <= backoff.FREE_FAILURES
    assert statuses[429] >= GUESSES - LOGIN_LIMIT - statuses[404]
    assert statuses[500] == 0


async def test_spraying_many_accounts_from_one_address_is_held_to_the_address_limit(
    client: Client, world: World, checked: list[str], clock: Clock
) -> None:
    await world.member("acme", "ann@example.com")
    statuses: Counter[int] = Counter()
    forwarded = forged_addresses()
    for n in range(GUESSES):
        response = await guess(
            client, f"member{n}@example.com", PASSWORD, host=HOSTS[n % len(HOSTS)],
            **{"x-forwarded-for": next(forwarded)},
        )  # fmt: skip
        statuses[response.status_code] += 1
    print(
        f"\n[200 accounts, rotating Host and forged XFF] checked {len(checked)} of {GUESSES}: {dict(statuses)}"
    )
    assert len(checked) <= LOGIN_LIMIT
    refused = await guess(client, "ann@example.com", PASSWORD)
    assert refused.status_code == 429
    clock.advance(60)  # the next minute: the address may try again
    assert (await guess(client, "ann@example.com", PASSWORD)).status_code == 303


async def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_count(
    proxied_app: Litestar, world: World, checked: list[str]
) -> None:
    balancer = client_from(proxied_app, PROXY)
    first = {"x-forwarded-for": "198.51.100.1"}
    answers = [
        (await guess(balancer, f"nobody{n}@example.com", **first)).status_code
        for n in range(LOGIN_LIMIT + 1)
    ]
    assert answers == [422] * LOGIN_LIMIT + [429]
    # Another customer behind the same balancer is not held back by the first one…
    other = await guess(balancer, "nobody@example.com", **{"x-forwarded-for": "198.51.100.2"})
    assert other.status_code == 422
    # …nor is the client's own forged hop to the left of what the balancer saw believed.
    forged = {"x-forwarded-for": "192.0.2.99, 198.51.100.1"}
    assert (await guess(balancer, "nobody@example.com", **forged)).status_code == 429
    print(f"\n[trusted proxy, 2 forwarded addresses] checked {len(checked)} of {LOGIN_LIMIT + 3}")
    assert len(checked) == LOGIN_LIMIT + 1


async def test_behind_a_trusted_proxy_the_account_backoff_holds_across_addresses(
    proxied_app: Litestar, world: World, checked: list[str]
) -> None:
    await world.member("acme", "ann@example.com")
    balancer = client_from(proxied_app, PROXY)
    statuses: Counter[int] = Counter()
    for n in range(GUESSES):
        forwarded = {"x-forwarded-for": f"198.51.{n // 250}.{n % 250 + 1}"}
        response = await guess(balancer, "ann@example.com", f"guess {n}", **forwarded)
        statuses[response.status_code] += 1
    print(
        f"\n[trusted proxy, 200 forwarded addresses, one account] checked {len(checked)} of {GUESSES}: {dict(statuses)}"
    )
    assert len(checked) <= backoff.FREE_FAILURES
    assert statuses == {422: backoff.FREE_FAILURES, 429: GUESSES - backoff.FREE_FAILURES}


async def test_an_untrusted_peer_cannot_pose_as_the_proxy(
    proxied_app: Litestar, world: World, checked: list[str]
) -> None:
    outsider = client_from(proxied_app, "192.0.2.50")
    for n in range(LOGIN_LIMIT):
        forged = {"x-forwarded-for": f"198.51.100.{n + 1}"}
        assert (await guess(outsider, f"nobody{n}@example.com", **forged)).status_code == 422
    forged = {"x-forwarded-for": "198.51.100.200"}
    assert (await guess(outsider, "someone@example.com", **forged)).status_code == 429


async def test_during_backoff_even_the_right_password_waits_then_works_and_resets(
    client: Client, world: World, checked: list[str], clock: Clock
) -> None:
    await world.member("acme", "ann@example.com")
    for _ in range(backoff.FREE_FAILURES):
        assert (await guess(client, "ann@example.com")).status_code == 422

    refused = await guess(client, "ann@example.com", PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "2"
    assert "Too many attempts: try again in 2 seconds." in refused.text
    assert 'value="ann@example.com"' in refused.text  # the form again, with what was typed
    assert len(checked) == backoff.FREE_FAILURES  # the right password was not even checked

    clock.advance(1)
    assert (await guess(client, "ann@example.com", PASSWORD)).headers["retry-after"] == "1"
    clock.advance(1)
    assert (await guess(client, "ann@example.com", PASSWORD)).status_code == 303

    # Forgotten: the next mistakes start from zero again.
    clock.advance(60)  # a new minute for the address limit too
    for _ in range(backoff.FREE_FAILURES - 1):
        assert (await guess(client, "ann@example.com")).status_code == 422
    assert (await guess(client, "ann@example.com", PASSWORD)).status_code == 303


async def test_the_wait_doubles_with_each_failure_up_to_the_cap(
    client: Client, world: World, clock: Clock
) -> None:
    await world.member("acme", "ann@example.com")
    waits = []
    for _ in range(backoff.FREE_FAILURES - 1):
        await guess(client, "ann@example.com")
    for _ in range(4):
        clock.advance(3600)  # long enough for any wait, and a fresh address window
        assert (await guess(client, "ann@example.com")).status_code == 422
        waits.append(int((await guess(client, "ann@example.com")).headers["retry-after"]))
    assert waits == [2, 4, 8, 16]
    assert backoff.backoff_after(14).total_seconds() == 15 * 60
    assert backoff.backoff_after(10_000).total_seconds() == 15 * 60  # a long siege too


async def test_backoff_starting_is_announced_once_to_the_notice_hook(
    client: Client, world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.member("acme", "ann@example.com")
    notices: list[backoff.BackedOff] = []

    async def remember(scope: Any, started: backoff.BackedOff) -> None:
        notices.append(started)

    monkeypatch.setattr(backoff, "BACKOFF_NOTICES", [remember])
    for _ in range(backoff.FREE_FAILURES + 3):
        await guess(client, "Ann@Example.com")
    assert [(n.email, n.failures) for n in notices] == [("ann@example.com", backoff.FREE_FAILURES)]


async def test_an_unknown_email_backs_off_like_an_account(
    client: Client, world: World, clock: Clock
) -> None:
    """Otherwise the answers would tell which emails have an account."""
    answers = [(await guess(client, "nobody@example.com")).status_code for _ in range(7)]
    assert answers == [422] * backoff.FREE_FAILURES + [429, 429]


async def test_backoff_in_one_community_leaves_the_same_email_alone_in_another(
    client_for: Any, world: World, clock: Clock
) -> None:
    await world.member("acme", "ann@example.com")
    await world.member("globex", "ann@example.com")
    acme, globex = client_for("acme.test"), client_for("globex.test")
    for _ in range(backoff.FREE_FAILURES):
        await guess(acme, "ann@example.com")
    assert (await guess(acme, "ann@example.com", PASSWORD)).status_code == 429
    assert (await guess(globex, "ann@example.com", PASSWORD)).status_code == 303


NEW = {"display_name": "Newcomer", "password": "long-enough-1"}


async def test_registration_is_limited_per_address_and_community(
    client_for: Any, world: World, clock: Clock
) -> None:
    limit = services.REGISTER_PER_ADDRESS.limit
    answers = []
    for n in range(limit + 5):
        visitor = client_for("acme.test")  # a fresh cookie jar each time, as a bot would
        response = await visitor.submit(
            "/register", NEW | {"email": f"new{n}@example.com", "display_name": f"Newcomer {n}"},
            headers={"host": HOSTS[n % 4], "x-forwarded-for": f"203.0.113.{n}"},
        )  # fmt: skip
        answers.append(response.status_code)
    assert answers == [303] * limit + [429] * 5
    print(
        f"\n[registration, rotating Host and forged XFF] accounts made {answers.count(303)} of {limit + 5}"
    )
    assert "Too many attempts: try again in 1 hour." in response.text
    assert int(response.headers["retry-after"]) == 3600
    assert 'value="new14@example.com"' in response.text

    elsewhere = await client_for("globex.test").submit(
        "/register", NEW | {"email": "n@example.com"}
    )
    assert elsewhere.status_code == 303
    clock.advance(3600)
    later = await client_for("acme.test").submit(
        "/register", NEW | {"email": "late@example.com", "display_name": "Latecomer"}
    )
    assert later.status_code == 303


async def test_the_refusal_is_in_the_communitys_language(
    client_for: Any, world: World, clock: Clock
) -> None:
    globex = client_for("globex.test")
    for _ in range(backoff.FREE_FAILURES):
        await guess(globex, "nobody@example.com")
    refused = await guess(globex, "nobody@example.com")
    assert refused.status_code == 429
    assert "Trop de tentatives : réessayez dans 2\u00a0secondes." in refused.text


async def test_with_redis_unreachable_login_works_and_limits_still_hold(
    app: Litestar,
    client: Client,
    world: World,
    checked: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    app.state.limits = Limiter(Redis.from_url("redis://127.0.0.1:1/0"), clock=clock)
    await world.member("acme", "ann@example.com")
    assert (await guess(client, "ann@example.com", PASSWORD)).status_code == 303
    answers = [
        (await guess(client, f"nobody{n}@example.com")).status_code for n in range(LOGIN_LIMIT + 5)
    ]
    assert answers == [422] * (LOGIN_LIMIT - 1) + [429] * 6
    assert len(checked) == LOGIN_LIMIT
    failures = [r for r in caplog.records if "Redis failed" in r.getMessage()]
    assert len(failures) == 1  # said once, not at every request


@pytest.mark.skipif(not REDIS_URL, reason="needs PARVIS_TEST_REDIS_URL")
async def test_with_redis_the_counts_are_shared_by_every_process(
    settings: Settings, world: World, clock: Clock, client: Client
) -> None:
    """A second app (another web process) on the same Redis sees the first one's count."""
    other = create_app(settings)
    async with other.lifespan():
        other.state.limits.clock = clock
        second = client_from(other, "127.0.0.1")
        for n in range(LOGIN_LIMIT // 2):
            assert (await guess(client, f"a{n}@example.com")).status_code == 422
            assert (await guess(second, f"b{n}@example.com")).status_code == 422
        assert (await guess(second, "c@example.com")).status_code == 429
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter("parvis:limits:login:*")]
    finally:
        await redis.aclose()
    assert len(keys) == 1


async def test_concurrent_guesses_queue_on_the_account_and_are_held_to_the_backoff(
    proxied_app: Litestar, world: World, checked: list[str]
) -> None:
    """Guesses sent all at once, each from its own address, cannot slip past each other."""
    await world.member("acme", "ann@example.com")
    balancer = client_from(proxied_app, PROXY)
    await balancer.ensure_csrf()

    async def one(n: int) -> int:
        forwarded = {"x-forwarded-for": f"198.51.100.{n + 1}"}
        return int(
            (await guess(balancer, "ann@example.com", f"guess {n}", **forwarded)).status_code
        )

    answers = Counter(await asyncio.gather(*(one(n) for n in range(CONCURRENT))))
    print(
        f"\n[{CONCURRENT} concurrent guesses, one account] checked {len(checked)}: {dict(answers)}"
    )
    assert len(checked) <= backoff.FREE_FAILURES
    assert answers == {422: len(checked), 429: CONCURRENT - len(checked)}
