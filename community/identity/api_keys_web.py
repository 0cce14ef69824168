"""The community admin's page of API keys: /admin/api-keys (make, list, revoke)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from community.db import utcnow
from community.errors import ValidationFailed
from community.identity import api_keys
from community.identity.api_keys import KeyForm, MadeKey
from community.identity.permissions import ApiScope
from community.l10n import N_
from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id
from community.web.render import render, see_other, submitted_form

API_KEYS = "/admin/api-keys"
SCOPE_LABELS = {
    ApiScope.READ: N_("Read: threads, posts, members, search (GET requests)"),
    ApiScope.WRITE: N_("Write: ask, answer, vote, flag, follow"),
    ApiScope.MODERATE: N_("Moderate: the queue, bans, certified answers, escalations"),
    ApiScope.ADMIN: N_("Administer: categories, domains, brand, settings, API keys"),
}
BAD_DATE = N_("Give the expiry as a date (YYYY-MM-DD), or leave it empty.")
REVOKED = N_("The key was revoked: requests with it are refused from now on.")
NO_STORE = {"Cache-Control": "no-store"}  # the page that shows a new key is never cached


def _expiry(typed: str) -> datetime | None:
    """The end of the typed day (UTC): a key that expires on the 31st works through it."""
    if not typed:
        return None
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        raise ValidationFailed({"expires_at": BAD_DATE}) from None
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


@dataclass(frozen=True)
class Typed:
    """The form as typed, to show it again."""

    name: str = ""
    scopes: tuple[str, ...] = (ApiScope.READ.value,)
    expires_on: str = ""

    def form(self) -> KeyForm:
        return KeyForm(self.name, self.scopes, _expiry(self.expires_on))


async def _typed(request: Req) -> Typed:
    form = await submitted_form(request)
    scopes = tuple(str(s) for s in form.getall("scopes", []))
    return Typed(str(form.get("name", "")), scopes, str(form.get("expires_on", "")).strip())


class ApiKeyPages(Controller):
    include_in_schema = False

    @get(API_KEYS)
    async def page(self, request: Req, here: NamedDependency[Scope]) -> Template:
        revoked = request.query_params.get("saved") == "revoked"
        return await _page(request, here, saved=REVOKED if revoked else None)

    @post(API_KEYS)
    async def create(self, request: Req, here: NamedDependency[Scope]) -> Template:
        typed = await _typed(request)
        try:
            made = await api_keys.create_key(here, typed.form())
        except ValidationFailed as exc:
            return await _page(request, here, typed=typed, errors=exc.errors)
        return await _page(request, here, made=made)

    @post(f"{API_KEYS}/{{key_id:int}}/revoke")
    async def revoke(self, here: NamedDependency[Scope], key_id: Id) -> Redirect:
        await api_keys.revoke_key(here, key_id)
        return see_other(f"{API_KEYS}?saved=revoked")


async def _page(
    request: Req,
    here: Scope,
    *,
    typed: Typed | None = None,
    errors: dict[str, str] | None = None,
    made: MadeKey | None = None,
    saved: str | None = None,
) -> Template:
    keys = await api_keys.list_keys(here)
    return render(
        request,
        "identity/api_keys.html",
        status_code=422 if errors else 200,
        headers=NO_STORE,
        keys=keys,
        usable={k.id for k in keys if api_keys.is_usable(k, utcnow())},
        typed=typed or Typed(),
        errors=errors or {},
        made=made,
        saved=saved,
        scope_labels=SCOPE_LABELS,
    )
