"""The member's account: proving an address, resetting a forgotten password, and changing
one's name, language, email and password.

Every link mailed here carries an account token (`community.identity.tokens`): random,
single-use, expiring. Asking for a reset link answers the same whatever the address, so the
form tells no one who has an account; it is held to limits per client address and per
account (the SHA-256 of the address, counted whether or not it has one). Links are built on
the community's public address (`base_url`, `community.escalation.delivery.tenant_base_url`).
"""

from __future__ import annotations

from sqlalchemy import select

from community import limits
from community.db import commit, utcnow
from community.errors import ValidationFailed, require
from community.identity import backoff, tokens
from community.identity.models import Member
from community.identity.passwords import hash_password, verify_password
from community.identity.services import (
    DUPLICATE_EMAIL,
    EMAIL_RE,
    MIN_PASSWORD_LENGTH,
    check_name_is_distinct,
    display_name_problem,
    find_member_by_email,
    normalise_email,
)
from community.identity.sessions import end_all_sessions
from community.identity.tokens import Purpose
from community.inputs import control_errors, normalise_line
from community.l10n import LOCALES, N_
from community.limits import Rule
from community.mail import send_mail
from community.scope import Scope
from community.web.client import rate_limit_key

RESEND_PER_MEMBER = Rule(limit=3, period=3600)
RESET_PER_ADDRESS = Rule(limit=10, period=3600)
RESET_PER_ACCOUNT = Rule(limit=3, period=3600)
EMAIL_CHANGE_PER_MEMBER = Rule(limit=5, period=3600)
PASSWORD_CHECKS_PER_MEMBER = Rule(limit=10, period=3600)
WRONG_CURRENT_PASSWORD = N_("This is not your current password.")
SHORT_PASSWORD = N_("Your password must be at least 8 characters long.")
SAME_EMAIL = N_("This is already your email address.")
BAD_LOCALE = N_("Choose a language from the list.")
# The mail (templates/mail/<name>.*) and the page its link opens, by purpose.
LINK_MAILS = {
    Purpose.VERIFY_EMAIL: ("verify_email", "/account/verify/"),
    Purpose.RESET_PASSWORD: ("reset_password", "/password/reset/"),
}


def _link(base_url: str, path: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{path}{token}"


def _locale_of(member: Member) -> str | None:
    return member.locale or None


# ---- proving an address ---------------------------------------------------------------------


async def send_verification(scope: Scope, member: Member, base_url: str) -> None:
    """Mail `member` a link that proves their address (after registering, or on request)."""
    await _mail_link(scope, member, Purpose.VERIFY_EMAIL, base_url)


async def _mail_link(scope: Scope, member: Member, purpose: Purpose, base_url: str) -> None:
    token = await tokens.issue(scope, member, purpose)
    template, path = LINK_MAILS[purpose]
    await send_mail(
        scope, to=member.email, template=template, locale=_locale_of(member),
        context={"name": member.display_name, "link": _link(base_url, path, token)},
    )  # fmt: skip


async def resend_verification(scope: Scope, base_url: str) -> bool:
    """The signed-in member asks for the link again; False when already verified."""
    member = scope.actor
    if member.email_verified_at is not None:
        return False
    await limits.hit(scope, "verify-resend", str(member.id), RESEND_PER_MEMBER)
    await send_verification(scope, member, base_url)
    return True


async def verify_email(scope: Scope, token: str) -> Member:
    """The link of a verification mail was opened: the member's address is proven."""
    used = await tokens.redeem(scope, token, Purpose.VERIFY_EMAIL)
    member = await scope.one(Member, used.member_id, "No such member.")
    if member.email_verified_at is None:
        member.email_verified_at = utcnow()
    return member


# ---- a forgotten password -------------------------------------------------------------------


async def request_password_reset(scope: Scope, email: str, *, address: str, base_url: str) -> None:
    """Mail a reset link if `email` is a member's here; the same outcome either way."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise ValidationFailed({"email": N_("Enter a valid email address.")})
    await limits.hit(scope, "reset", rate_limit_key(address), RESET_PER_ADDRESS)
    await limits.hit(scope, "reset-account", backoff.account_key(email), RESET_PER_ACCOUNT)
    member = await find_member_by_email(scope, email)
    if member is None:
        return
    await _mail_link(scope, member, Purpose.RESET_PASSWORD, base_url)


async def check_reset_token(scope: Scope, token: str) -> None:
    """TokenRefused unless the reset link would work now (before its form is shown)."""
    await tokens.peek(scope, token, Purpose.RESET_PASSWORD)


async def reset_password(scope: Scope, token: str, password: str) -> Member:
    """Set a new password with a reset link, once; every session of the member ends (the
    caller signs this browser in). The link came by mail: the address is proven too."""
    await tokens.peek(scope, token, Purpose.RESET_PASSWORD)  # a dead link, whatever was typed
    _check_new_password(password)
    used = await tokens.redeem(scope, token, Purpose.RESET_PASSWORD)
    member = await scope.one(Member, used.member_id, "No such member.")
    member.password_hash = await hash_password(password)
    if member.email_verified_at is None:
        member.email_verified_at = utcnow()
    await end_all_sessions(scope, member.id)
    return member


def _check_new_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({field: SHORT_PASSWORD})


# ---- the account page -----------------------------------------------------------------------


async def update_profile(scope: Scope, *, display_name: str, locale: str) -> Member:
    """The member's name (distinct from everyone else's here) and interface language."""
    member = scope.actor
    display_name = normalise_line(display_name)
    errors = control_errors([("display_name", display_name)])
    if not errors and (problem := display_name_problem(display_name)):
        errors["display_name"] = problem
    if locale not in ("", *LOCALES):
        errors["locale"] = BAD_LOCALE
    require(errors)
    if display_name != member.display_name:
        await check_name_is_distinct(scope, display_name, except_member=member.id)
        member.display_name = display_name
    member.locale = locale
    return member


async def _check_current_password(scope: Scope, member: Member, password: str) -> None:
    """A member who has a password proves it again; one signed in by SSO only has none."""
    if not member.password_hash:
        return
    await limits.hit(scope, "account-password", str(member.id), PASSWORD_CHECKS_PER_MEMBER)
    await commit(scope.db)  # no transaction (nor SQLite's one write lock) held while argon2 works
    if not await verify_password(member.password_hash, password):
        raise ValidationFailed({"current_password": WRONG_CURRENT_PASSWORD})


async def request_email_change(
    scope: Scope, *, new_email: str, password: str, base_url: str
) -> str:
    """Mail a confirmation link to the new address and a notice to the current one; the
    address changes only when the link is opened. Returns the new address."""
    member = scope.actor
    new_email = normalise_email(new_email)
    errors = control_errors([("email", new_email)])
    if not EMAIL_RE.match(new_email) or len(new_email) > 320:
        errors.setdefault("email", N_("Enter a valid email address."))
    elif new_email == member.email:
        errors["email"] = SAME_EMAIL
    require(errors)
    await limits.hit(scope, "email-change", str(member.id), EMAIL_CHANGE_PER_MEMBER)
    if await find_member_by_email(scope, new_email):
        raise ValidationFailed({"email": DUPLICATE_EMAIL})
    await _check_current_password(scope, member, password)
    token = await tokens.issue(scope, member, Purpose.CHANGE_EMAIL, new_email)
    context = {"name": member.display_name, "old_email": member.email, "new_email": new_email}
    await send_mail(
        scope, to=new_email, template="confirm_email_change", locale=_locale_of(member),
        context=context | {"link": _link(base_url, "/account/email/confirm/", token)},
    )  # fmt: skip
    await send_mail(
        scope, to=member.email, template="email_change_notice", locale=_locale_of(member),
        context=context | {"link": _link(base_url, "/password/forgot", "")},
    )  # fmt: skip
    return new_email


async def confirm_email_change(scope: Scope, token: str) -> Member:
    """The link mailed to the new address was opened: it becomes the member's, proven."""
    used = await tokens.redeem(scope, token, Purpose.CHANGE_EMAIL)
    member = await scope.one(Member, used.member_id, "No such member.")
    taken = await scope.db.scalar(
        select(Member.id).where(Member.email == used.new_email, Member.id != member.id)
    )
    if taken is not None:  # someone registered with it since the link was sent
        raise ValidationFailed({"email": DUPLICATE_EMAIL})
    member.email, member.email_verified_at = used.new_email, utcnow()
    return member


async def change_password(
    scope: Scope, *, current_password: str, new_password: str, current_session: int | None
) -> int:
    """A new password for the signed-in member; every other session ends. Returns how many."""
    member = scope.actor
    _check_new_password(new_password, "new_password")
    await _check_current_password(scope, member, current_password)
    member.password_hash = await hash_password(new_password)
    return await end_all_sessions(scope, member.id, except_current=current_session)
