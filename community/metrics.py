"""Prometheus metrics that are not about HTTP: jobs, and the backlog of every outbox.

- `observed_job(name, id)` wraps one run of a background job: it counts it and times it by
  name and outcome (`parvis_jobs_total`, `parvis_job_duration_seconds`) and logs one line.
  The arq worker and the in-process runner both use it.
- An *outbox* is work kept in the database until something delivers it (escalations to a
  contact centre, durable jobs…). Each capability registers a query for its own with
  `register_outbox(name, query)`; `/metrics` reports `parvis_outbox_depth{outbox=…}` and
  `parvis_outbox_oldest_age_seconds{outbox=…}`, computed when scraped.

Request latency comes from Litestar's Prometheus middleware (`community.web.metrics`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

from arq.worker import Retry
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

log = logging.getLogger("parvis.jobs")

JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
JOBS = Counter("parvis_jobs", "Background jobs run, by task name and outcome", ["name", "outcome"])
JOB_SECONDS = Histogram(
    "parvis_job_duration_seconds",
    "How long background jobs ran, by task name and outcome",
    ["name", "outcome"],
    buckets=JOB_BUCKETS,
)


@contextmanager
def observed_job(name: str, job_id: str = "", attempt: int = 1) -> Iterator[None]:
    """Count, time and log one run of job `name`: outcome ok, failed, retry or cancelled
    (cancelled at shutdown: arq runs it again)."""
    started = time.perf_counter()
    outcome = "failed"
    try:
        yield
        outcome = "ok"
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    except Retry:
        outcome = "retry"
        raise
    finally:
        seconds = time.perf_counter() - started
        JOBS.labels(name, outcome).inc()
        JOB_SECONDS.labels(name, outcome).observe(seconds)
        fields = {"job": name, "job_id": job_id, "attempt": attempt, "outcome": outcome}
        fields["duration_ms"] = round(seconds * 1000, 1)
        level = logging.ERROR if outcome == "failed" else logging.INFO
        log.log(level, "job %s %s", name, outcome, extra=fields, exc_info=outcome == "failed")


class Backlog(NamedTuple):
    depth: int  # items waiting
    oldest_seconds: float  # age of the oldest one (0 when there is none)


BacklogQuery = Callable[[AsyncSession], Awaitable[Backlog]]
OUTBOXES: dict[str, BacklogQuery] = {}


def register_outbox(name: str, query: BacklogQuery) -> None:
    """Report `query`'s backlog as outbox `name` on /metrics (registering twice is harmless)."""
    OUTBOXES[name] = query


async def rows_waiting(
    session: AsyncSession, since: InstrumentedAttribute[Any], *where: ColumnElement[bool]
) -> Backlog:
    """The backlog of rows matching `where`, aged by their `since` column (a UTC datetime)."""
    depth, oldest = (
        await session.execute(select(func.count(), func.min(since)).where(*where))
    ).one()
    if oldest is None:
        return Backlog(depth, 0.0)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(depth, max(0.0, (datetime.now(UTC) - oldest).total_seconds()))


async def outbox_metrics(session: AsyncSession) -> list[Metric]:
    """Depth and oldest age of every registered outbox, across all tenants (an unbound
    session); an outbox whose query fails is left out, and the failure logged."""
    depth = GaugeMetricFamily(
        "parvis_outbox_depth", "Items waiting in an outbox", labels=["outbox"]
    )
    oldest = GaugeMetricFamily(
        "parvis_outbox_oldest_age_seconds",
        "Age of the oldest item waiting in an outbox",
        labels=["outbox"],
    )
    for name, query in sorted(OUTBOXES.items()):
        try:
            backlog = await query(session)
        except Exception:
            log.exception("outbox %s: backlog query failed", name)
            continue
        depth.add_metric([name], backlog.depth)
        oldest.add_metric([name], backlog.oldest_seconds)
    return [depth, oldest]


class _Computed(Collector):
    def __init__(self, metrics: Sequence[Metric]) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        yield from self._metrics


def exposition(computed: Sequence[Metric] = ()) -> tuple[bytes, str]:
    """The Prometheus text of this process's metrics (of every process's, when several
    share PROMETHEUS_MULTIPROC_DIR) followed by `computed`, and its content type."""
    registry: CollectorRegistry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    extra = CollectorRegistry()
    extra.register(_Computed(computed))
    return generate_latest(registry) + generate_latest(extra), CONTENT_TYPE_LATEST
