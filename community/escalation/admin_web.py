"""The community admin's escalation page: rules, business calendar and contact-centre targets."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.escalation import settings as escalation
from community.escalation.adapters.registry import TARGET_FIELDS
from community.escalation.models import EscalationTarget, TargetKind
from community.escalation.settings import (
    CALENDAR_FIELDS,
    LIMITS,
    SWITCHES,
    CreatedTarget,
    RulesForm,
    TargetForm,
)
from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other, submitted_form

PAGE = "/admin/escalation"
RULE_FIELDS = (*LIMITS, "sentiment_threshold", *SWITCHES, "complaint_keywords", *CALENDAR_FIELDS)


class EscalationAdminPages(Controller):
    path = PAGE
    include_in_schema = False

    @get("/")
    async def settings_form(self, request: Req, here: NamedDependency[Scope]) -> Template:
        rules = escalation.load_rules(here)
        return await _settings_page(request, here, RulesForm.of(rules), {})

    @post("/")
    async def save_settings(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        form = await _rules_form(request)
        try:
            await escalation.update_rules(here, form)
        except ValidationFailed as exc:
            return await _settings_page(request, here, form, exc.errors, 422)
        request.app.state.tenants.forget()  # the cached TenantInfo holds the preferences
        return see_other(f"{PAGE}?saved=1")

    @get("/targets/new")
    async def new_target(
        self, request: Req, here: NamedDependency[Scope], kind: FromQuery[str] = "webhook"
    ) -> Template:
        chosen = escalation.new_target_kind(here, kind)
        return _target_page(request, chosen, None, TargetForm(name="", enabled=True), {})

    @post("/targets")
    async def create_target(self, request: Req, here: NamedDependency[Scope]) -> Template:
        kind = escalation.new_target_kind(here, (await form_fields(request, "kind"))["kind"])
        form = await _target_form(request, kind)
        try:
            created = await escalation.create_target(here, kind, form, request.app.state.outbound)
        except ValidationFailed as exc:
            return _target_page(request, kind, None, form, exc.errors, status_code=422)
        # The secrets made now are shown on this answer, never again: no redirect.
        return await _created_page(request, here, created)

    @get("/targets/{target_id:int}")
    async def target_form(
        self, request: Req, here: NamedDependency[Scope], target_id: Id
    ) -> Template:
        target = await escalation.get_target(here, target_id)
        form = TargetForm(name=target.name, enabled=target.enabled)
        base = await _base(request, here)
        return _target_page(request, target.kind, target, form, {}, base=base)

    @post("/targets/{target_id:int}")
    async def save_target(
        self, request: Req, here: NamedDependency[Scope], target_id: Id
    ) -> Template | Redirect:
        target = await escalation.get_target(here, target_id)
        form = await _target_form(request, target.kind)
        try:
            await escalation.update_target(here, target_id, form, request.app.state.outbound)
        except ValidationFailed as exc:
            base = await _base(request, here)
            return _target_page(request, target.kind, target, form, exc.errors, 422, base=base)
        return see_other(f"{PAGE}/targets/{target_id}?saved=1")

    @post("/targets/{target_id:int}/rotate")
    async def rotate_secret(self, here: NamedDependency[Scope], target_id: Id) -> Redirect:
        await escalation.rotate_callback_secret(here, target_id)
        return see_other(f"{PAGE}/targets/{target_id}?rotated=1")

    @post("/targets/{target_id:int}/delete")
    async def delete_target(self, here: NamedDependency[Scope], target_id: Id) -> Redirect:
        await escalation.delete_target(here, target_id)
        return see_other(f"{PAGE}?deleted=1")


async def _rules_form(request: Req) -> RulesForm:
    fields = await form_fields(request, *RULE_FIELDS)
    days = (await submitted_form(request)).getall("days", [])
    return RulesForm(
        numbers={name: fields[name] for name in (*LIMITS, "sentiment_threshold")},
        switches=frozenset(name for name in SWITCHES if fields[name] == "on"),
        complaint_keywords=fields["complaint_keywords"],
        calendar={name: fields[name] for name in CALENDAR_FIELDS},
        days=[str(day) for day in days],
    )


async def _target_form(request: Req, kind: TargetKind) -> TargetForm:
    names = [f.name for f in TARGET_FIELDS[kind]]
    fields = await form_fields(request, "name", "enabled", *names)
    values = {name: fields[name] for name in names}
    return TargetForm(name=fields["name"], enabled=fields["enabled"] == "on", values=values)


async def _base(request: Req, scope: Scope) -> str:
    return await escalation.callback_base(scope, request.app.state.settings.delivery)


async def _settings_page(
    request: Req, scope: Scope, form: RulesForm, errors: dict[str, str], status_code: int = 200
) -> Template:
    targets = await escalation.list_targets(scope)
    return render(
        request, "escalation/admin.html", status_code=status_code, form=form, errors=errors,
        limits=LIMITS, targets=targets, in_use=escalation.in_use(targets), kinds=list(TargetKind),
        timezones=escalation.timezones(), saved=request.query_params.get("saved") == "1",
        deleted=request.query_params.get("deleted") == "1",
    )  # fmt: skip


async def _created_page(request: Req, scope: Scope, created: CreatedTarget) -> Template:
    target = created.target
    form = TargetForm(name=target.name, enabled=target.enabled)
    base = await _base(request, scope)
    return _target_page(request, target.kind, target, form, {}, 201, base, created.secrets)


def _target_page(
    request: Req,
    kind: TargetKind,
    target: EscalationTarget | None,
    form: TargetForm,
    errors: dict[str, str],
    status_code: int = 200,
    base: str = "",
    secrets: dict[str, str] | None = None,
) -> Template:
    return render(
        request, "escalation/admin_target.html", status_code=status_code, kind=kind,
        target=target, form=form, errors=errors, secrets=secrets or {},
        generated=escalation.GENERATED_SECRETS.get(kind, ""),
        fields=escalation.field_views(kind, target, form.values),
        callback_url=escalation.callback_url(base, target) if target else "",
        saved=request.query_params.get("saved") == "1",
        rotated=request.query_params.get("rotated") == "1",
    )  # fmt: skip
