"""What the OpenAPI description says about every operation besides its success: the error
answers it can give (with the body `community.web.errors` really sends) and how a caller
authenticates. Handlers take one of the kinds below: `@post("/", **MEMBER_WRITE)`.

Every operation may answer 400 (a parameter, a body or the Host header that does not parse)
and 404 (no community at this address, or no such thing). Signed-in operations add 401 (no
session) and 403 (not allowed, or for an unsafe method a missing or wrong `x-csrftoken`
header). Any may answer 422: a body field or a filter refused by a rule of the community
(named in `errors`)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, Reference, SecurityRequirement, SecurityScheme

SESSION_SCHEME = "session"
BEARER_SCHEME = "apiKey"  # community.web.bearer adds it, with its scope, to every /api/ operation
CSRF_SCHEME = "csrf"
SIGNATURE_SCHEME = "webhookSignature"


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """An error answer of the API."""

    status_code: int
    detail: str
    errors: dict[str, str] = msgspec.field(default_factory=dict)  # field name -> its problem


DESCRIPTIONS = {
    400: "The request does not parse: a parameter, the body or the Host header.",
    401: (
        "Not signed in, or an API key unknown here, revoked or expired (WWW-Authenticate says "
        "so); for a callback, not signed by the target's secret."
    ),
    403: (
        "Signed in but not allowed; an API key without the scope the operation needs; or an "
        "unsafe request of a session without the right x-csrftoken header."
    ),
    404: "No community at this address, or no such resource.",
    422: "A field or a filter was refused: `errors` names each one and its problem.",
    429: "Too many requests: wait and try again.",
}


def error_responses(*status_codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(
            data_container=ErrorBody, description=DESCRIPTIONS[code], generate_examples=False
        )
        for code in status_codes
    }


def operation_kind(
    status_codes: tuple[int, ...], security: list[SecurityRequirement]
) -> dict[str, Any]:
    """The keyword arguments of a route decorator for one kind of operation."""
    return {"responses": error_responses(*status_codes), "security": security}


SIGNED_IN: SecurityRequirement = {SESSION_SCHEME: []}
SIGNED_IN_WITH_CSRF: SecurityRequirement = {SESSION_SCHEME: [], CSRF_SCHEME: []}
ANONYMOUS: SecurityRequirement = {}

# Reads anyone may make (a session only changes what the answer offers to do).
PUBLIC_READ = operation_kind((400, 404, 422), [ANONYMOUS, SIGNED_IN])
# Reads for members, staff or admins.
MEMBER_READ = operation_kind((400, 401, 403, 404, 422), [SIGNED_IN])
# Anything that changes something: a session and the CSRF header.
MEMBER_WRITE = operation_kind((400, 401, 403, 404, 422), [SIGNED_IN_WITH_CSRF])
# Callbacks from a contact centre: Standard Webhooks signature headers, no session.
SIGNED_CALLBACK = operation_kind((400, 401, 404, 422), [{SIGNATURE_SCHEME: []}])


def security_components(session_cookie: str) -> Components:
    """The authentication schemes the operations above refer to."""
    return Components(
        security_schemes=SECURITY_SCHEMES
        | {
            SESSION_SCHEME: SecurityScheme(
                type="apiKey",
                name=session_cookie,
                security_scheme_in="cookie",
                description="The session cookie that signing in at /login sets.",
            )
        }
    )


SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    BEARER_SCHEME: SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="pvk_<prefix>_<secret>",
        description=(
            "An API key made by a community admin at /admin/api-keys: "
            "`Authorization: Bearer pvk_…`. Each operation lists the one scope it needs "
            "(read, write, moderate or admin). No CSRF header and no cookie with a key."
        ),
    ),
    CSRF_SCHEME: SecurityScheme(
        type="apiKey",
        name="x-csrftoken",
        security_scheme_in="header",
        description="Unsafe methods (POST, PUT, PATCH, DELETE) echo the csrftoken cookie here.",
    ),
    SIGNATURE_SCHEME: SecurityScheme(
        type="apiKey",
        name="webhook-signature",
        security_scheme_in="header",
        description=(
            "Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature "
            "(HMAC-SHA256 with the target's callback secret)."
        ),
    ),
}
