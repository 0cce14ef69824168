"""What a community admin does with webhooks: subscriptions, their delivery log, a test
event, a redelivery, and the back-office rules. Every change is audited."""

from __future__ import annotations

import base64
import secrets
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import select

from community.crypto import Unsealable, seal, unseal
from community.db import utcnow
from community.errors import NotFound, ValidationFailed, require
from community.escalation.keywords import parse_keywords
from community.escalation.settings import THRESHOLD_ERROR, parse_threshold
from community.forums.models import Category
from community.identity.models import Member
from community.identity.permissions import Permission
from community.jobs import enqueue_after_commit
from community.l10n import N_
from community.moderation.audit import record
from community.net.outbound import Outbound, OutboundError
from community.scope import Scope
from community.tenancy.models import Tenant
from community.webhooks.catalogue import EVENT_TYPES, TEST_EVENT, envelope
from community.webhooks.delivery import SECRET_PURPOSE
from community.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from community.webhooks.outbox import DELIVER, queue_deliveries
from community.webhooks.payloads import member_data
from community.webhooks.rules import WebhookRules

ADMINS_ONLY = N_("Only community admins can manage webhooks.")
NO_SUCH_SUBSCRIPTION = N_("No such webhook subscription.")
NO_SUCH_DELIVERY = N_("No such webhook delivery.")
NEED_URL = N_("Enter the address the events are sent to.")
NEED_EVENT = N_("Choose at least one event.")
UNKNOWN_EVENT = N_("Choose events from the list.")
LONG_DESCRIPTION = N_("The description is too long (200 characters at most).")
LONG_URL = N_("The address is too long (2,000 characters at most).")
UNKNOWN_CATEGORY = N_("Choose categories from the list.")
DESCRIPTION_MAX = 200
URL_MAX = 2000
LOG_SIZE = 50


def require_admin(scope: Scope) -> Member:
    return scope.require(Permission.CONFIGURE_COMMUNITY, ADMINS_ONLY)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class SubscriptionForm:
    url: str = ""
    description: str = ""
    events: list[str] = field(default_factory=list)
    paused: bool = False

    @classmethod
    def of(cls, row: WebhookSubscription) -> SubscriptionForm:
        return cls(row.url, row.description, list(row.events), row.paused)


@dataclass(frozen=True)
class Created:
    subscription: WebhookSubscription
    secret: str  # shown with the answer; admins can see it again on the subscription's page


def public_view(row: WebhookSubscription) -> dict[str, Any]:
    """What the audit log keeps: everything but the secret."""
    return {"url": row.url, "description": row.description, "events": list(row.events),
            "paused": row.paused}  # fmt: skip


async def _checked(form: SubscriptionForm, outbound: Outbound) -> SubscriptionForm:
    """The form, trimmed, when every field is right; else ValidationFailed by field."""
    url, description = form.url.strip(), " ".join(form.description.split())
    errors: dict[str, str] = {}
    if not url:
        errors["url"] = NEED_URL
    elif len(url) > URL_MAX:
        errors["url"] = LONG_URL
    else:
        try:
            await outbound.check_url(url)  # a bad URL, a private or local address: refused
        except OutboundError as exc:
            errors["url"] = exc.message
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = LONG_DESCRIPTION
    chosen = list(dict.fromkeys(form.events))
    if not chosen:
        errors["events"] = NEED_EVENT
    elif any(event not in EVENT_TYPES for event in chosen):
        errors["events"] = UNKNOWN_EVENT
    require(errors)
    return SubscriptionForm(url, description, [e for e in EVENT_TYPES if e in chosen], form.paused)


async def list_subscriptions(scope: Scope) -> list[WebhookSubscription]:
    require_admin(scope)
    rows = await scope.db.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
    return list(rows.all())


async def get_subscription(scope: Scope, subscription_id: int) -> WebhookSubscription:
    require_admin(scope)
    return await scope.one(WebhookSubscription, subscription_id, NO_SUCH_SUBSCRIPTION)


async def create_subscription(
    scope: Scope, form: SubscriptionForm, outbound: Outbound, secret_key: str
) -> Created:
    require_admin(scope)
    checked = await _checked(form, outbound)
    secret = new_secret()
    row = WebhookSubscription(
        url=checked.url, description=checked.description, events=checked.events,
        paused=checked.paused, secret_sealed=seal(secret_key, SECRET_PURPOSE, secret),
    )  # fmt: skip
    scope.db.add(row)
    await scope.db.flush()
    record(scope, "webhook.create", ("webhook", row.id), after=public_view(row))
    return Created(row, secret)


async def update_subscription(
    scope: Scope, subscription_id: int, form: SubscriptionForm, outbound: Outbound
) -> WebhookSubscription:
    row = await get_subscription(scope, subscription_id)
    checked = await _checked(form, outbound)
    before = public_view(row)
    row.url, row.description, row.events = checked.url, checked.description, checked.events
    row.paused, row.updated_at = checked.paused, utcnow()
    record(scope, "webhook.update", ("webhook", row.id), before=before, after=public_view(row))
    await scope.db.flush()
    if before["paused"] and not row.paused:  # what waited while paused goes out now
        await _resume(scope, row)
    return row


async def _resume(scope: Scope, row: WebhookSubscription) -> None:
    waiting = await scope.db.scalars(
        select(WebhookDelivery.id).where(
            WebhookDelivery.subscription_id == row.id,
            WebhookDelivery.state == DeliveryState.PENDING,
        )
    )
    for delivery_id in waiting.all():
        enqueue_after_commit(scope.db, DELIVER, delivery_id=delivery_id)


async def reveal_secret(scope: Scope, subscription_id: int, secret_key: str) -> str:
    """The signing secret in clear, for admins; "" when the deployment's key changed since."""
    row = await get_subscription(scope, subscription_id)
    try:
        return unseal(secret_key, SECRET_PURPOSE, row.secret_sealed)
    except Unsealable:
        return ""


async def rotate_secret(scope: Scope, subscription_id: int, secret_key: str) -> Created:
    """A new signing secret; deliveries from now on are signed with it."""
    row = await get_subscription(scope, subscription_id)
    secret = new_secret()
    row.secret_sealed, row.updated_at = seal(secret_key, SECRET_PURPOSE, secret), utcnow()
    record(scope, "webhook.rotate_secret", ("webhook", row.id))
    await scope.db.flush()
    return Created(row, secret)


async def delete_subscription(scope: Scope, subscription_id: int) -> None:
    """The subscription and its delivery log (deliveries still pending are not sent)."""
    row = await get_subscription(scope, subscription_id)
    record(scope, "webhook.delete", ("webhook", row.id), before=public_view(row))
    await scope.db.delete(row)
    await scope.db.flush()


async def deliveries(scope: Scope, subscription_id: int) -> list[WebhookDelivery]:
    """The subscription's latest deliveries, newest first."""
    row = await get_subscription(scope, subscription_id)
    found = await scope.db.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == row.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(LOG_SIZE)
    )
    return list(found.all())


async def send_test(scope: Scope, subscription_id: int) -> WebhookDelivery:
    """A `webhook.test` event to this subscription alone; a paused one keeps it until it
    resumes (its delivery log shows it pending)."""
    row = await get_subscription(scope, subscription_id)
    data = {"subscription_id": row.id, "events": list(row.events), "by": member_data(scope.actor)}
    payload = envelope(TEST_EVENT, data, utcnow())
    [delivery] = await queue_deliveries(scope, [row], TEST_EVENT, payload)
    record(scope, "webhook.test", ("webhook", row.id), after={"delivery": delivery.id})
    return delivery


async def redeliver(scope: Scope, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again from its first attempt, with the same `webhook-id` and body: a
    receiver that already processed it may ignore it (it is the same event)."""
    row = await get_subscription(scope, subscription_id)
    delivery = await scope.db.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == row.id)
        .with_for_update()
    )
    if delivery is None:
        raise NotFound(NO_SUCH_DELIVERY)
    now = utcnow()
    delivery.state, delivery.attempts = DeliveryState.PENDING, 0
    delivery.next_attempt_at, delivery.lease_until, delivery.updated_at = now, None, now
    record(scope, "webhook.redeliver", ("webhook", row.id), after={"delivery": delivery.id})
    await scope.db.flush()
    enqueue_after_commit(scope.db, DELIVER, delivery_id=delivery.id)
    return delivery


# ---- the back-office rules ------------------------------------------------------------------


@dataclass(frozen=True)
class RulesForm:
    complaint_enabled: bool
    complaint_keywords: str
    sentiment_enabled: bool
    sentiment_threshold: str
    interest_enabled: bool
    interest_keywords: str
    category_ids: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, rules: WebhookRules) -> RulesForm:
        return cls(
            rules.complaint_enabled, "\n".join(rules.complaint_keywords), rules.sentiment_enabled,
            str(rules.sentiment_threshold), rules.interest_enabled,
            "\n".join(rules.interest_keywords), [str(i) for i in rules.category_ids],
        )  # fmt: skip


def load_rules(scope: Scope) -> WebhookRules:
    require_admin(scope)
    return scope.settings.webhooks


async def _category_ids(scope: Scope, typed: list[str]) -> list[int] | None:
    ids = [int(raw) for raw in typed if raw.isdigit() and len(raw) < 12]
    if len(ids) != len(typed):
        return None
    if not ids:
        return []
    found = await scope.db.scalars(select(Category.id).where(Category.id.in_(ids)))
    known = set(found.all())
    return sorted(known) if known == set(ids) else None


async def update_rules(scope: Scope, form: RulesForm) -> WebhookRules:
    """Save the back-office rules (audited); ValidationFailed marks the fields in error."""
    require_admin(scope)
    errors: dict[str, str] = {}
    complaint, problem = parse_keywords(form.complaint_keywords)
    if problem:
        errors["complaint_keywords"] = problem
    interest, problem = parse_keywords(form.interest_keywords)
    if problem:
        errors["interest_keywords"] = problem
    threshold = parse_threshold(form.sentiment_threshold)
    if threshold is None:
        errors["sentiment_threshold"] = THRESHOLD_ERROR
    categories = await _category_ids(scope, form.category_ids)
    if categories is None:
        errors["category_ids"] = UNKNOWN_CATEGORY
    if errors:
        raise ValidationFailed(errors)
    assert threshold is not None and categories is not None
    rules = replace(
        scope.settings.webhooks, complaint_enabled=form.complaint_enabled,
        complaint_keywords=complaint, sentiment_enabled=form.sentiment_enabled,
        sentiment_threshold=threshold, interest_enabled=form.interest_enabled,
        interest_keywords=interest, category_ids=categories,
    )  # fmt: skip
    tenant = await scope.one(Tenant, scope.tenant_id)
    before = dict(tenant.preferences)
    tenant.preferences = before | {"webhook_rules": asdict(rules)}
    record(scope, "settings.webhook_rules", ("tenant", tenant.id),
           before=before.get("webhook_rules"), after=asdict(rules))  # fmt: skip
    await scope.db.flush()
    return rules
