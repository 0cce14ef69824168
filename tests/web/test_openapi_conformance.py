"""Schemathesis against the OpenAPI description, in process: every operation, anonymously and
as an admin of a throwaway community, with valid and invalid inputs. No answer may be a 5xx,
and every answer must be one the description declares, with the body it declares.

It runs once in CI, on PostgreSQL (where integer ranges and NUL bytes bite): only when
PARVIS_TEST_DATABASE_URL is set, or anywhere with PARVIS_TEST_CONFORMANCE=1. Marked
`conformance` (`-m "not conformance"` leaves it out). PARVIS_CONFORMANCE_EXAMPLES sets the
examples per operation, mode and caller (default 12). The callers: a guest, an admin's browser
session (cookie and CSRF header), and an API key of that admin with every scope.

Left out: schemathesis' `positive_data_acceptance` check, which wants every schema-valid
request accepted; a business rule (a title too short, a category that does not exist) refuses
schema-valid data with a declared 404 or 422.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
import pytest

from community.app import create_app
from community.config import Settings
from community.identity import api_keys
from community.identity.api_keys import KeyForm
from community.identity.models import Member, Role
from community.identity.permissions import ApiScope
from tests.conftest import PASSWORD, PG_URL, World

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.python import asgi  # noqa: E402
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance  # noqa: E402

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.conformance,
    pytest.mark.skipif(
        not (PG_URL or os.environ.get("PARVIS_TEST_CONFORMANCE")),
        reason="runs once in CI, on PostgreSQL (or set PARVIS_TEST_CONFORMANCE=1)",
    ),
]

EXAMPLES = int(os.environ.get("PARVIS_CONFORMANCE_EXAMPLES", "12"))
HOST = asgi.HOST  # the Host header schemathesis sends: the throwaway community's domain


@dataclass
class Findings:
    examples: int = 0
    operations: set[str] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)
    examples_of: dict[str, str] = field(default_factory=dict)  # the first request of each

    def record(self, operation: str, error: BaseException) -> None:
        found = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
        for failure in found:
            title = getattr(failure, "title", type(failure).__name__)
            message = (
                getattr(failure, "message", "") or traceback.format_exception_only(failure)[-1]
            )
            first_line = next((line for line in str(message).splitlines() if line.strip()), "")
            key = f"{operation}: {title}: {first_line.strip()[:160]}"
            self.failures[key] += 1
            self.examples_of.setdefault(key, _reproduction(str(error)))


def _reproduction(report: str) -> str:
    """The status line and the curl command of a schemathesis report."""
    lines = [line.strip() for line in report.splitlines()]
    status = next((line for line in lines if line.startswith("[")), "")
    curl = next((line for line in lines if line.startswith("curl ")), "")
    return f"{status} {curl}"[:600]


def run_operation(
    operation: Any, mode: GenerationMode, caller: dict[str, Any], findings: Findings
) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    findings.operations.add(label)

    # The caller's session and CSRF header are fixed: invalid data goes elsewhere.
    strategy = operation.as_strategy(
        generation_mode=mode, cookies=caller["cookies"] or None, headers=caller["headers"] or None
    )

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a finding is listed, not minimised
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        findings.examples += 1
        try:
            case.call_and_validate(
                excluded_checks=[positive_data_acceptance, *caller.get("excluded", [])]
            )
        except (Exception, BaseExceptionGroup) as error:  # collected, then reported together
            findings.record(f"{label} ({caller['name']}, {mode.value})", error)

    with contextlib.suppress(Unsatisfiable):  # no invalid value exists (no parameter, no body)
        check()


def run_all(schema: Any, callers: list[dict[str, Any]]) -> Findings:
    findings = Findings()
    for result in schema.get_all_operations():
        operation = result.ok()
        for caller in callers:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run_operation(operation, mode, caller, findings)
    return findings


def signed_in_as_admin(app: Any, email: str) -> dict[str, Any]:
    """Logs in through the app itself; returns the cookies and the CSRF header to send."""
    with asgi.get_client(app) as client:
        client.get("/login")
        token = client.cookies["csrftoken"]
        answer = client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "_csrf_token": token},
            allow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        cookies = dict(client.cookies)
    return {"name": "admin", "cookies": cookies, "headers": {"x-csrftoken": cookies["csrftoken"]}}


async def with_an_api_key(world: World, admin: Member) -> dict[str, Any]:
    """A generated client's way in: the admin's key with every scope, no cookie, no CSRF."""
    async with world.unit() as session:
        scope = await world.scope(session, "throwaway", await session.get(Member, admin.id))
        made = await api_keys.create_key(scope, KeyForm("client", tuple(ApiScope)))
    # schemathesis takes an Authorization header it did not make for one it generated, and
    # wants it refused (`ignored_auth`); keys that must be refused are tested with the keys
    # (tests/identity/test_api_keys.py).
    headers = {"Authorization": f"Bearer {made.token}"}
    return {"name": "api key", "cookies": {}, "headers": headers, "excluded": [ignored_auth]}


async def test_every_operation_conforms_to_the_openapi_description(
    settings: Settings, world: World
) -> None:
    await world.tenant("throwaway", domain=HOST)
    admin = await world.member("throwaway", "admin@example.com", Role.ADMIN)
    author = await world.member("throwaway", "author@example.com")
    await world.thread("throwaway", author, replies=2)
    # The schemathesis client runs the app on an event loop of its own: in-process jobs there.
    app = create_app(replace(settings, redis_url=""))
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    anonymous: dict[str, Any] = {"name": "anonymous", "cookies": {}, "headers": {}}
    key = await with_an_api_key(world, admin)
    try:
        signed_in = await anyio.to_thread.run_sync(signed_in_as_admin, app, admin.email)
        callers = [anonymous, signed_in, key]
        findings = await anyio.to_thread.run_sync(run_all, schema, callers)
    finally:
        await anyio.to_thread.run_sync(asgi.shutdown_lifespans)
    print(
        f"\nschemathesis: {len(findings.operations)} operations, {findings.examples} examples, "
        f"{len(findings.failures)} distinct failures"
    )
    report = "\n".join(
        f"{n:4d} × {failure}\n       {findings.examples_of[failure]}"
        for failure, n in sorted(findings.failures.items())
    )
    assert not findings.failures, report
