"""Which idea a thread is (for links and redirects from the forum's thread addresses)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import NotFound
from community.ideas.models import Idea


async def idea_id_for_thread(session: AsyncSession, tenant_id: int, thread_id: int) -> int:
    idea_id = await session.scalar(
        select(Idea.id).where(Idea.tenant_id == tenant_id, Idea.thread_id == thread_id)
    )
    if idea_id is None:
        raise NotFound("This idea does not exist or was deleted.")
    return idea_id
