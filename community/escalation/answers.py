"""What an agent's answer does to the thread: an official post, a notified asker, a resolution."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from community.db import in_tenant, utcnow
from community.escalation.models import Escalation
from community.forums.models import Post, Thread
from community.identity.models import Member, Role
from community.moderation.audit import record
from community.notify.services import notify
from community.tenancy.models import Tenant

SERVICE_NAMES = {"fr": "Service client", "en": "Customer service"}


def service_email(tenant: Tenant) -> str:
    return f"customer-service@{tenant.slug}.invalid"


async def service_member(session: AsyncSession, tenant_id: int) -> Member:
    """The tenant's customer-service account, which official answers are posted under."""
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    email = service_email(tenant)
    member = await session.scalar(in_tenant(Member, tenant_id).where(Member.email == email))
    if member is None:
        name = SERVICE_NAMES.get(tenant.locale[:2], SERVICE_NAMES["en"])
        # "!" is no argon2 hash: nobody can log in as this account.
        member = Member(tenant_id=tenant_id, email=email, display_name=name,
                        password_hash="!", role=Role.AGENT)  # fmt: skip
        session.add(member)
        await session.flush()
    return member


async def post_agent_reply(
    session: AsyncSession, escalation: Escalation, agent_name: str, body: str
) -> Post:
    from community.forums.services import reply  # forums services call escalation rules

    author = await service_member(session, escalation.tenant_id)
    post = await reply(session, escalation.tenant_id, author, escalation.thread_id, body)
    post.official_agent = agent_name.strip() or author.display_name
    thread = await session.get(Thread, escalation.thread_id)
    assert thread is not None
    await notify(session, escalation.tenant_id, [thread.author_id], kind="agent_reply",
                 text=thread.title, url=f"/p/{post.id}", thread_id=thread.id)  # fmt: skip
    await session.flush()
    return post


async def mark_resolved(session: AsyncSession, escalation: Escalation, answer: Post | None) -> str:
    """Certify the agent's latest answer, which marks the thread resolved."""
    thread = await session.scalar(
        select(Thread).where(Thread.id == escalation.thread_id).with_for_update()
    )
    assert thread is not None
    if answer is None:
        return "The case was resolved without an answer on the thread"
    before = thread.certified_post_id
    thread.certified_post_id, thread.certified_by_id = answer.id, answer.author_id
    thread.certified_note, thread.certified_at = "Resolved by customer service", utcnow()
    author = await session.get(Member, answer.author_id)
    assert author is not None
    record(session, author, "answer.certify", ("thread", thread.id),
           before={"certified_post_id": before},
           after={"certified_post_id": answer.id, "escalation": escalation.id})  # fmt: skip
    await notify(session, escalation.tenant_id, [thread.author_id], kind="case_resolved",
                 text=thread.title, url=f"/p/{answer.id}", thread_id=thread.id)  # fmt: skip
    return f"Post #{answer.number} certified: the thread is resolved"
