"""The back-office rules at work (`community.webhooks.rules`): a customer's new post may
raise `complaint.detected` and `interest.detected` for the subscribed webhooks."""

from __future__ import annotations

from typing import Any

from community.escalation import keywords, sentiment
from community.forums.lifecycle import PostWritten
from community.identity.models import Role
from community.scope import Scope
from community.webhooks import payloads
from community.webhooks.catalogue import COMPLAINT_DETECTED, INTEREST_DETECTED
from community.webhooks.outbox import record_event
from community.webhooks.rules import WebhookRules


def complaint_signals(rules: WebhookRules, text: str, score: float) -> dict[str, Any] | None:
    """What makes the text a complaint under the rules (keywords found, a low sentiment), or
    None. A thank-you ("refunded, thanks!") is none, as for escalation."""
    if keywords.is_thanks(text):
        return None
    found = (
        keywords.find_complaints(text, rules.complaint_keywords) if rules.complaint_enabled else []
    )
    low = rules.sentiment_enabled and score < rules.sentiment_threshold
    if not found and not low:
        return None
    reasons = (["keywords"] if found else []) + (["sentiment"] if low else [])
    return {"reasons": reasons, "keywords": found, "sentiment": score,
            "sentiment_threshold": rules.sentiment_threshold}  # fmt: skip


def interest_signals(rules: WebhookRules, text: str) -> dict[str, Any] | None:
    if not rules.interest_enabled:
        return None
    found = keywords.find_complaints(text, rules.interest_keywords)
    return {"reasons": ["keywords"], "keywords": found} if found else None


async def detect(scope: Scope, written: PostWritten) -> None:
    """Run the rules on a new public post by a customer (a member, not staff)."""
    rules, post, author = scope.settings.webhooks, written.post, written.author
    if author.role != Role.MEMBER or not rules.watches(written.category.id):
        return
    score = post.sentiment
    if score is None:
        score = sentiment.score(post.body_md, scope.tenant.locale)
    found = {
        COMPLAINT_DETECTED: complaint_signals(rules, post.body_md, score),
        INTEREST_DETECTED: interest_signals(rules, post.body_md),
    }
    for event_type, signals in found.items():
        if signals is not None:
            await _raise(scope, written, event_type, signals)


async def _raise(
    scope: Scope, written: PostWritten, event_type: str, signals: dict[str, Any]
) -> None:
    async def data() -> payloads.Data:
        return {
            "rule": signals,
            "customer_id": written.author.customer_id or None,
            "member": payloads.member_data(written.author, email=True),
            "thread": payloads.thread_data(written.thread, written.category),
            "post": payloads.post_data(written.post, written.author),
        }

    await record_event(scope, event_type, data)
