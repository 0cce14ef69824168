"""Shared pieces of the outbox tests: a contact-centre stand-in wired as a tenant's target."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from community.demo.contact_centre import ContactCentre
from community.escalation.adapters.registry import new_signing_secret
from community.escalation.models import Escalation, EscalationTarget, TargetKind
from tests.conftest import World


@contextmanager
def contact_centre(**faults: Any) -> Iterator[ContactCentre]:
    with ContactCentre(new_signing_secret(), new_signing_secret(), **faults) as centre:
        yield centre


async def add_webhook_target(
    world: World, tenant: str, centre: ContactCentre, url: str = ""
) -> EscalationTarget:
    async with world.unit() as session:
        target = EscalationTarget(
            tenant_id=world.tenants[tenant],
            name="Stand-in",
            kind=TargetKind.WEBHOOK,
            settings={"url": url or f"{centre.url}/webhook"},
            credentials={"signing_secret": centre.secret},
            callback_secret=centre.callback_secret,
        )
        session.add(target)
    return target


async def escalations(world: World, thread_id: int | None = None) -> list[Escalation]:
    async with world.unit() as session:
        query = select(Escalation).order_by(Escalation.id)
        if thread_id is not None:
            query = query.where(Escalation.thread_id == thread_id)
        return list((await session.scalars(query)).all())


def signed(secret: str, message: dict[str, Any], msg_id: str = "") -> tuple[bytes, dict[str, str]]:
    """A callback body and its Standard Webhooks headers, signed by the reference library."""
    body = json.dumps(message).encode()
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, now, body.decode())
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
    return body, headers
