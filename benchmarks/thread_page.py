"""Thread page vs static ceiling: requests/s of a 51-post thread, relative to a static file.

Builds a throwaway PostgreSQL database, seeds one realistic thread through the services,
serves it with the production server (`parvis serve`, several workers) and loads both the
anonymous thread page and a static file of the same size with wrk. The static file, served
by the same server, is the framework's ceiling on this machine.

    .venv/bin/python benchmarks/thread_page.py [--duration 15] [--connections 32]

PARVIS_BENCH_DATABASE_URL: the PostgreSQL server to use
(default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from throwaway_database import bench_database

from community.app import create_app
from community.config import PROJECT_ROOT, Settings
from community.db import create_engine, session_factory, session_scope
from community.forums import services as forums
from community.identity.models import Member, Role
from community.identity.services import create_member
from community.jobs import InProcessQueue
from community.scope import Scope
from community.tasks import TASKS
from community.tenancy.services import create_tenant
from community.wiring import register_all

HOST = "bench.localhost"
PAGE_SIZE = 60
REPLIES = 50
WORKERS = 2
WARMUP_SECONDS = 3
HEALTH_TIMEOUT = 30.0
SECRET_KEY = "bench-secret-key-" + "x" * 32
WRK = "/usr/bin/wrk"


@dataclass(frozen=True)
class Result:
    name: str
    size: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


# ---- database -----------------------------------------------------------------------------


# ---- seed data ----------------------------------------------------------------------------

MEMBERS = ["Alice Martin", "Bruno Keller", "Chloé Durand", "Dev Patel", "Erin O'Brien"]

QUESTION = """\
Since the last firmware update my **router drops the Wi-Fi every evening** around 8 pm.
The wired connection keeps working, only the wireless clients lose the network.

What I tried so far:

- rebooting the router (works for about an hour)
- switching the 5 GHz band to channel 36
- disabling *band steering* in the advanced settings

The system log shows this line over and over:

```
wlan0: deauthenticating 3c:22:fb:10:aa:01 by local choice (reason=3)
```

Has anyone seen this? The [release notes](https://example.com/firmware/notes) say nothing
about Wi-Fi changes.
"""

OPENINGS = [
    "I had exactly the same problem after the update, so you are not alone.",
    "This looks like the power-saving mode that the new firmware turns on by default.",
    "Before changing anything else, check which channel your neighbours are using.",
    "Thanks for the detailed log, it makes this much easier to diagnose.",
    "Same here on the older model: the drops started the day the update was installed.",
]

MIDDLES = [
    """\
Open the advanced wireless page and look for these settings:

1. **Airtime fairness**: turn it off
2. **Smart connect**: turn it off and give each band its own name
3. **DTIM interval**: set it back to 1
""",
    """\
You can watch the drops happen live from a computer on the wired network:

```sh
ssh admin@192.168.1.1
logread -f | grep -i deauth
```

If the reason code is always 3, the router itself decides to kick the clients.
""",
    """\
A channel scan helped me a lot. On Linux, `nmcli dev wifi list` shows every network
around you with its channel and signal; pick the least crowded one and *fix* it instead
of leaving the router on automatic selection.
""",
    """\
The support page has a [known issues list](https://example.com/support/known-issues) and
this problem is item 14. The workaround they give:

- disable the scheduled *wireless optimisation* at 20:00
- keep automatic updates on so you get the fix
""",
]

CLOSINGS = [
    "Let us know if that helps; I am curious whether it is the same cause.",
    "After that my connection has been stable for two weeks now.",
    "If none of this works, the support line can roll the firmware back remotely.",
    "Good luck, and please post the log again if the drops continue.",
]


def reply_body(n: int) -> str:
    """The n-th reply (from 1): a few paragraphs with lists, code or links in turn."""
    return "\n\n".join(
        [
            OPENINGS[n % len(OPENINGS)],
            MIDDLES[n % len(MIDDLES)],
            CLOSINGS[n % len(CLOSINGS)],
            f"Update {n}: tested on my own setup with firmware build {4000 + n}.",
        ]
    )


def last_reply_marker() -> str:
    return f"Update {REPLIES}: tested on my own setup with firmware build {4000 + REPLIES}."


async def _seed_members(session: AsyncSession, tenant_id: int) -> list[Member]:
    scope = await Scope.load(session, tenant_id)
    return [
        await create_member(
            scope,
            email=f"{name.split()[0].lower()}@bench.test",
            display_name=name,
            password="bench password 123",
            role=Role.EXPERT if index == 1 else Role.MEMBER,
        )
        for index, name in enumerate(MEMBERS)
    ]


TRUSTED = {"premoderate_first_posts": 0, "new_member_posts": 0, "posts_per_minute": 10_000}


async def seed(database_url: str) -> int:
    """One tenant, a few members and a thread of REPLIES replies; returns the thread id."""
    register_all()  # posts are screened and scored as the app would
    engine = create_engine(database_url)
    jobs = InProcessQueue(session_factory(engine), TASKS)
    try:
        async with session_scope(session_factory(engine), jobs) as session:
            tenant = await create_tenant(
                session, slug="bench", name="Bench Community", domains=[HOST]
            )
            # Seeded history is trusted: no pre-moderation of first posts, links or rate.
            tenant.preferences = {"moderation": TRUSTED}
            scope = await Scope.load(session, tenant.id)
            await forums.create_category(scope, slug="help", name="Help")
            members = await _seed_members(session, tenant.id)
            thread = await forums.create_thread(
                scope.acting_as(members[0]),
                category_slug="help",
                title="Wi-Fi drops every evening since the last firmware update",
                body=QUESTION,
            )
            for n in range(1, REPLIES + 1):
                author = members[n % len(members)]
                await forums.reply(scope.acting_as(author), thread.id, reply_body(n))
        await jobs.drain()
        return thread.id
    finally:
        await engine.dispose()


# ---- the page and the ceiling -------------------------------------------------------------


def bench_settings(database_url: str, work_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        data_dir=work_dir / "data",
        static_dir=work_dir / "static",
        page_size=PAGE_SIZE,
    )


async def capture_thread_page(settings: Settings, thread_id: int) -> tuple[str, bytes]:
    """The anonymous thread page, rendered in-process: its canonical path and its bytes."""
    app = create_app(settings)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url=f"http://{HOST}", follow_redirects=True
        ) as client:
            response = await client.get(f"/t/{thread_id}")
    response.raise_for_status()
    if last_reply_marker() not in response.text:
        raise SystemExit("the thread page does not show the last reply")
    return response.url.path, response.content


def write_ceiling(static_dir: Path, page: bytes) -> str:
    """The repository's static tree plus a copy of the thread page; returns the copy's path."""
    shutil.copytree(PROJECT_ROOT / "static", static_dir)
    (static_dir / "ceiling.html").write_bytes(page)
    return "/static/ceiling.html"


# ---- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(settings: Settings) -> dict[str, str]:
    return os.environ | {
        "PARVIS_DATABASE_URL": settings.database_url,
        "PARVIS_SECRET_KEY": settings.secret_key,
        "PARVIS_PAGE_SIZE": str(settings.page_size),
        "PARVIS_DATA_DIR": str(settings.data_dir),
        "PARVIS_STATIC_DIR": str(settings.static_dir),
        "PARVIS_REDIS_URL": "",
    }


def wait_until_healthy(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /health within {HEALTH_TIMEOUT:.0f} s")


@contextmanager
def running_server(settings: Settings, log_path: Path) -> Iterator[str]:
    """`parvis serve` in its own process group; yields its base URL."""
    port = free_port()
    parvis = Path(sys.executable).parent / "parvis"
    arguments = [str(parvis), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*arguments, "--workers", str(WORKERS)],
            env=server_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_healthy(base_url, server)
            yield base_url
        finally:
            stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def check_served_page(url: str, size: int) -> None:
    """The production server answers the thread page like the in-process capture."""
    response = httpx.get(url, headers={"Host": HOST}, timeout=10.0)
    if response.status_code != 200 or last_reply_marker() not in response.text:
        raise SystemExit(f"the server answered {response.status_code} for {url}")
    if len(response.content) != size:
        print(f"note: served page is {len(response.content)} bytes, captured {size}")


def server_problems(log_path: Path) -> list[str]:
    lines = log_path.read_text(errors="replace").splitlines()
    return [line for line in lines if re.search(r"Traceback|ERROR|Exception", line)]


# ---- wrk ----------------------------------------------------------------------------------

TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", value).groups()  # type: ignore[union-attr]
    return float(number) * TIME_UNITS_MS[unit]


def wrk(url: str, seconds: int, connections: int) -> str:
    threads = min(2, connections)
    arguments = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    completed = subprocess.run(
        [*arguments, "-H", f"Host: {HOST}", url], capture_output=True, text=True, check=True
    )
    return completed.stdout


def parse_wrk(name: str, size: int, output: str) -> Result:
    def number(pattern: str) -> str:
        found = re.search(pattern, output)
        return found.group(1) if found else "0"

    socket_errors = re.search(r"Socket errors: (.*)", output)
    return Result(
        name=name,
        size=size,
        requests_per_second=float(number(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=to_ms(number(r"\s50%\s+([\d.]+[a-z]+)")),
        p99_ms=to_ms(number(r"\s99%\s+([\d.]+[a-z]+)")),
        non_2xx=int(number(r"Non-2xx or 3xx responses: (\d+)")),
        socket_errors=sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
        if socket_errors
        else 0,
    )


def load(name: str, url: str, size: int, args: argparse.Namespace) -> Result:
    wrk(url, WARMUP_SECONDS, args.connections)
    return parse_wrk(name, size, wrk(url, args.duration, args.connections))


# ---- report -------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    print(f"{'':<14}{'bytes':>9}{'req/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for r in results:
        errors = r.non_2xx + r.socket_errors
        print(
            f"{r.name:<14}{r.size:>9}{r.requests_per_second:>11.1f}"
            f"{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{errors:>8}"
        )
    thread, ceiling = results
    print(f"thread/ceiling ratio: {thread.requests_per_second / ceiling.requests_per_second:.2f}")


def positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=positive_int, default=15, help="seconds per measured run"
    )
    parser.add_argument(
        "--connections", type=positive_int, default=32, help="concurrent connections"
    )
    return parser.parse_args()


def run(args: argparse.Namespace, work_dir: Path) -> list[str]:
    """Seed, capture, serve, load; returns the server log's problem lines."""
    with bench_database() as database_url:
        thread_id = asyncio.run(seed(database_url))
        settings = bench_settings(database_url, work_dir)
        thread_path, page = asyncio.run(capture_thread_page(settings, thread_id))
        ceiling_path = write_ceiling(settings.static_dir, page)
        log_path = work_dir / "server.log"
        with running_server(settings, log_path) as base_url:
            check_served_page(base_url + thread_path, len(page))
            results = [
                load("thread page", base_url + thread_path, len(page), args),
                load("static ceiling", base_url + ceiling_path, len(page), args),
            ]
        print_table(results)
        if results[0].non_2xx:
            raise SystemExit(f"the thread page answered {results[0].non_2xx} non-2xx responses")
        return server_problems(log_path)


def main() -> None:
    args = parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not Path(WRK).exists():
        print("install wrk: apt-get install -y wrk", file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory(prefix="parvis-bench-") as work_dir:
        problems = run(args, Path(work_dir))
    for line in problems[:20]:
        print(f"server log: {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
