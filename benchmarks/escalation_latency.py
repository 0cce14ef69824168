"""Escalation latency: from a rule firing to the contact centre receiving the case.

For each way of running jobs, in a throwaway PostgreSQL database (throwaway_database.py):
seed one tenant with questions, point its webhook target at the contact-centre stand-in
(`parvis contact-centre`, in its own process on 127.0.0.1), and escalate the questions
with the manual rule (`escalate_by_hand`), each escalation in its own unit of work:

- warm-up: WARMUP escalations, not measured (workers, pools and the stand-in get going);
- trickle: --trickle escalations one at a time, --trickle-interval s apart on average
  (random gaps): a quiet system, where latency is the job queue's pick-up time plus one
  delivery;
- burst: --escalations escalations from --writers concurrent writers, as fast as they go,
  as when an outage makes moderators escalate everything: queueing dominates.

    .venv/bin/python benchmarks/escalation_latency.py [--escalations 1000] [--writers 20]
    make bench-escalation

The ways of running jobs compared:

- in-process: no Redis; the producing process (the web process) delivers, 4 jobs at a
  time (`community.jobs.InProcessQueue`);
- arq, `parvis worker`: --workers worker processes (2) as shipped, on Redis; arq's
  defaults apply: a worker polls the queue every 0.5 s and runs at most 10 jobs at once;
- arq, tuned: the same workers built by `workers.main.create_worker` with arq's poll
  delay set to --tuned-poll-delay (0.05 s; 0 skips this run) and max_jobs to
  --tuned-max-jobs (10).

What the figures mean. Latency is, per escalation, the stand-in's own receive time of the
case (`Case.received_at`, from its /_cases) minus the escalation's `created_at` (stamped
when the rule fired, a few milliseconds before its transaction commits and its job is
enqueued); both clocks are this machine's. p50/p95/p99/max are over the phase's
escalations. cases/s: the phase's escalations over the time from its first escalation
created to its last case received (for the trickle, the producer's pace). fired/s: how
fast the writers committed escalations. retried: escalations that needed more than one
delivery attempt (their failures are printed). SYN drops: connections the kernel dropped
on a full listen queue meanwhile (all sockets of the machine; a client retries a dropped
SYN after 1 s, so any drop shows as latency). Every run checks that each escalation
opened exactly one case and ended acknowledged.

An arq worker only sees new jobs when it polls, and takes at most max_jobs at a time: a
lone job waits on average a fraction of the poll delay before a worker sees it, and a
burst drains at no more than workers x max_jobs / poll_delay jobs a second (40/s as
shipped); below that, the CPU of the machine is the limit.

Cases link to bench://bench.invalid: no web app runs here to take the stand-in's
acknowledgement callbacks, and it skips them for a URL that is not http(s).

PARVIS_BENCH_DATABASE_URL: the PostgreSQL server (see throwaway_database.py).
PARVIS_BENCH_REDIS_URL: the Redis database for the arq runs (default
redis://127.0.0.1:6379/11); the benchmark deletes arq's keys and the Parvis queue there,
before and after each run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from throwaway_database import bench_database

from community.config import DeliveryOptions, Settings
from community.db import create_engine, session_factory, session_scope
from community.escalation import services
from community.escalation.adapters.registry import new_signing_secret
from community.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationState,
    EscalationTarget,
    TargetKind,
)
from community.forums import services as forums
from community.identity.models import Member, Role
from community.identity.services import create_member
from community.jobs import QUEUE_NAME, ArqQueue, InProcessQueue, JobQueue
from community.net.outbound import AllowedHosts, Outbound
from community.scope import Scope
from community.tasks import TASKS
from community.tenancy.services import create_tenant
from community.wiring import register_all

REDIS_URL = os.environ.get("PARVIS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
HEALTH_KEY = QUEUE_NAME + ":health-check"  # arq writes it on a worker's first poll
DOMAIN = "bench.invalid"
# Links in the cases, and the stand-in's callbacks, use this: not http, so the stand-in
# skips its acknowledgement callbacks (no web app runs here to take them).
BASE_URL_FORMAT = "bench://{domain}"
DELIVERY = DeliveryOptions(base_url_format=BASE_URL_FORMAT)
STANDIN_HOST = "127.0.0.1"  # the stand-in's address, allowed as an on-premise host would be
OUTBOUND = Outbound(AllowedHosts.parse([STANDIN_HOST]))
SECRET_KEY = "bench-secret-key-" + "x" * 32
TRUSTED = {"premoderate_first_posts": 0, "new_member_posts": 0, "posts_per_minute": 10_000}
ASKERS = 20
WARMUP = 40
THREADS_PER_COMMIT = 100
START_TIMEOUT = 60.0  # seconds a worker or the stand-in may take to start
PARVIS = str(Path(sys.executable).parent / "parvis")
NOTE = "The customer's line is down since this morning; please call them back."


@dataclass(frozen=True)
class Variant:
    name: str
    workers: int  # 0: the producing process delivers (in-process queue)
    poll_delay: float | None = None  # None: `parvis worker` as shipped
    max_jobs: int = 10


@dataclass(frozen=True)
class StandIn:
    """`parvis contact-centre`, in its own process (as the real one would be)."""

    url: str
    secret: str
    callback_secret: str

    async def cases_opened(self, http: httpx.AsyncClient) -> int:
        attempts = (await http.get(f"{self.url}/_attempts")).raise_for_status().json()
        return sum(attempt["outcome"] == "created" for attempt in attempts)

    async def received_at(self, http: httpx.AsyncClient) -> dict[str, list[datetime]]:
        """When each case was received (its own clock), by escalation idempotency key."""
        cases = (await http.get(f"{self.url}/_cases", timeout=60)).raise_for_status().json()
        received: dict[str, list[datetime]] = {}
        for case in cases:
            key = case["payload"]["idempotency_key"]
            received.setdefault(key, []).append(datetime.fromisoformat(case["received_at"]))
        return received


@dataclass(frozen=True)
class Seeded:
    tenant_id: int
    moderator_id: int
    thread_ids: list[int]


@dataclass(frozen=True)
class Result:
    name: str
    phase: str
    latencies_ms: list[float]
    cases_per_second: float
    fired_per_second: float
    retried: int  # escalations that needed more than one attempt
    overflows: int  # connections the kernel dropped on a full listen queue during the run

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


# ---- seed data ------------------------------------------------------------------------------


async def seed(database_url: str, centre: StandIn, threads: int) -> Seeded:
    """A tenant with a moderator, ASKERS askers, `threads` questions and the stand-in target."""
    register_all()  # posts are screened and checked for escalation as the app would
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    jobs = InProcessQueue(sessions, TASKS, DELIVERY)
    try:
        async with session_scope(sessions, jobs) as session:
            tenant = await create_tenant(
                session, slug="bench", name="Bench Community", domains=[DOMAIN]
            )
            tenant.preferences = {"moderation": TRUSTED}
            await forums.create_category(
                await Scope.load(session, tenant.id), slug="help", name="Help"
            )
            moderator = await _member(session, tenant.id, "moderator", Role.MODERATOR)
            askers = [await _member(session, tenant.id, f"asker{n}") for n in range(ASKERS)]
        thread_ids: list[int] = []
        while len(thread_ids) < threads:
            async with session_scope(sessions, jobs) as session:
                for n in range(len(thread_ids), min(threads, len(thread_ids) + THREADS_PER_COMMIT)):
                    asker = await session.get(Member, askers[n % ASKERS].id)
                    assert asker is not None
                    thread = await forums.create_thread(
                        await Scope.load(session, tenant.id, asker.id),
                        category_slug="help",
                        title=f"Order A{n:06d}: the tracking page shows no update",
                        body=f"I placed order A{n:06d} on Monday and the tracking page "
                        "still shows the label as created. Is there a delay at the depot?",
                    )
                    thread_ids.append(thread.id)
        await jobs.drain()
        async with session_scope(sessions) as session:
            session.add(
                EscalationTarget(
                    tenant_id=tenant.id,
                    name="Stand-in",
                    kind=TargetKind.WEBHOOK,
                    settings={"url": f"{centre.url}/webhook"},
                    credentials={"signing_secret": centre.secret},
                    callback_secret=centre.callback_secret,
                )
            )
            opened = await session.scalar(select(func.count()).select_from(Escalation))
        if opened:
            raise SystemExit(f"seeding escalated {opened} threads by itself: change the text")
        return Seeded(tenant.id, moderator.id, thread_ids)
    finally:
        await jobs.close()
        await engine.dispose()


async def _member(
    session: AsyncSession, tenant_id: int, name: str, role: Role = Role.MEMBER
) -> Member:
    return await create_member(
        await Scope.load(session, tenant_id),
        email=f"{name}@bench.test",
        display_name=name.title(),
        password="bench password 123",
        role=role,
    )


# ---- processes: the stand-in and the workers ------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def contact_centre(work_dir: Path) -> Iterator[StandIn]:
    port = free_port()
    centre = StandIn(f"http://127.0.0.1:{port}", new_signing_secret(), new_signing_secret())
    arguments = ["contact-centre", "--port", str(port), "--secret", centre.secret]
    arguments += ["--callback-secret", centre.callback_secret]
    with (work_dir / "contact-centre.log").open("ab") as log:
        process = subprocess.Popen(
            [PARVIS, *arguments], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                httpx.get(f"{centre.url}/_attempts", timeout=1.0).raise_for_status()
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the stand-in did not start: see {log.name}") from None
                time.sleep(0.1)
        yield centre
    finally:
        stop_processes([process])


def worker_env(database_url: str, work_dir: Path) -> dict[str, str]:
    return os.environ | {
        "PARVIS_DATABASE_URL": database_url,
        "PARVIS_REDIS_URL": REDIS_URL,
        "PARVIS_SECRET_KEY": SECRET_KEY,
        "PARVIS_DATA_DIR": str(work_dir / "data"),
        "PARVIS_BASE_URL_FORMAT": BASE_URL_FORMAT,
        "PARVIS_OUTBOUND_ALLOWED_HOSTS": STANDIN_HOST,
    }


def worker_command(variant: Variant) -> list[str]:
    if variant.poll_delay is None:
        return [PARVIS, "worker"]
    tuning = ["--poll-delay", str(variant.poll_delay), "--max-jobs", str(variant.max_jobs)]
    return [sys.executable, __file__, "worker", *tuning]


def clear_queue() -> None:
    """Forget jobs and results left in the benchmark's Redis database by an earlier run."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [QUEUE_NAME, HEALTH_KEY, *client.scan_iter("arq:*")]
        client.delete(*keys)
    finally:
        client.close()


def start_workers(
    variant: Variant, database_url: str, work_dir: Path
) -> list[subprocess.Popen[bytes]]:
    """Start the variant's workers one after the other, each once it polls the queue."""
    client = redis.Redis.from_url(REDIS_URL)
    started: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(variant.workers):
            client.delete(HEALTH_KEY)
            with (work_dir / f"worker-{n}.log").open("ab") as log:
                started.append(
                    subprocess.Popen(
                        worker_command(variant),
                        env=worker_env(database_url, work_dir),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            deadline = time.monotonic() + START_TIMEOUT
            while not client.exists(HEALTH_KEY):
                if started[-1].poll() is not None or time.monotonic() > deadline:
                    stop_processes(started)
                    raise SystemExit(f"worker {n} did not start: see {work_dir}/worker-{n}.log")
                time.sleep(0.05)
    finally:
        client.close()
    return started


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_worker(poll_delay: float, max_jobs: int) -> None:
    """`parvis worker`, with arq's poll delay and max_jobs set (for the tuned variant)."""
    from workers.main import create_worker

    create_worker(Settings.from_env(), poll_delay=poll_delay, max_jobs=max_jobs).run()


# ---- firing and measuring -------------------------------------------------------------------


async def fire(
    sessions: async_sessionmaker[AsyncSession],
    jobs: JobQueue,
    seeded: Seeded,
    thread_ids: list[int],
    writers: int,
) -> None:
    """Escalate each thread, from `writers` concurrent writers, each in its own commit."""
    todo = iter(thread_ids)

    async def writer() -> None:
        for thread_id in todo:
            async with session_scope(sessions, jobs) as session:
                scope = await Scope.load(session, seeded.tenant_id, seeded.moderator_id)
                await services.escalate_by_hand(scope, thread_id, NOTE)

    await asyncio.gather(*(writer() for _ in range(writers)))


async def received(centre: StandIn, http: httpx.AsyncClient, cases: int, within: float) -> None:
    """Wait until the stand-in has opened `cases` cases (the timing is its own: see above)."""
    deadline = time.monotonic() + within
    while True:
        try:
            if await centre.cases_opened(http) >= cases:
                return
        except httpx.TransportError:
            pass  # busy: asking is not measuring, ask again
        if time.monotonic() > deadline:
            raise SystemExit(f"the stand-in did not receive {cases} cases in {within:.0f} s")
        await asyncio.sleep(0.5)


def listen_overflows() -> int:
    """Connections the kernel dropped because a listen queue was full (Linux; all sockets)."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split(), values.split(), strict=True))["ListenOverflows"])
    return 0


async def acknowledged(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """Wait until `count` escalations are acknowledged (recorded after the case's answer)."""
    deadline = time.monotonic() + 60
    while True:
        async with session_scope(sessions) as session:
            done = await session.scalar(
                select(func.count())
                .select_from(Escalation)
                .where(Escalation.state == EscalationState.ACKNOWLEDGED)
            )
        if done == count:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"{done} of {count} escalations acknowledged after 60 s")
        await asyncio.sleep(0.1)


async def trickle(
    sessions: async_sessionmaker[AsyncSession],
    jobs: JobQueue,
    seeded: Seeded,
    thread_ids: list[int],
    interval: float,
) -> None:
    """Escalate the threads one at a time, `interval` s apart on average: a quiet system.

    The gaps are random (a Poisson process, seeded): regular ones would fall in step with
    the workers' polls and always find them at the same point of their poll delay."""
    gaps = random.Random(1)
    due = time.perf_counter()
    for thread_id in thread_ids:
        await fire(sessions, jobs, seeded, [thread_id], 1)
        due += gaps.expovariate(1 / interval)
        await asyncio.sleep(max(0.0, due - time.perf_counter()))


async def measure(
    variant: Variant,
    database_url: str,
    centre: StandIn,
    seeded: Seeded,
    args: argparse.Namespace,
) -> list[Result]:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    jobs: ArqQueue | InProcessQueue
    if variant.workers:
        jobs = await ArqQueue.connect(REDIS_URL)
    else:
        jobs = InProcessQueue(sessions, TASKS, DELIVERY, OUTBOUND)
    http = httpx.AsyncClient(timeout=10.0)
    threads = iter(seeded.thread_ids)
    warmup = [next(threads) for _ in range(WARMUP)]
    quiet = [next(threads) for _ in range(args.trickle)]
    burst = list(threads)
    fired: dict[str, float] = {}
    overflows: dict[str, int] = {}
    try:
        await fire(sessions, jobs, seeded, warmup, args.writers)
        await received(centre, http, WARMUP, args.timeout)
        started, dropped = time.perf_counter(), listen_overflows()
        await trickle(sessions, jobs, seeded, quiet, args.trickle_interval)
        fired["trickle"] = time.perf_counter() - started
        await received(centre, http, WARMUP + len(quiet), args.timeout)
        overflows["trickle"] = listen_overflows() - dropped
        started, dropped = time.perf_counter(), listen_overflows()
        await fire(sessions, jobs, seeded, burst, args.writers)
        fired["burst"] = time.perf_counter() - started
        await received(centre, http, len(seeded.thread_ids), args.timeout)
        overflows["burst"] = listen_overflows() - dropped
        await acknowledged(sessions, len(seeded.thread_ids))
        cases = await centre.received_at(http)
        async with session_scope(sessions) as session:
            found = await session.execute(
                select(
                    Escalation.thread_id,
                    Escalation.idempotency_key,
                    Escalation.created_at,
                    Escalation.attempts,
                )
            )
            rows = {
                thread_id: (key, created, attempts) for thread_id, key, created, attempts in found
            }
            failures = await session.scalars(
                select(EscalationEvent.detail).where(EscalationEvent.kind == "attempt_failed")
            )
            for failure in failures:
                print(f"  {variant.name}: {failure}", file=sys.stderr)
    finally:
        await http.aclose()
        await jobs.close()
        await engine.dispose()
    if len(cases) != len(seeded.thread_ids) or any(len(c) != 1 for c in cases.values()):
        raise SystemExit(f"{len(cases)} cases for {len(seeded.thread_ids)} escalations")
    if len(rows) != len(seeded.thread_ids):
        raise SystemExit(f"{len(rows)} escalations for {len(seeded.thread_ids)} threads")
    phases = [("trickle", quiet), ("burst", burst)] if quiet else [("burst", burst)]
    return [
        _result(variant.name, phase, [rows[t] for t in ids], cases, fired[phase], overflows[phase])
        for phase, ids in phases
    ]


def _result(
    name: str,
    phase: str,
    rows: list[tuple[str, datetime, int]],
    cases: dict[str, list[datetime]],
    fired_seconds: float,
    overflows: int,
) -> Result:
    latencies = [(cases[key][0] - created).total_seconds() * 1000 for key, created, _ in rows]
    first_created = min(created for _, created, _ in rows)
    last_received = max(cases[key][0] for key, _, _ in rows)
    span = (last_received - first_created).total_seconds()
    retried = sum(attempts > 1 for _, _, attempts in rows)
    rates = len(rows) / span, len(rows) / fired_seconds
    return Result(name, phase, latencies, *rates, retried, overflows)


def run_variant(variant: Variant, args: argparse.Namespace, work_dir: Path) -> list[Result]:
    if variant.workers:
        clear_queue()
    with bench_database() as database_url, contact_centre(work_dir) as centre:
        threads = WARMUP + args.trickle + args.escalations
        seeded = asyncio.run(seed(database_url, centre, threads))
        workers = start_workers(variant, database_url, work_dir) if variant.workers else []
        try:
            return asyncio.run(measure(variant, database_url, centre, seeded, args))
        finally:
            stop_processes(workers)
            if variant.workers:
                clear_queue()  # and the jobs' results, kept an hour otherwise


# ---- report ---------------------------------------------------------------------------------


def print_table(results: list[Result], args: argparse.Namespace) -> None:
    titles = {
        "trickle": f"trickle: {args.trickle} escalations one at a time, "
        f"{args.trickle_interval:g} s apart on average",
        "burst": f"burst: {args.escalations} escalations from {args.writers} concurrent writers",
    }
    width = max(len(r.name) for r in results) + 2
    for phase in ("trickle", "burst"):
        rows = [r for r in results if r.phase == phase]
        if not rows:
            continue
        print(f"\n{titles[phase]}")
        print(f"{'':<{width}}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}", end="")
        print(f"{'cases/s':>9}{'fired/s':>9}{'retried':>9}{'SYN drops':>11}")
        for r in rows:
            print(f"{r.name:<{width}}{r.percentile(50):>8.0f}{r.percentile(95):>8.0f}", end="")
            print(f"{r.percentile(99):>8.0f}{max(r.latencies_ms):>8.0f}", end="")
            print(f"{r.cases_per_second:>9.1f}{r.fired_per_second:>9.1f}", end="")
            print(f"{r.retried:>9}{r.overflows:>11}")
        base = rows[0]
        for r in rows[1:]:
            print(
                f"  {r.name} vs {base.name}: p50 x{r.percentile(50) / base.percentile(50):.2f}, "
                f"p99 x{r.percentile(99) / base.percentile(99):.2f}, "
                f"cases/s x{r.cases_per_second / base.cases_per_second:.2f}"
            )


def positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=positive_int, default=1000)
    parser.add_argument("--writers", type=positive_int, default=20, help="concurrent producers")
    parser.add_argument(
        "--trickle", type=int, default=50, help="escalations fired one at a time first (0: none)"
    )
    parser.add_argument(
        "--trickle-interval", type=float, default=0.25, help="mean seconds between them"
    )
    parser.add_argument("--workers", type=positive_int, default=2, help="arq worker processes")
    parser.add_argument("--tuned-poll-delay", type=float, default=0.05, help="0: skip the run")
    parser.add_argument("--tuned-max-jobs", type=positive_int, default=10)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for cases")
    return parser.parse_args()


def parse_worker_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="escalation_latency.py worker")
    parser.add_argument("--poll-delay", type=float, required=True)
    parser.add_argument("--max-jobs", type=positive_int, required=True)
    return parser.parse_args(argv)


def main() -> None:
    if sys.argv[1:2] == ["worker"]:
        worker_args = parse_worker_args(sys.argv[2:])
        run_worker(worker_args.poll_delay, worker_args.max_jobs)
        return
    args = parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    variants = [
        Variant("in-process (web process delivers)", 0),
        Variant(f"arq, {args.workers} x parvis worker (poll 0.5 s)", args.workers),
    ]
    if args.tuned_poll_delay > 0:
        name = f"arq, poll {args.tuned_poll_delay:g} s, max_jobs {args.tuned_max_jobs}"
        variants.append(Variant(name, args.workers, args.tuned_poll_delay, args.tuned_max_jobs))
    with tempfile.TemporaryDirectory(prefix="parvis-bench-") as work_dir:
        results: list[Result] = []
        for variant in variants:
            print(f"running: {variant.name} …", file=sys.stderr, flush=True)
            results += run_variant(variant, args, Path(work_dir))
    print_table(results, args)


if __name__ == "__main__":
    main()
