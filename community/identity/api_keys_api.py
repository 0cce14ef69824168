"""API keys through the JSON API, under /api/v1/admin (community admins; a key needs `admin`)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from community.identity import api_keys
from community.identity.api_key_models import ApiKey
from community.identity.api_keys import KeyForm
from community.scope import Scope
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE


class ApiKeyIn(Input):
    name: str
    scopes: list[str]  # read, write, moderate, admin
    expires_at: datetime | None = None  # with a time zone; none: the key never expires

    def form(self) -> KeyForm:
        return KeyForm(self.name, tuple(self.scopes), self.expires_at)


class ApiKeyOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    created_by_id: int
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            key.id, key.name, key.prefix, list(key.scopes), key.created_at, key.created_by_id,
            key.expires_at, key.last_used_at, key.revoked_at,
        )  # fmt: skip


class MadeKeyOut(msgspec.Struct):
    """A new key: `key` is its whole token, shown in this answer only."""

    key: str
    api_key: ApiKeyOut


class ApiKeysApi(Controller):
    path = "/api/v1/admin/api-keys"
    tags = ["community setup"]

    @get("/", **MEMBER_READ)
    async def list_keys(self, here: NamedDependency[Scope]) -> list[ApiKeyOut]:
        """The community's API keys, revoked ones too, newest first (never their secrets)."""
        return [ApiKeyOut.of(k) for k in await api_keys.list_keys(here)]

    @post("/", status_code=201, **MEMBER_WRITE)
    async def create_key(
        self, here: NamedDependency[Scope], data: JSONBody[ApiKeyIn]
    ) -> MadeKeyOut:
        """A new key acting as you within its scopes; 422 with `errors` by field."""
        made = await api_keys.create_key(here, data.form())
        return MadeKeyOut(made.token, ApiKeyOut.of(made.key))

    @delete("/{key_id:int}", status_code=204, **MEMBER_WRITE)
    async def revoke_key(self, here: NamedDependency[Scope], key_id: Id) -> None:
        """Revoke a key: every request with it is refused (401) from now on."""
        await api_keys.revoke_key(here, key_id)
