"""Email preferences through the JSON API: read them, change some."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from community.mailing import preferences as prefs
from community.mailing.models import Frequency, MailPreferences
from community.scope import Scope
from community.web.inputs import Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE


class PreferencesIn(Input):
    # kind family -> immediate | daily | weekly | never; families not named stay as they are
    choices: dict[str, str]


class PreferencesOut(msgspec.Struct):
    choices: dict[str, Frequency]
    address_failing: bool
    bounces: int

    @classmethod
    def of(cls, row: MailPreferences) -> PreferencesOut:
        return cls(prefs.choices_of(row), prefs.address_failing(row), row.bounces)


class MailPreferencesApi(Controller):
    path = "/api/v1/account/mail-preferences"
    tags = ["notifications"]

    @get("", **MEMBER_READ)
    async def read(self, here: NamedDependency[Scope]) -> PreferencesOut:
        """For each kind of notification, when it is mailed: `immediate`, in the `daily` or
        `weekly` digest, or `never`; and whether the address is refused by its mail server."""
        return PreferencesOut.of(await prefs.my_preferences(here))

    @put("", **MEMBER_WRITE)
    async def change(
        self, here: NamedDependency[Scope], data: JSONBody[PreferencesIn]
    ) -> PreferencesOut:
        """Change the choice of the kinds named (422 for a choice that is not one of the four)."""
        return PreferencesOut.of(await prefs.update_preferences(here, data.choices))
