"""The community admin's webhook pages: /admin/webhooks (subscriptions and the back-office
rules) and /admin/webhooks/{id} (one subscription, its secret and its delivery log)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.forums.services import list_categories
from community.l10n import N_
from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other, submitted_form
from community.webhooks import services
from community.webhooks.catalogue import EVENT_TYPES
from community.webhooks.models import WebhookSubscription
from community.webhooks.services import RulesForm, SubscriptionForm

PAGE = "/admin/webhooks"
RULE_SWITCHES = ("complaint_enabled", "sentiment_enabled", "interest_enabled")
RULE_TEXTS = ("complaint_keywords", "sentiment_threshold", "interest_keywords")
SAVED = {
    "saved": N_("The subscription was saved."),
    "deleted": N_("The subscription was deleted."),
    "rules": N_("The back-office rules were saved."),
    "test": N_("A test event was queued: it appears in the delivery log below."),
    "redeliver": N_("The delivery was queued again, with the same webhook-id."),
    "rotated": N_("A new signing secret was made: deliveries are signed with it from now on."),
}


async def _subscription_form(request: Req) -> SubscriptionForm:
    form = await submitted_form(request)
    fields = await form_fields(request, "url", "description", "paused")
    events = [str(event) for event in form.getall("events", [])]
    return SubscriptionForm(fields["url"], fields["description"], events, fields["paused"] == "on")


async def _rules_form(request: Req) -> RulesForm:
    form = await submitted_form(request)
    fields = await form_fields(request, *RULE_SWITCHES, *RULE_TEXTS)
    on = {name: fields[name] == "on" for name in RULE_SWITCHES}
    return RulesForm(
        on["complaint_enabled"], fields["complaint_keywords"], on["sentiment_enabled"],
        fields["sentiment_threshold"], on["interest_enabled"], fields["interest_keywords"],
        [str(raw) for raw in form.getall("category_ids", [])],
    )  # fmt: skip


def _flash(request: Req) -> str | None:
    return SAVED.get(request.query_params.get("done", ""))


def _secret_key(request: Req) -> str:
    return str(request.app.state.settings.secret_key)


class WebhookAdminPages(Controller):
    path = PAGE
    include_in_schema = False

    @get("/")
    async def index(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return await _index(request, here, SubscriptionForm(), {})

    @post("/")
    async def create(self, request: Req, here: NamedDependency[Scope]) -> Template:
        form = await _subscription_form(request)
        try:
            created = await services.create_subscription(
                here, form, request.app.state.outbound, _secret_key(request)
            )
        except ValidationFailed as exc:
            return await _index(request, here, form, exc.errors, status_code=422)
        # The new secret is shown on this answer (and to admins on the page later): no redirect.
        row = created.subscription
        return await _detail(request, here, row, SubscriptionForm.of(row), {}, 201, True)

    @post("/rules")
    async def save_rules(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        form = await _rules_form(request)
        try:
            await services.update_rules(here, form)
        except ValidationFailed as exc:
            return await _index(request, here, SubscriptionForm(), {}, exc.errors, form, 422)
        request.app.state.tenants.forget()  # the cached TenantInfo holds the preferences
        return see_other(f"{PAGE}?done=rules#rules")

    @get("/{subscription_id:int}")
    async def detail(
        self, request: Req, here: NamedDependency[Scope], subscription_id: Id
    ) -> Template:
        row = await services.get_subscription(here, subscription_id)
        return await _detail(request, here, row, SubscriptionForm.of(row), {})

    @post("/{subscription_id:int}")
    async def update(
        self, request: Req, here: NamedDependency[Scope], subscription_id: Id
    ) -> Template | Redirect:
        row = await services.get_subscription(here, subscription_id)  # before the body
        form = await _subscription_form(request)
        try:
            await services.update_subscription(here, row.id, form, request.app.state.outbound)
        except ValidationFailed as exc:
            return await _detail(request, here, row, form, exc.errors, 422)
        return see_other(f"{PAGE}/{row.id}?done=saved")

    @post("/{subscription_id:int}/delete")
    async def delete(self, here: NamedDependency[Scope], subscription_id: Id) -> Redirect:
        await services.delete_subscription(here, subscription_id)
        return see_other(f"{PAGE}?done=deleted")

    @post("/{subscription_id:int}/test")
    async def send_test(self, here: NamedDependency[Scope], subscription_id: Id) -> Redirect:
        await services.send_test(here, subscription_id)
        return see_other(f"{PAGE}/{subscription_id}?done=test#deliveries")

    @post("/{subscription_id:int}/rotate")
    async def rotate(
        self, request: Req, here: NamedDependency[Scope], subscription_id: Id
    ) -> Redirect:
        await services.rotate_secret(here, subscription_id, _secret_key(request))
        return see_other(f"{PAGE}/{subscription_id}?done=rotated")

    @post("/{subscription_id:int}/deliveries/{delivery_id:int}/redeliver")
    async def redeliver(
        self, here: NamedDependency[Scope], subscription_id: Id, delivery_id: Id
    ) -> Redirect:
        await services.redeliver(here, subscription_id, delivery_id)
        return see_other(f"{PAGE}/{subscription_id}?done=redeliver#deliveries")


async def _index(
    request: Req,
    scope: Scope,
    form: SubscriptionForm,
    errors: dict[str, str],
    rule_errors: dict[str, str] | None = None,
    rules: RulesForm | None = None,
    status_code: int = 200,
) -> Template:
    subscriptions = await services.list_subscriptions(scope)
    return render(
        request, "webhooks/admin.html", status_code=status_code, form=form, errors=errors,
        subscriptions=subscriptions, event_types=EVENT_TYPES, flash=_flash(request),
        rules=rules or RulesForm.of(services.load_rules(scope)), rule_errors=rule_errors or {},
        categories=await list_categories(scope),
    )  # fmt: skip


async def _detail(
    request: Req,
    scope: Scope,
    row: WebhookSubscription,
    form: SubscriptionForm,
    errors: dict[str, str],
    status_code: int = 200,
    created: bool = False,
) -> Template:
    return render(
        request, "webhooks/detail.html", status_code=status_code, subscription=row, form=form,
        errors=errors, event_types=EVENT_TYPES, flash=_flash(request), created=created,
        secret=await services.reveal_secret(scope, row.id, _secret_key(request)),
        deliveries=await services.deliveries(scope, row.id),
    )  # fmt: skip
