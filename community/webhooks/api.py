"""Webhook subscriptions, their deliveries and the back-office rules through the JSON API,
under /api/v1/admin (community admins)."""

from __future__ import annotations

from dataclasses import asdict

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE
from community.webhooks import services
from community.webhooks.catalogue import EVENT_TYPES, VERSION, iso
from community.webhooks.models import WebhookDelivery, WebhookSubscription
from community.webhooks.rules import WebhookRules
from community.webhooks.services import RulesForm, SubscriptionForm


class SubscriptionIn(Input):
    # Both required, and said so by field (422) by the service: a body without them is read,
    # so that another community's id answers 404 before what the body lacks is told.
    url: str = ""
    events: list[str] = msgspec.field(default_factory=list)  # from GET …/webhooks/events
    description: str = ""
    paused: bool = False

    def form(self) -> SubscriptionForm:
        return SubscriptionForm(self.url, self.description, list(self.events), self.paused)


class SubscriptionOut(msgspec.Struct):
    id: int
    url: str
    description: str
    events: list[str]
    paused: bool
    created_at: str

    @classmethod
    def of(cls, row: WebhookSubscription) -> SubscriptionOut:
        return cls(row.id, row.url, row.description, list(row.events), row.paused,
                   iso(row.created_at))  # fmt: skip


class CreatedOut(msgspec.Struct):
    subscription: SubscriptionOut
    secret: str  # "whsec_…": verify each delivery's webhook-signature with it


class SecretOut(msgspec.Struct):
    secret: str  # "" when it cannot be read (the platform's key changed): rotate it


class DeliveryOut(msgspec.Struct):
    id: int
    subscription_id: int
    webhook_id: str  # the `webhook-id` header of every attempt
    event_type: str
    state: str  # pending, delivered or failed
    attempts: int
    last_status: int | None
    last_response: str  # the receiver's body, its first 500 characters
    last_error: str
    created_at: str
    delivered_at: str | None
    next_attempt_at: str | None

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            d.id, d.subscription_id, d.message_id, d.event_type, d.state.value, d.attempts,
            d.last_status, d.last_response, d.last_error, iso(d.created_at),
            iso(d.delivered_at) if d.delivered_at else None,
            iso(d.next_attempt_at) if d.next_attempt_at else None,
        )  # fmt: skip


class EventTypeOut(msgspec.Struct):
    type: str
    description: str
    version: int


class RulesIn(Input):
    complaint_enabled: bool = True
    complaint_keywords: list[str] = msgspec.field(default_factory=list)
    sentiment_enabled: bool = True
    sentiment_threshold: float = -0.5
    interest_enabled: bool = True
    interest_keywords: list[str] = msgspec.field(default_factory=list)
    category_ids: list[int] = msgspec.field(default_factory=list)  # empty: every category

    def form(self) -> RulesForm:
        return RulesForm(
            self.complaint_enabled, "\n".join(self.complaint_keywords), self.sentiment_enabled,
            str(self.sentiment_threshold), self.interest_enabled,
            "\n".join(self.interest_keywords), [str(i) for i in self.category_ids],
        )  # fmt: skip


class RulesOut(msgspec.Struct):
    complaint_enabled: bool
    complaint_keywords: list[str]
    sentiment_enabled: bool
    sentiment_threshold: float
    interest_enabled: bool
    interest_keywords: list[str]
    category_ids: list[int]

    @classmethod
    def of(cls, rules: WebhookRules) -> RulesOut:
        return cls(**asdict(rules))


def _key(request: Req) -> str:
    return str(request.app.state.settings.secret_key)


class WebhooksApi(Controller):
    path = "/api/v1/admin"
    tags = ["webhooks"]

    @get("/webhooks/events", **MEMBER_READ)
    async def event_types(self, here: NamedDependency[Scope]) -> list[EventTypeOut]:
        """The event catalogue a subscription picks from (see the README for each payload)."""
        services.require_admin(here)
        return [EventTypeOut(t, str(label), VERSION) for t, label in EVENT_TYPES.items()]

    @get("/webhooks", **MEMBER_READ)
    async def list_subscriptions(self, here: NamedDependency[Scope]) -> list[SubscriptionOut]:
        return [SubscriptionOut.of(row) for row in await services.list_subscriptions(here)]

    @post("/webhooks", status_code=201, **MEMBER_WRITE)
    async def create_subscription(
        self, request: Req, here: NamedDependency[Scope], data: JSONBody[SubscriptionIn]
    ) -> CreatedOut:
        """A new subscription and its signing secret; 422 with `errors` by field (a bad or
        private address, no event chosen)."""
        created = await services.create_subscription(
            here, data.form(), request.app.state.outbound, _key(request)
        )
        return CreatedOut(SubscriptionOut.of(created.subscription), created.secret)

    @get("/webhooks/{subscription_id:int}", **MEMBER_READ)
    async def get_subscription(
        self, here: NamedDependency[Scope], subscription_id: Id
    ) -> SubscriptionOut:
        return SubscriptionOut.of(await services.get_subscription(here, subscription_id))

    @put("/webhooks/{subscription_id:int}", **MEMBER_WRITE)
    async def update_subscription(
        self, request: Req, here: NamedDependency[Scope], subscription_id: Id,
        data: JSONBody[SubscriptionIn],
    ) -> SubscriptionOut:  # fmt: skip
        """Replace the address, events, description and paused state."""
        row = await services.update_subscription(
            here, subscription_id, data.form(), request.app.state.outbound
        )
        return SubscriptionOut.of(row)

    @delete("/webhooks/{subscription_id:int}", status_code=204, **MEMBER_WRITE)
    async def delete_subscription(self, here: NamedDependency[Scope], subscription_id: Id) -> None:
        await services.delete_subscription(here, subscription_id)

    @get("/webhooks/{subscription_id:int}/secret", **MEMBER_READ)
    async def secret(
        self, request: Req, here: NamedDependency[Scope], subscription_id: Id
    ) -> SecretOut:
        return SecretOut(await services.reveal_secret(here, subscription_id, _key(request)))

    @post("/webhooks/{subscription_id:int}/secret", status_code=201, **MEMBER_WRITE)
    async def rotate_secret(
        self, request: Req, here: NamedDependency[Scope], subscription_id: Id
    ) -> SecretOut:
        """A new signing secret; deliveries are signed with it from now on."""
        created = await services.rotate_secret(here, subscription_id, _key(request))
        return SecretOut(created.secret)

    @get("/webhooks/{subscription_id:int}/deliveries", **MEMBER_READ)
    async def deliveries(
        self, here: NamedDependency[Scope], subscription_id: Id
    ) -> list[DeliveryOut]:
        """The latest 50 deliveries, newest first."""
        return [DeliveryOut.of(d) for d in await services.deliveries(here, subscription_id)]

    @post("/webhooks/{subscription_id:int}/test", status_code=201, **MEMBER_WRITE)
    async def send_test(self, here: NamedDependency[Scope], subscription_id: Id) -> DeliveryOut:
        """Queue a `webhook.test` event to this subscription."""
        return DeliveryOut.of(await services.send_test(here, subscription_id))

    @post(
        "/webhooks/{subscription_id:int}/deliveries/{delivery_id:int}/redeliver",
        status_code=202, **MEMBER_WRITE,
    )  # fmt: skip
    async def redeliver(
        self, here: NamedDependency[Scope], subscription_id: Id, delivery_id: Id
    ) -> DeliveryOut:
        """Send a delivery again from its first attempt, with the same webhook-id."""
        return DeliveryOut.of(await services.redeliver(here, subscription_id, delivery_id))

    @get("/webhook-rules", **MEMBER_READ)
    async def rules(self, here: NamedDependency[Scope]) -> RulesOut:
        return RulesOut.of(services.load_rules(here))

    @put("/webhook-rules", **MEMBER_WRITE)
    async def save_rules(
        self, request: Req, here: NamedDependency[Scope], data: JSONBody[RulesIn]
    ) -> RulesOut:
        """Replace the back-office rules; 422 with `errors` by field."""
        rules = await services.update_rules(here, data.form())
        request.app.state.tenants.forget()
        return RulesOut.of(rules)
