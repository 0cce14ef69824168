"""A month of deflection history for a demo community, so its admin page has figures."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from community.db import utcnow
from community.deflection.models import DeflectionEvent, DeflectionKind
from community.forums.models import Thread, ThreadKind
from community.scope import Scope

DAYS = 30


async def seed_history(scope: Scope, seed: str) -> None:
    """Suggestion sessions on each of the last 30 days, over the community's resolved
    questions: some opened, some solved, some posted anyway (the same every time)."""
    resolved = list(
        await scope.db.scalars(
            select(Thread.id).where(
                Thread.kind == ThreadKind.QUESTION,
                (Thread.accepted_post_id.is_not(None)) | (Thread.certified_post_id.is_not(None)),
            )
        )
    )
    if not resolved:
        return
    chance = random.Random(seed)
    today = utcnow().replace(hour=9, minute=0, second=0, microsecond=0)
    for days_ago in range(DAYS, 0, -1):
        for number in range(chance.randint(2, 9)):
            moment = today - timedelta(days=days_ago, minutes=-23 * number)
            _session(scope, chance, f"demo{seed[:4]}{days_ago:03d}{number:02d}", moment, resolved)


def _session(
    scope: Scope, chance: random.Random, name: str, moment: datetime, resolved: list[int]
) -> None:
    key = name.ljust(22, "x")[:22]
    shown = chance.sample(resolved, k=min(len(resolved), chance.randint(1, 3)))
    events = [(DeflectionKind.SHOWN, thread_id) for thread_id in shown]
    roll = chance.random()
    if roll < 0.6:
        events.append((DeflectionKind.OPENED, shown[0]))
    if roll < 0.4:
        events.append((DeflectionKind.SOLVED, shown[0]))
    if roll >= 0.3:
        events.append((DeflectionKind.POSTED_ANYWAY, shown[-1]))
    scope.db.add_all(
        DeflectionEvent(kind=kind, thread_id=thread_id, session_key=key, created_at=moment)
        for kind, thread_id in events
    )
