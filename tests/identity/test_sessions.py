"""Sessions that end: logout, bans, suspensions and role changes sign a browser out at once,
a visitor without a session gets none, and Redis going away signs nobody out."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select, update

from community.app import create_app
from community.config import Settings
from community.db import utcnow
from community.forums.models import Post
from community.identity.models import Member, MemberSession, Role
from community.identity.sessions import LIFETIME, describe_user_agent
from community.web.session_cookie import SESSION_COOKIE
from tests.conftest import REDIS_URL, Client, World

pytestmark = pytest.mark.anyio

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def signed_in_as(page: httpx.Response) -> str | None:
    """The name the header shows, or None for a guest."""
    marker = 'data-testid="viewer-name">'
    if marker not in page.text:
        return None
    return page.text.split(marker, 1)[1].split("<", 1)[0]


def with_cookie(client_for: Any, cookie: str, host: str = "acme.test") -> Client:
    """Another browser holding this session cookie (as a thief or an old tab would)."""
    made: Client = client_for(host)
    made.cookies.set(SESSION_COOKIE, cookie, domain=host)
    return made


async def session_rows(world: World, member_id: int | None = None) -> list[MemberSession]:
    async with world.unit() as session:
        query = select(MemberSession).order_by(MemberSession.id)
        if member_id is not None:
            query = query.where(MemberSession.member_id == member_id)
        return list(await session.scalars(query))


async def opening_post_of_someone_else(world: World) -> Post:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    async with world.unit() as session:
        post = await session.scalar(select(Post).where(Post.thread_id == thread.id))
        assert post is not None
        return post


async def refused_as_a_guest(browser: Client, post: Post) -> None:
    """Voting with the page's form sends a guest to log in; flagging through the API is a 401."""
    voted = await browser.submit(f"/p/{post.id}/vote", {"value": "1"})
    assert voted.status_code == 303 and voted.headers["location"].startswith("/login?next=")
    flagged = await browser.api_post(f"/api/v1/posts/{post.id}/flags", {"reason": "spam"})
    assert flagged.status_code == 401, flagged.text


# ---- logout ------------------------------------------------------------------------------


async def test_the_old_cookie_is_anonymous_after_logout(
    client: Client, client_for: Any, world: World
) -> None:
    await world.member("acme", "bob@example.com")
    post = await opening_post_of_someone_else(world)
    await client.login("bob@example.com")
    cookie = client.cookies[SESSION_COOKIE]
    old_tab = with_cookie(client_for, cookie)
    assert signed_in_as(await old_tab.get("/")) == "Bob"

    out = await client.submit("/logout", {})
    assert out.status_code == 303
    assert f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
    assert "Max-Age=0" in out.headers["set-cookie"]
    assert signed_in_as(await client.get("/")) is None
    assert signed_in_as(await old_tab.get("/")) is None
    await refused_as_a_guest(old_tab, post)
    assert await session_rows(world) == []


async def test_the_cookie_holds_a_random_token_whose_hash_alone_is_kept(
    client: Client, world: World
) -> None:
    bob = await world.member("acme", "bob@example.com")
    response = await client.login("bob@example.com")
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie and "Path=/" in set_cookie
    assert f"Max-Age={int(LIFETIME.total_seconds())}" in set_cookie
    assert "Secure" not in set_cookie  # PARVIS_SECURE_COOKIES is off here
    token = client.cookies[SESSION_COOKIE]
    [row] = await session_rows(world)
    assert row.member_id == bob.id
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert timedelta(days=13) < row.expires_at - utcnow() <= LIFETIME


async def test_the_cookie_is_secure_when_secure_cookies_are_on(
    settings: Settings, world: World
) -> None:
    await world.member("acme", "bob@example.com")
    async with (
        served(replace(settings, secure_cookies=True)) as app,
        browser(app, "https://acme.test") as https,
    ):
        response = await https.login("bob@example.com")
        assert "Secure" in response.headers["set-cookie"]
        assert signed_in_as(await https.get("/")) == "Bob"


async def test_logging_in_again_in_the_same_browser_ends_the_first_session(
    client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    await client.login("ann@example.com")
    first = client.cookies[SESSION_COOKIE]
    await client.login("bob@example.com")
    assert client.cookies[SESSION_COOKIE] != first
    assert await session_rows(world, ann.id) == []
    assert len(await session_rows(world, bob.id)) == 1


# ---- what the moderators decide ends sessions --------------------------------------------


@pytest.mark.parametrize(
    ("decision", "form"),
    [
        ("suspension", {"days": "7", "reason": "Cool down"}),
        ("ban", {"days": "permanent", "reason": "Fraud"}),
        ("role change", {"role": "expert"}),
    ],
)
async def test_a_decision_on_a_member_signs_out_every_browser_of_theirs(
    client_for: Any, world: World, decision: str, form: dict[str, str]
) -> None:
    post = await opening_post_of_someone_else(world)
    bob = await world.member("acme", "bob@example.com")
    phone, laptop = client_for(), client_for()
    await phone.login("bob@example.com")
    await laptop.login("bob@example.com")
    admin = await world.member("acme", "root@example.com", Role.ADMIN)
    staff = client_for()
    await staff.login("root@example.com")

    url = f"/admin/members/{bob.id}/role" if decision == "role change" else f"/mod/members/{bob.id}/ban"  # fmt: skip
    assert (await staff.submit(url, form)).status_code == 303

    for browser_of_bob in (phone, laptop):
        assert signed_in_as(await browser_of_bob.get("/")) is None
        await refused_as_a_guest(browser_of_bob, post)
    assert await session_rows(world, bob.id) == []
    assert len(await session_rows(world, admin.id)) == 1  # whoever decided stays signed in


async def test_after_a_role_change_the_member_signs_in_again_with_the_new_role(
    client_for: Any, world: World
) -> None:
    bob = await world.member("acme", "bob@example.com")
    await world.member("acme", "root@example.com", Role.ADMIN)
    staff: Client = client_for()
    await staff.login("root@example.com")
    await staff.submit(f"/admin/members/{bob.id}/role", {"role": "moderator"})
    again: Client = client_for()
    await again.login("bob@example.com")
    assert (await again.get("/mod/queue")).status_code == 200


# ---- no session for who has none ---------------------------------------------------------


async def count_redis_keys() -> int:
    if not REDIS_URL:
        return 0
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        return int(await redis.dbsize())
    finally:
        await redis.aclose()


async def test_cookieless_requests_store_nothing_and_set_no_session_cookie(
    client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, replies=2)
    keys_before = await count_redis_keys()
    pages = ["/", f"/t/{thread.id}/{thread.slug}", "/ideas", "/leaderboard", "/login",
             "/register", f"/u/{ann.id}", "/no-such-page", "/account/sessions"]  # fmt: skip
    for _ in range(5):
        for path in pages:
            response = await client.get(path)
            assert response.status_code in {200, 303, 404}, (path, response.status_code)
            assert SESSION_COOKIE not in response.headers.get("set-cookie", ""), path
            client.cookies.clear()  # every request is a new visitor's
    assert await session_rows(world) == []
    assert await count_redis_keys() == keys_before
    print(f"\n{5 * len(pages)} cookieless requests: 0 session rows, "
          f"{await count_redis_keys() - keys_before} new Redis keys")  # fmt: skip


async def test_a_cookie_that_is_not_a_session_is_a_guest_and_stays_one(
    client_for: Any, world: World
) -> None:
    await world.member("acme", "bob@example.com")
    for junk in ("", "x" * 43, "not a token", "A" * 4000, "%00" + "a" * 40):
        browser_ = with_cookie(client_for, junk)
        page = await browser_.get("/")
        assert page.status_code == 200 and signed_in_as(page) is None
    assert await session_rows(world) == []


async def test_with_redis_sessions_live_in_the_database_not_in_redis(
    client: Client, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    assert len(await session_rows(world)) == 1
    if REDIS_URL:
        from redis.asyncio import Redis

        redis = Redis.from_url(REDIS_URL)
        try:
            keys = [key.decode() async for key in redis.scan_iter("*session*")]
        finally:
            await redis.aclose()
        assert keys == []


# ---- tenants -----------------------------------------------------------------------------


async def test_a_session_opened_on_one_tenant_is_anonymous_on_another(
    client: Client, client_for: Any, world: World
) -> None:
    await world.member("acme", "bob@example.com")
    await world.member("globex", "bob@example.com")  # the same person, a member there too
    await client.login("bob@example.com")
    elsewhere = with_cookie(client_for, client.cookies[SESSION_COOKIE], host="globex.test")
    assert signed_in_as(await elsewhere.get("/")) is None
    refused = await elsewhere.api_post("/api/v1/threads", {"category": "general",
                                                         "title": "Hello", "body": "Hi"})  # fmt: skip
    assert refused.status_code == 401
    assert (await elsewhere.get("/account/sessions")).status_code == 303
    assert signed_in_as(await client.get("/")) == "Bob"  # still signed in where it was opened


# ---- the member's list of sessions -------------------------------------------------------


async def test_the_sessions_page_lists_each_browser_and_ends_one_or_all_others(
    client_for: Any, world: World
) -> None:
    bob = await world.member("acme", "bob@example.com")
    laptop: Client = client_for()
    laptop.headers["user-agent"] = FIREFOX
    phone: Client = client_for()
    phone.headers["user-agent"] = SAFARI
    await laptop.login("bob@example.com")
    await phone.login("bob@example.com")

    page = await laptop.get("/account/sessions")
    assert page.status_code == 200
    rows = page.text.split('data-testid="session"')[1:]
    assert len(rows) == 2
    [here] = [row for row in rows if 'data-testid="this-device"' in row]
    [there] = [row for row in rows if 'data-testid="this-device"' not in row]
    assert "Firefox · Windows" in here and "Active now" in here
    assert "Safari · iOS" in there and "127.0.0.1" in there and "Last active" in there
    assert 'data-testid="account-link"' in page.text  # the header links to the account page…
    assert 'href="/account/sessions"' in (await laptop.get("/account")).text  # …which links here

    phone_session = (await session_rows(world, bob.id))[-1]
    ended = await laptop.submit(f"/account/sessions/{phone_session.id}/end", {})
    assert ended.status_code == 303
    assert "1 session was signed out." in (await laptop.get(ended.headers["location"])).text
    assert signed_in_as(await phone.get("/")) is None
    assert signed_in_as(await laptop.get("/")) == "Bob"

    tablet: Client = client_for()
    tablet.headers["user-agent"] = CHROME
    await tablet.login("bob@example.com")
    await phone.login("bob@example.com")
    everywhere = await laptop.submit("/account/sessions/end-others", {})
    assert everywhere.headers["location"] == "/account/sessions?ended=2"
    assert signed_in_as(await tablet.get("/")) is None
    assert signed_in_as(await phone.get("/")) is None
    assert signed_in_as(await laptop.get("/")) == "Bob"
    after = await laptop.get(everywhere.headers["location"])
    assert after.text.count('data-testid="session"') == 1
    assert "2 sessions were signed out." in after.text
    assert 'data-testid="end-others"' not in after.text  # nothing else to sign out of


async def test_nobody_ends_another_members_session(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    anns: Client = client_for()
    await anns.login("ann@example.com")
    bobs: Client = client_for()
    await bobs.login("bob@example.com")
    [ann_session] = await session_rows(world, ann.id)
    tried = await bobs.submit(f"/account/sessions/{ann_session.id}/end", {})
    assert tried.status_code == 404 and "No such session" in tried.text
    assert signed_in_as(await anns.get("/")) == "Ann"
    assert "Ann" not in (await bobs.get("/account/sessions")).text.split("<main", 1)[1]


async def test_guests_are_sent_to_log_in_for_the_sessions_page(client: Client) -> None:
    response = await client.get("/account/sessions")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account/sessions"


async def test_the_sessions_page_speaks_the_communitys_language(
    client_for: Any, world: World
) -> None:
    await world.member("globex", "bob@example.com")
    browser_: Client = client_for("globex.test")
    browser_.headers["user-agent"] = FIREFOX
    await browser_.login("bob@example.com")
    page = await browser_.get("/account/sessions")
    assert "Où vous êtes connecté" in page.text and "Firefox · Windows" in page.text


# ---- expiry ------------------------------------------------------------------------------


async def age_sessions(world: World, *, seen: timedelta, expires_in: timedelta) -> None:
    async with world.unit() as session:
        now = utcnow()
        await session.execute(
            update(MemberSession).values(last_seen_at=now - seen, expires_at=now + expires_in)
        )


async def test_a_session_in_use_slides_at_most_once_a_minute(client: Client, world: World) -> None:
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    await age_sessions(world, seen=timedelta(seconds=10), expires_in=timedelta(days=1))
    quiet = await client.get("/")
    assert SESSION_COOKIE not in quiet.headers.get("set-cookie", "")
    [row] = await session_rows(world)
    assert row.expires_at - utcnow() < timedelta(days=2)  # seen 10 s ago: not written again

    await age_sessions(world, seen=timedelta(minutes=2), expires_in=timedelta(days=1))
    touched = await client.get("/")
    assert signed_in_as(touched) == "Bob"
    assert f"Max-Age={int(LIFETIME.total_seconds())}" in touched.headers["set-cookie"]
    [row] = await session_rows(world)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    assert row.expires_at - utcnow() > LIFETIME - timedelta(minutes=1)

    await age_sessions(world, seen=timedelta(minutes=2), expires_in=timedelta(days=1))
    assert (await client.submit("/logout", {})).status_code == 303  # touched, then ended
    assert await session_rows(world) == []


async def test_an_expired_session_is_anonymous_and_swept_at_the_next_sign_in(
    client_for: Any, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    await world.member("globex", "gus@example.com")
    old: Client = client_for()
    await old.login("ann@example.com")
    elsewhere: Client = client_for("globex.test")
    await elsewhere.login("gus@example.com")
    await age_sessions(world, seen=timedelta(days=15), expires_in=-timedelta(days=1))
    assert signed_in_as(await old.get("/")) is None
    assert len(await session_rows(world)) == 2  # still there, but worth nothing

    await client_for().login("bob@example.com")
    rows = await session_rows(world)
    assert len(rows) == 2  # acme's expired row went; globex's waits for a sign-in there
    async with world.unit() as session:
        tenants = await session.scalars(select(MemberSession.tenant_id).order_by(MemberSession.id))
        assert list(tenants) == [world.tenants["globex"], world.tenants["acme"]]


# ---- Redis is an accelerator, never where a session lives --------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that the test stops and starts."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(500):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.01)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[Litestar]:
    app = create_app(settings)
    async with app.lifespan():
        yield app


@asynccontextmanager
async def browser(app: Litestar, base_url: str = "http://acme.test") -> AsyncIterator[Client]:
    async with Client(
        transport=httpx.ASGITransport(app=app), base_url=base_url, follow_redirects=False
    ) as made:
        yield made


async def test_redis_down_or_restarted_signs_nobody_out(settings: Settings, world: World) -> None:
    await world.member("acme", "bob@example.com")
    with private_redis() as redis:
        async with served(replace(settings, redis_url=redis.url)) as app, browser(app) as bob:
            await bob.login("bob@example.com")
            old_tab_cookie = bob.cookies[SESSION_COOKIE]

            redis.stop()  # Redis goes away
            for _ in range(3):
                page = await bob.get("/")
                assert page.status_code == 200 and signed_in_as(page) == "Bob"
            assert (await bob.get("/account/sessions")).status_code == 200

            redis.start()  # it comes back empty
            assert signed_in_as(await bob.get("/")) == "Bob"

            redis.stop()  # and goes away again: logging out still works
            out = await bob.submit("/logout", {})
            assert out.status_code == 303
            async with browser(app) as old_tab:
                old_tab.cookies.set(SESSION_COOKIE, old_tab_cookie, domain="acme.test")
                assert signed_in_as(await old_tab.get("/")) is None
            redis.start()  # so that the app's shutdown closes its connections cleanly
    assert await session_rows(world) == []


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FIREFOX, ("Firefox", "Windows")),
        (SAFARI, ("Safari", "iOS")),
        (CHROME, ("Chrome", "Linux")),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Mobile Safari/537.36", ("Chrome", "Android")),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", ("Edge", "Windows")),
        ("curl/8.5.0", ("", "")),
        ("", ("", "")),
    ],
)  # fmt: skip
def test_user_agents_are_named_as_people_know_them(
    user_agent: str, expected: tuple[str, str]
) -> None:
    assert describe_user_agent(user_agent) == expected


async def test_members_of_the_tenant_are_unaffected_by_another_members_sign_out(
    client_for: Any, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    anns: Client = client_for()
    await anns.login("ann@example.com")
    bobs: Client = client_for()
    await bobs.login("bob@example.com")
    await bobs.submit("/logout", {})
    assert signed_in_as(await anns.get("/")) == "Ann"
    async with world.unit() as session:
        members = await session.scalars(
            select(Member.email).join(MemberSession, MemberSession.member_id == Member.id)
        )
        assert list(members) == ["ann@example.com"]
