"""What an agent's answer does to the thread: an official post, a notified asker, a resolution."""

from __future__ import annotations

from sqlalchemy import select

from community.escalation.models import Escalation
from community.forums.models import Post, Thread
from community.forums.services import reply
from community.identity.models import Member, Role
from community.l10n import N_, gettext
from community.notify.services import notify
from community.qa.services import do_certify
from community.scope import Scope
from community.tenancy.services import TenantInfo


def service_email(tenant: TenantInfo) -> str:
    return f"customer-service@{tenant.slug}.invalid"


async def service_member(scope: Scope) -> Member:
    """The tenant's customer-service account, which official answers are posted under."""
    email = service_email(scope.tenant)
    member = await scope.db.scalar(select(Member).where(Member.email == email))
    if member is None:
        name = gettext(scope.tenant.locale, N_("Customer service"))  # stored in its language
        # "!" is no argon2 hash: nobody can log in as this account.
        member = Member(email=email, display_name=name, password_hash="!", role=Role.AGENT)
        scope.db.add(member)
        await scope.db.flush()
    return member


async def post_agent_reply(
    scope: Scope, escalation: Escalation, agent_name: str, body: str
) -> Post:
    """The agent's answer, posted on the thread by the customer-service account."""
    author = await service_member(scope)
    post = await reply(scope.acting_as(author), escalation.thread_id, body)
    post.official_agent = agent_name.strip() or author.display_name
    thread = await scope.one(Thread, escalation.thread_id)
    await notify(scope, [thread.author_id], kind="agent_reply", text=thread.title,
                 url=f"/p/{post.id}", thread_id=thread.id)  # fmt: skip
    await scope.db.flush()
    return post


async def mark_resolved(scope: Scope, escalation: Escalation, answer: Post | None) -> str:
    """Certify the agent's latest answer, which marks the thread resolved."""
    thread = await scope.db.scalar(
        select(Thread).where(Thread.id == escalation.thread_id).with_for_update()
    )
    assert thread is not None
    if answer is None:
        return N_("The case was resolved without an answer on the thread")
    author = await scope.one(Member, answer.author_id)
    # Certified by the customer-service account, unchecked (qa.certify is the checked path):
    # an answer certified before loses its points, the same answer again changes nothing.
    note = gettext(scope.tenant.locale, N_("Resolved by customer service"))
    await do_certify(scope.acting_as(author), thread, answer, note,
                     audit={"escalation": escalation.id})  # fmt: skip
    await notify(scope, [thread.author_id], kind="case_resolved", text=thread.title,
                 url=f"/p/{answer.id}", thread_id=thread.id)  # fmt: skip
    return N_("Post #%(number)s certified: the thread is resolved") % {"number": answer.number}
