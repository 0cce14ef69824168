"""Registering, authenticating and creating members.

Each runs in a tenant's scope, usually with no member yet (a guest registering or logging
in). The CLI creating a community's first admin, the demo and the tests build that scope
with `Scope.load(session, tenant_id)`: there is no cross-tenant way to create a member.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from community import limits
from community.db import commit, utcnow
from community.errors import Forbidden, ValidationFailed, require
from community.events import EVENTS, MEMBER_JOINED
from community.identity import backoff
from community.identity.models import Member, Role
from community.identity.passwords import hash_password, verify_password
from community.inputs import control_errors, has_words, name_keys, normalise_line
from community.l10n import N_
from community.limits import Rule
from community.scope import Scope
from community.web.client import rate_limit_key

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
DUPLICATE_EMAIL = N_("An account with this email already exists.")
WRONG_PASSWORD = N_("Wrong email or password.")
# Per client address in one community (the tenant resolved from the Host, not its spelling).
LOGIN_PER_ADDRESS = Rule(limit=10, period=60)
REGISTER_PER_ADDRESS = Rule(limit=10, period=3600)
NAME_TAKEN = N_("This name is taken, or looks too much like another member's: choose another.")
LOOKS_LIKE_STAFF = N_("This name looks like the name of a member of the team: choose another.")
STAFF_ROLES = {Role.MODERATOR, Role.EXPERT, Role.ADMIN, Role.AGENT}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_registration(email: str, display_name: str, password: str) -> dict[str, str]:
    """Problems of what was typed; `display_name` as normalise_line gives it."""
    errors = control_errors([("email", email), ("display_name", display_name)])
    if not EMAIL_RE.match(email) or len(email) > 320:
        errors.setdefault("email", N_("Enter a valid email address."))
    if problem := display_name_problem(display_name):
        errors.setdefault("display_name", problem)
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = N_("Your password must be at least 8 characters long.")
    return errors


def display_name_problem(display_name: str) -> str | None:
    """What is wrong with a name as normalise_line gives it, if anything."""
    if not 2 <= len(display_name) <= 80:
        return N_("Your name must be 2 to 80 characters long.")
    if not has_words(display_name):
        return N_("Write a name with letters or digits in it.")
    return None


async def check_name_is_distinct(
    scope: Scope, display_name: str, *, except_member: int | None = None
) -> None:
    """Refuse a name that looks like a member's of this community (a moderator's above all):
    the same once case, width, invisible characters and look-alike letters are set aside.
    `except_member`: the member renaming themself, whose current name does not count."""
    keys = name_keys(display_name)
    query = scope.select(Member).where(
        or_(Member.name_skeleton.in_(keys), Member.name_skeleton_as_written.in_(keys))
    )
    if except_member is not None:
        query = query.where(Member.id != except_member)
    roles = {member.role for member in await scope.db.scalars(query)}
    if roles & STAFF_ROLES:
        raise ValidationFailed({"display_name": LOOKS_LIKE_STAFF})
    if roles:
        raise ValidationFailed({"display_name": NAME_TAKEN})


async def find_member_by_email(scope: Scope, email: str) -> Member | None:
    query = scope.select(Member).where(Member.email == normalise_email(email))
    return await scope.db.scalar(query)


async def create_member(
    scope: Scope,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.MEMBER,
) -> Member:
    """A new member of the scope's tenant; the same email may be another member elsewhere.

    `role` is for the CLI, the demo and the tests: registration always makes a member.
    """
    email, display_name = normalise_email(email), normalise_line(display_name)
    require(check_registration(email, display_name, password))
    if await find_member_by_email(scope, email):
        raise ValidationFailed({"email": DUPLICATE_EMAIL})
    await check_name_is_distinct(scope, display_name)
    member = Member(
        email=email,
        display_name=display_name,
        password_hash=await hash_password(password),
        role=role,
    )
    scope.db.add(member)
    try:
        async with scope.db.begin_nested():
            await scope.db.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise ValidationFailed({"email": DUPLICATE_EMAIL}) from exc
    await EVENTS.announce(scope, MEMBER_JOINED, member_id=member.id)
    return member


class Suspended(Forbidden):
    """The member is banned or suspended: they may not log in, and are told until when and why."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(N_("Your account is suspended."))
        self.until, self.reason = until, reason


async def register(
    scope: Scope, *, email: str, display_name: str, password: str, address: str
) -> Member:
    """A guest registering from `address` (see `community.web.client`): within the limit
    per community and address (REGISTER_PER_ADDRESS), then `create_member`."""
    await limits.hit(scope, "register", rate_limit_key(address), REGISTER_PER_ADDRESS)
    return await create_member(scope, email=email, display_name=display_name, password=password)


async def authenticate(scope: Scope, email: str, password: str, *, address: str) -> Member:
    """The tenant's member with this email and password, unless suspended; guessing is held
    to the limits before any password is checked: per client address in the community, and
    per account, which backs off after repeated failures (`community.identity.backoff`)."""
    await limits.hit(scope, "login", rate_limit_key(address), LOGIN_PER_ADDRESS)
    email = normalise_email(email)
    charged = await backoff.charge_attempt(scope, email)
    member = await find_member_by_email(scope, email)
    await commit(scope.db)  # no transaction (nor SQLite's one write lock) held while argon2 works
    if not await verify_password(member.password_hash if member else None, password) or not member:
        await backoff.attempt_failed(scope, email, charged)
        raise ValidationFailed({"password": WRONG_PASSWORD})
    await backoff.forget_failures(scope, email)
    if member.banned_until is not None and member.is_banned(utcnow()):
        raise Suspended(member.banned_until, member.ban_reason)
    return member


async def get_member(scope: Scope, member_id: int) -> Member | None:
    return await scope.get(Member, member_id)
