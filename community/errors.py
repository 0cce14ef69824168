"""Domain errors raised by services; the web layer turns them into 4xx answers."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}  # what the answer carries besides (WWW-Authenticate…)


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class NotAuthenticated(DomainError):
    status_code = 401


class ValidationFailed(DomainError):
    """Bad input. `errors` maps a field name to its problem, so a form can mark it."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def require(errors: dict[str, str]) -> None:
    """Raise ValidationFailed when any check has failed."""
    if errors:
        raise ValidationFailed(errors)
