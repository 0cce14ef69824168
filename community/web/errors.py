"""Every error becomes a clear answer: JSON under /api and /hooks, an HTML page (or htmx fragment) elsewhere."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.enums import ParamType
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
from litestar.response import Redirect, Template
from sqlalchemy.exc import DBAPIError

from community.errors import DomainError, NotAuthenticated, ValidationFailed
from community.l10n import N_
from community.limits import TRY_AGAIN, RateLimited, wait_in_words
from community.web.context import is_htmx
from community.web.openapi import ErrorBody
from community.web.render import localizer_for, render

log = logging.getLogger(__name__)

CSRF_MESSAGE = N_("The form expired or was sent from another site. Reload the page and try again.")
NOT_FOUND = N_("Page not found")
TITLES = {
    401: N_("Please log in first."),
    403: N_("Not allowed"),
    404: NOT_FOUND,
    429: N_("Too many attempts"),
}
BEARER_CHALLENGE = 'Bearer realm="api"'  # the API also takes a session cookie (see /schema)
UNAVAILABLE = N_("The service is unavailable for a moment. Try again in a few seconds.")


def is_api(request: Request[Any, Any, Any]) -> bool:
    # The raw path: building request.url can itself fail, and this runs for every error.
    return str(request.scope["path"]).startswith(("/api/", "/hooks/"))


def error_response(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    errors: dict[str, str] | None = None,
) -> Response[Any]:
    if is_api(request):
        body = ErrorBody(status_code, message, errors or {})
        return Response(body, status_code=status_code, media_type=MediaType.JSON)
    if request.state.get("tenant") is None:
        return Response(message, status_code=status_code, media_type=MediaType.TEXT)
    headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"} if is_htmx(request) else None
    template = "partials/flash.html" if is_htmx(request) else "errors/error.html"
    title = TITLES.get(status_code, N_("Something went wrong"))
    return render(
        request, template, status_code=status_code, headers=headers, title=title, message=message
    )


def _come_back_to(request: Request[Any, Any, Any]) -> str:
    """Where to return after logging in: this page, or for a form sent by a guest (a vote,
    a reply), the page the form was on."""
    if request.method in {"GET", "HEAD"}:
        return request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path and referer.netloc == request.headers.get("host", ""):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    segments = request.url.path.rstrip("/").split("/")
    # /p/12/vote -> /p/12: the thing the action was on (its page redirects to the post).
    return "/".join(segments[:-1]) if len(segments) > 3 else request.url.path


def login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    target = "/login?next=" + quote(_come_back_to(request))
    if is_htmx(request):
        return Response(content=None, status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def rate_limited_message(request: Request[Any, Any, Any], exc: RateLimited) -> str:
    """ "Too many attempts: try again in 2 minutes.", in the community's language on pages
    (JSON answers keep the English text)."""
    if is_api(request):
        return exc.message
    l10n = localizer_for(
        request.state.get("tenant"), getattr(request.state.get("viewer"), "locale", "")
    )
    return l10n.gettext(TRY_AGAIN, wait=wait_in_words(exc.retry_after, l10n.locale))


def rate_limited_headers(exc: RateLimited) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after)}


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, NotAuthenticated) and not is_api(request):
        return login_redirect(request)
    if isinstance(exc, RateLimited):
        response = error_response(request, 429, rate_limited_message(request, exc))
        response.headers.update(rate_limited_headers(exc))
        return response
    errors = exc.errors if isinstance(exc, ValidationFailed) else None
    response = error_response(request, exc.status_code, exc.message, errors)
    if isinstance(exc, NotAuthenticated):  # RFC 9110: a 401 says how to authenticate
        response.headers["WWW-Authenticate"] = BEARER_CHALLENGE
    response.headers.update(exc.headers)
    return response


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    message = exc.detail
    if isinstance(exc, PermissionDeniedException) and "CSRF" in exc.detail:
        message = CSRF_MESSAGE
    errors = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        if _only_path_parameters(exc.extra):  # /t/0, /t/99999999999: no such page
            return error_response(request, 404, NOT_FOUND)
        errors = {str(e.get("key", "")): str(e.get("message", "")) for e in exc.extra}
        message = _validation_message(errors) or message
    response = error_response(request, exc.status_code, message, errors)
    response.headers.update(exc.headers or {})
    return response


def _only_path_parameters(extra: list[Any]) -> bool:
    return bool(extra) and all(
        isinstance(e, dict) and e.get("source") == ParamType.PATH for e in extra
    )


def _validation_message(errors: dict[str, str]) -> str:
    """What was wrong, parameter by parameter (`page: Expected int <= 2147483647`), rather
    than Litestar's "Validation failed for GET /c/x"."""
    return "; ".join(f"{key}: {problem}" if key else problem for key, problem in errors.items())


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any] | Template:
    path = request.scope["path"]
    log.exception("unhandled error on %s %s", request.method, path, exc_info=exc)
    return error_response(request, 500, N_("Something went wrong"))


def on_database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any] | Template:
    """A dropped or refused database connection: nothing was kept, and trying again is safe
    (the pool replaces the connection); anything else from the database is a bug."""
    if not exc.connection_invalidated:
        return on_unexpected(request, exc)
    log.warning("database connection lost on %s %s: %s", request.method, request.url.path, exc)
    response = error_response(request, 503, UNAVAILABLE)
    response.headers["Retry-After"] = "2"
    return response


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    DomainError: on_domain_error,
    DBAPIError: on_database_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
