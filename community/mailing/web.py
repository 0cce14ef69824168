"""The email preferences page and the unsubscribe links mail carries (no login needed).

The unsubscribe address answers a GET with a one-button page (mail scanners follow links;
a GET changes nothing) and a POST by unsubscribing: the button's, or the mail provider's
RFC 8058 one-click POST, which carries no cookie and no CSRF token (the route is exempt
from CSRF: the unguessable token in the path is the authority).
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.mailing import preferences as prefs
from community.mailing.labels import FREQUENCY_LABELS, OTHER_LABEL
from community.mailing.models import Frequency, MailPreferences
from community.notify.models import NOTIFICATION_TEXTS
from community.scope import Scope
from community.web.context import Req
from community.web.render import form_fields, render, see_other

UNSUBSCRIBE = "/mail/unsubscribe/"


def _page(
    request: Req, row: MailPreferences, *, done: str = "", errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None, status_code: int = 200,
) -> Template:  # fmt: skip
    chosen = {key: value.value for key, value in prefs.choices_of(row).items()}
    return render(
        request, "mailing/preferences.html", status_code=status_code,
        kinds=prefs.kinds(), chosen=chosen | (values or {}), errors=errors or {}, done=done,
        frequencies=list(Frequency), frequency_labels=FREQUENCY_LABELS, other=prefs.OTHER,
        other_label=OTHER_LABEL, kind_texts=NOTIFICATION_TEXTS,
        failing=prefs.address_failing(row), last_bounce=row.last_bounce,
    )  # fmt: skip


class MailPreferencePages(Controller):
    include_in_schema = False

    @get("/account/notifications")
    async def preferences_page(
        self, request: Req, here: NamedDependency[Scope], done: FromQuery[str] = ""
    ) -> Template:
        row = await prefs.my_preferences(here)
        return _page(request, row, done="saved" if done == "saved" else "")

    @post("/account/notifications")
    async def save_preferences(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        values = await form_fields(request, *prefs.kinds())
        given = {key: value for key, value in values.items() if value}
        try:
            await prefs.update_preferences(here, given)
        except ValidationFailed as exc:
            row = await prefs.my_preferences(here)
            return _page(request, row, errors=exc.errors, values=given, status_code=422)
        return see_other("/account/notifications?done=saved")

    @post("/account/notifications/address")
    async def try_again(self, here: NamedDependency[Scope]) -> Redirect:
        await prefs.try_address_again(here)
        return see_other("/account/notifications?done=saved")


class UnsubscribePages(Controller):
    include_in_schema = False
    path = UNSUBSCRIBE

    @get("/{token:str}")
    async def confirm(
        self, request: Req, here: NamedDependency[Scope], token: FromPath[str],
        kind: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        await prefs.by_token(here, token)
        return _unsubscribe_page(request, token, kind, done=False)

    @post("/{token:str}", status_code=200)
    async def unsubscribe(
        self, request: Req, here: NamedDependency[Scope], token: FromPath[str],
        kind: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        await prefs.unsubscribe(here, token, kind or None)
        return _unsubscribe_page(request, token, kind, done=True)


def _unsubscribe_page(request: Req, token: str, kind: str, *, done: bool) -> Template:
    family = prefs.family(kind) if kind and prefs.family(kind) in prefs.kinds() else ""
    return render(
        request, "mailing/unsubscribe.html", done=done, kind=family, token=token,
        kind_texts=NOTIFICATION_TEXTS, other=prefs.OTHER, other_label=OTHER_LABEL,
    )  # fmt: skip
