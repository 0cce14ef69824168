"""The `data` of each event, built from the rows in the transaction of the event.

Links are paths (`/t/12/slug`): the envelope's `community.url` is their base. Members are
named by id, display name, role and the customer id the brand's sign-in gave them; only
`member.joined` and the back-office leads add the email.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from community.escalation.models import Escalation
from community.forums.models import Category, Post, Thread
from community.ideas.models import Idea, IdeaStatusChange
from community.identity.models import Member
from community.moderation.models import Flag
from community.scope import Scope
from community.webhooks.catalogue import iso

Data = dict[str, Any]


def member_data(member: Member, *, email: bool = False) -> Data:
    data: Data = {
        "id": member.id,
        "display_name": member.display_name,
        "role": member.role.value,
        "customer_id": member.customer_id or None,
        "customer_tier": member.customer_tier or None,
    }
    return data | {"email": member.email} if email else data


def thread_data(thread: Thread, category: Category) -> Data:
    return {
        "id": thread.id,
        "title": thread.title,
        "kind": thread.kind.value,
        "path": f"/t/{thread.id}/{thread.slug}",
        "category": {"id": category.id, "slug": category.slug, "name": category.name},
        "author_id": thread.author_id,
        "created_at": iso(thread.created_at),
        "resolved": thread.is_resolved,
    }


def post_data(post: Post, author: Member) -> Data:
    return {
        "id": post.id,
        "number": post.number,
        "path": f"/p/{post.id}",
        "author": member_data(author),
        "body_markdown": post.body_md,
        "sentiment": post.sentiment,
        "created_at": iso(post.created_at),
    }


async def thread_by_id(scope: Scope, thread_id: int) -> Data:
    thread = await scope.one(Thread, thread_id)
    return thread_data(thread, await scope.one(Category, thread.category_id))


async def post_by_id(scope: Scope, post_id: int) -> Data:
    post = await scope.one(Post, post_id)
    return post_data(post, await scope.one(Member, post.author_id))


def _actor(scope: Scope) -> Data | None:
    return member_data(scope.member) if scope.member else None


async def answer_event(scope: Scope, ids: dict[str, int], details: dict[str, Any]) -> Data:
    """answer.accepted, answer.certified, thread.resolved."""
    thread = await scope.one(Thread, ids["thread_id"])
    data: Data = {
        "thread": await thread_by_id(scope, thread.id),
        "answer": await post_by_id(scope, ids["post_id"]),
        "by": _actor(scope),
    }
    if thread.certified_post_id == ids["post_id"]:
        data["certified_note"] = thread.certified_note
    return data


async def resolved_event(scope: Scope, ids: dict[str, int], details: dict[str, Any]) -> Data:
    data = await answer_event(scope, ids, details)
    thread = await scope.one(Thread, ids["thread_id"])
    data["resolution"] = "certified" if thread.certified_post_id == ids["post_id"] else "accepted"
    return data


async def idea_event(scope: Scope, ids: dict[str, int], details: dict[str, Any]) -> Data:
    idea = await scope.one(Idea, ids["idea_id"])
    change = await scope.one(IdeaStatusChange, ids["change_id"])
    return {
        "idea": {
            "id": idea.id,
            "path": f"/ideas/{idea.id}",
            "votes": idea.vote_count,
            "thread": await thread_by_id(scope, idea.thread_id),
        },
        "from": change.from_status.value if change.from_status else None,
        "to": change.to_status.value,
        "response_markdown": change.response_md,
        "by": _actor(scope),
    }


async def escalation_event(scope: Scope, ids: dict[str, int], details: dict[str, Any]) -> Data:
    escalation = await scope.db.scalar(
        select(Escalation).where(Escalation.id == ids["escalation_id"])
    )
    assert escalation is not None
    return {
        "escalation": {
            "id": escalation.id,
            "rules": list(escalation.rules),
            "priority": escalation.priority,
            "case_id": escalation.external_id or None,
            "case_url": escalation.external_url or None,
            "attempts": escalation.attempts,
        },
        "from": details.get("from"),
        "to": details.get("to"),
        "thread": await thread_by_id(scope, escalation.thread_id),
    }


async def member_event(scope: Scope, ids: dict[str, int], details: dict[str, Any]) -> Data:
    member = await scope.one(Member, ids["member_id"])
    return {"member": member_data(member, email=True) | {"joined_at": iso(member.created_at)}}


async def flag_event(scope: Scope, ids: dict[str, int], details: dict[str, Any]) -> Data:
    flag = await scope.one(Flag, ids["flag_id"])
    post = await scope.one(Post, flag.post_id)
    return {
        "flag": {"id": flag.id, "reason": flag.reason.value, "note": flag.note},
        "post": await post_by_id(scope, post.id),
        "thread": await thread_by_id(scope, post.thread_id),
    }  # who flagged is not told: flaggers stay anonymous outside the moderation queue
