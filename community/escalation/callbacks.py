"""Signed case updates from the contact centre: acknowledged, agent reply, resolved, closed.

Callbacks are signed per the Standard Webhooks specification with the target's callback
secret. A bad signature, a stale timestamp or a message id seen before (a replay) is
refused with 401 and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.db import utcnow
from community.errors import NotAuthenticated, NotFound, ValidationFailed
from community.escalation.adapters.webhook import BadSignature, verify
from community.escalation.answers import mark_resolved, post_agent_reply
from community.escalation.models import (
    CallbackReceipt,
    Escalation,
    EscalationState,
    EscalationTarget,
)
from community.escalation.services import add_event, announce_state
from community.forums.models import Post
from community.inputs import refuse_control_characters
from community.l10n import N_
from community.scope import Scope

KINDS = ("case.acknowledged", "case.replied", "case.resolved", "case.closed")
BODY_MAX = 20_000


@dataclass(frozen=True)
class CaseUpdate:
    kind: str
    idempotency_key: str
    case_id: str
    case_url: str
    agent: str
    body: str


def parse_update(raw: bytes) -> CaseUpdate:
    try:
        data = json.loads(raw)
    except ValueError:
        raise ValidationFailed({"body": "The callback body is not JSON."}) from None
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "The callback body must be a JSON object."})
    kind = data.get("type")
    if kind not in KINDS:
        raise ValidationFailed(
            {
                "type": "Unknown type: use case.acknowledged, case.replied, case.resolved or case.closed."
            }
        )
    key = data.get("idempotency_key")
    if not isinstance(key, str) or not key:
        raise ValidationFailed({"idempotency_key": "The escalation's idempotency key is missing."})
    agent = data.get("agent")
    agent = agent if isinstance(agent, dict) else {}
    body = _text(data.get("body"))
    if kind == "case.replied" and not body.strip():
        raise ValidationFailed({"body": "An agent reply needs a body."})
    if len(body) > BODY_MAX:
        raise ValidationFailed({"body": "The reply is too long (20,000 characters at most)."})
    texts = {"idempotency_key": key, "agent": _text(agent.get("name")), "body": body}
    texts |= {name: _text(data.get(name)) for name in ("case_id", "case_url")}
    refuse_control_characters(**texts)
    return CaseUpdate(kind, key, _text(data.get("case_id"))[:200],
                      _text(data.get("case_url"))[:500], _text(agent.get("name"))[:120], body)  # fmt: skip


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


async def receive(
    scope: Scope, target_id: int, headers: Mapping[str, str], raw: bytes
) -> Escalation:
    """Apply a signed case update to the escalation it names, in the scope's tenant.

    The contact centre signs it; no member sends it: whoever the scope says is logged in
    plays no part (the agent's answers are posted by the customer-service account)."""
    scope = scope.acting_as(None)
    target = await scope.get(EscalationTarget, target_id)
    if target is None:
        raise NotFound("No such contact-centre target.")
    try:
        verify(target.callback_secret, headers, raw, utcnow())
    except BadSignature as bad:
        raise NotAuthenticated(f"Bad signature: {bad}") from None
    await _remember(scope, target.id, headers["webhook-id"])
    update = parse_update(raw)
    escalation = await scope.db.scalar(
        select(Escalation)
        .where(Escalation.idempotency_key == update.idempotency_key)
        .with_for_update()
    )
    if escalation is None:
        raise NotFound("No escalation has this idempotency key.")
    before = escalation.state
    await APPLY[update.kind](scope, escalation, update)
    escalation.updated_at = utcnow()
    await scope.db.flush()
    await announce_state(scope, escalation, before)
    return escalation


async def _remember(scope: Scope, target_id: int, message_id: str) -> None:
    try:
        async with scope.db.begin_nested():
            scope.db.add(CallbackReceipt(target_id=target_id, message_id=message_id[:200]))
    except IntegrityError:
        raise NotAuthenticated("This callback was already received (replay).") from None


def _take_case(escalation: Escalation, update: CaseUpdate) -> None:
    if update.case_id and not escalation.external_id:
        escalation.external_id, escalation.external_url = update.case_id, update.case_url
    if escalation.state in (EscalationState.PENDING, EscalationState.SENT, EscalationState.FAILED):
        escalation.state = EscalationState.ACKNOWLEDGED
        escalation.acknowledged_at = utcnow()
        escalation.next_attempt_at = escalation.lease_until = None


async def _acknowledged(scope: Scope, escalation: Escalation, update: CaseUpdate) -> None:
    _take_case(escalation, update)
    detail = N_("Case %(case)s") % {"case": escalation.external_id}
    add_event(scope, escalation, "acknowledged", detail)


async def _replied(scope: Scope, escalation: Escalation, update: CaseUpdate) -> None:
    _take_case(escalation, update)
    post = await post_agent_reply(scope, escalation, update.agent, update.body)
    detail = N_("Post #%(number)s") % {"number": post.number}
    add_event(scope, escalation, "agent_reply", detail, update.agent)


async def _resolved(scope: Scope, escalation: Escalation, update: CaseUpdate) -> None:
    _take_case(escalation, update)
    if update.body.strip():
        await post_agent_reply(scope, escalation, update.agent, update.body)
    answer = await _latest_agent_answer(scope, escalation.thread_id)
    detail = await mark_resolved(scope, escalation, answer)
    _close(escalation)
    add_event(scope, escalation, "resolved", detail, update.agent)


async def _closed(scope: Scope, escalation: Escalation, update: CaseUpdate) -> None:
    _take_case(escalation, update)
    _close(escalation)
    add_event(scope, escalation, "closed", N_("The case was closed without a resolution"),
              update.agent)  # fmt: skip


def _close(escalation: Escalation) -> None:
    escalation.state, escalation.open_thread_id = EscalationState.RESOLVED, None
    escalation.resolved_at = utcnow()


async def _latest_agent_answer(scope: Scope, thread_id: int) -> Post | None:
    return await scope.db.scalar(
        select(Post)
        .where(Post.thread_id == thread_id, Post.official_agent != "")
        .where(Post.deleted_at.is_(None))
        .order_by(Post.number.desc())
        .limit(1)
    )


APPLY = {
    "case.acknowledged": _acknowledged,
    "case.replied": _replied,
    "case.resolved": _resolved,
    "case.closed": _closed,
}
