"""Thread views, counted in memory and written in batches by a background job."""

from __future__ import annotations

import time
from collections import Counter

from community.jobs import JobQueue


class ViewCounter:
    """Buffers views per thread; a flush enqueues one job carrying every count."""

    def __init__(self, jobs: JobQueue, threshold: int = 50, max_age_seconds: float = 5.0) -> None:
        self._jobs = jobs
        self._threshold = threshold
        self._max_age = max_age_seconds
        self._counts: Counter[int] = Counter()
        self._since = time.monotonic()

    async def record(self, thread_id: int) -> None:
        self._counts[thread_id] += 1
        full = self._counts.total() >= self._threshold
        if full or time.monotonic() - self._since >= self._max_age:
            await self.flush()

    async def flush(self) -> None:
        counts, self._counts = self._counts, Counter()
        self._since = time.monotonic()
        if counts:
            await self._jobs.enqueue("flush_thread_views", counts=dict(counts))
