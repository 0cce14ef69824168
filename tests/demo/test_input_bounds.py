"""No input alone reaches a 500: every route of the app, built from its route table.

Each integer path parameter, each query parameter (`page` and the filters), and each field
of each form or JSON body gets, one at a time, the values that broke Parvis before: integers
beyond the id columns (2^63, 2^31), -1 and 0, a NUL and another control character, a
right-to-left override and zero-width characters, and text of those alone. The other
parameters hold real ids of the first demo community, so each request reaches as far as its
handler goes. Anonymous visitors and the community's admin both try everything; the answer
is never a 5xx. The demo data is this module's own (the admin's tries change it).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import msgspec
import pytest
from litestar import Litestar
from litestar.datastructures import FormMultiDict
from litestar.routes import HTTPRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.db import ALL_TENANTS
from community.demo.seed import DEMO_PASSWORD
from community.identity.models import Member, Role
from community.tenancy.models import Tenant
from tests.conftest import PG_URL, Client, new_database
from tests.demo.conftest import seed_both_communities
from tests.demo.test_isolation import BODY, HOME, HOME_ADMIN, HOME_HOST, PATH_MODELS

pytestmark = pytest.mark.anyio

PARAM = re.compile(r"\{(\w+):(\w+)\}")
NUMBERS = {"2^63": 2**63, "2^31": 2**31, "-1": -1, "0": 0}
TEXTS = {
    "nul": "Reset\x00router",
    "control": "Reset\x1brouter",
    "rtl": "\u202eretuor teser",
    "zero-width": "\u200b\u200c\u200d\ufeff",
    "rtl+zero-width": "\u202e\u200b\u2066\u2069",
}
BAD = {name: str(number) for name, number in NUMBERS.items()} | TEXTS
NOT_QUERY = {"self", "request", "here", "data"}

# A well-formed value for each field a form or a JSON body may have: each field is tried
# with the bad values while the others hold these.
GOOD: dict[str, Any] = BODY | {
    "kind": "webhook",
    "name": "A name",
    "category": "general",
    "board": "ideas",
    "email": "someone@example.com",
    "display_name": "Someone New",
    "password": "long enough password",
}


@dataclass
class Walk:
    """What the walk sent and what broke."""

    requests: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # "METHOD path [where]": status

    def record(self, label: str, status: int) -> None:
        self.requests += 1
        if status >= 500:
            self.errors[label] = status


@pytest.fixture(scope="module")
def own_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with new_database(tmp_path_factory) as database:
        yield database


@pytest.fixture(scope="module")
async def database_url(own_database: str) -> str:
    """This module's own seeded demo: the admin's tries write to it."""
    url = own_database if PG_URL else f"sqlite+aiosqlite:///{own_database}"
    await seed_both_communities(url)
    return url


async def _home_ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """A real id of the first community for each path parameter name (not its admin's)."""
    async with sessions() as session:
        home = await session.scalar(select(Tenant.id).where(Tenant.slug == HOME))
        ids = {}
        for name, model in PATH_MODELS.items():
            query = select(model.id).where(model.tenant_id == home).order_by(model.id.desc())
            if model is Member:
                query = query.where(Member.role == Role.MEMBER)
            ids[name] = await session.scalar(query, execution_options=ALL_TENANTS)
    return ids


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: list[tuple[str, str]]
    query: list[str]
    body: type[Any] | None  # the msgspec struct of a JSON body


def _calls(app: Litestar) -> list[Call]:
    calls = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        params = PARAM.findall(route.path)
        for handler in route.route_handlers:
            signature = handler.parsed_fn_signature.parameters
            query = sorted(set(signature) - NOT_QUERY - {name for name, _ in params})
            data = signature.get("data")
            body = _struct_of(data.annotation) if data is not None else None
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                calls.append(Call(method, route.path, params, query, body))
    return calls


def _struct_of(annotation: Any) -> type[Any] | None:
    for candidate in (
        annotation,
        *getattr(annotation, "__metadata__", ()),
        *getattr(annotation, "__args__", ()),
    ):
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate
    return None


def _url(call: Call, ids: dict[str, int], **override: str) -> str:
    url = call.path
    for name, kind in call.params:
        if name in override:
            value = quote(override[name], safe="")
        elif kind == "int":
            value = str(ids[name])
        elif kind == "path":
            value = "anything"
        else:
            value = "general"
        url = url.replace(f"{{{name}:{kind}}}", value)
    return url


class Sender:
    def __init__(self, client: Client, walk: Walk, who: str) -> None:
        self.client, self.walk, self.who = client, walk, who

    async def send(
        self, call: Call, url: str, label: str, form: dict[str, Any] | None = None,
        payload: Any = None, query: dict[str, str] | None = None,
    ) -> int:  # fmt: skip
        token = await self.client.ensure_csrf()
        headers = {"x-csrftoken": token}
        if call.method == "GET":
            response = await self.client.get(url, params=query)
        elif payload is not None:
            content = json.dumps(payload).encode()
            headers["content-type"] = "application/json"
            response = await self.client.request(
                call.method, url, content=content, headers=headers, params=query
            )
        else:
            data = {"_csrf_token": token, **(form or {})}
            response = await self.client.request(call.method, url, data=data, params=query)
        self.walk.record(f"{self.who}: {call.method} {call.path} [{label}]", response.status_code)
        return response.status_code


def _json_values(struct: type[Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in msgspec.structs.fields(struct):
        values[spec.encode_name] = GOOD.get(spec.name, "x")
    return values


async def _walk(
    app: Litestar, sender: Sender, ids: dict[str, int], form_fields: dict[str, list[str]]
) -> None:
    for call in _calls(app):
        for name, kind in call.params:
            if kind in {"int", "str"}:
                for label, value in BAD.items():
                    await sender.send(call, _url(call, ids, **{name: value}), f"{name}={label}")
        url = _url(call, ids)
        for name in call.query:
            for label, value in BAD.items():
                await sender.send(call, url, f"?{name}={label}", query={name: value})
        if call.method == "GET":
            continue
        if call.body is not None:
            good = _json_values(call.body)
            for name in good:
                for label, value in {**BAD, **NUMBERS}.items():
                    payload = good | {name: value}
                    await sender.send(call, url, f"json {name}={label!r}", payload=payload)
        elif not call.path.startswith("/api/"):
            for name in form_fields.get(f"{call.method} {call.path}", list(GOOD)):
                for label, value in BAD.items():
                    await sender.send(
                        call, url, f"form {name}={label}", form=dict(GOOD) | {name: value}
                    )


async def _fields_each_form_reads(
    app: Litestar, client: Client, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[str]]:
    """The form fields each page handler reads, seen by watching forms while they are read:
    one well-formed submission per form route."""
    reading: list[str] = []
    original_get, original_getall = FormMultiDict.get, FormMultiDict.getall

    def get(self: FormMultiDict, key: str, default: Any = None) -> Any:
        reading.append(key)
        return original_get(self, key, default)

    def getall(self: FormMultiDict, key: str, default: Any = None) -> Any:
        reading.append(key)
        return original_getall(self, key, default)

    monkeypatch.setattr(FormMultiDict, "get", get)
    monkeypatch.setattr(FormMultiDict, "getall", getall)
    fields: dict[str, list[str]] = {}
    token = await client.ensure_csrf()
    for call in _calls(app):
        if call.method == "GET" or call.path.startswith(("/api/", "/hooks/")):
            continue
        reading.clear()
        await client.request(call.method, _url(call, ids), data={"_csrf_token": token, **GOOD})
        fields[f"{call.method} {call.path}"] = sorted(set(reading) - {"_csrf_token"})
    monkeypatch.undo()
    return fields


async def test_no_input_reaches_a_server_error(
    app: Litestar,
    client_for: Any,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="httpx")  # one line per request otherwise
    ids = await _home_ids(sessions)
    admin: Client = client_for(HOME_HOST)
    await admin.login(HOME_ADMIN, DEMO_PASSWORD)
    form_fields = await _fields_each_form_reads(app, admin, ids, monkeypatch)
    assert sum(map(len, form_fields.values())) >= 40, "the walk lost the form fields"

    walk = Walk()
    await _walk(app, Sender(client_for(HOME_HOST), walk, "anonymous"), ids, form_fields)
    await _walk(app, Sender(admin, walk, "admin"), ids, form_fields)
    print(f"\n{walk.requests} requests, {len(walk.errors)} server errors")
    assert walk.requests > 5_000
    assert not walk.errors, "\n".join(f"{status} {label}" for label, status in walk.errors.items())
