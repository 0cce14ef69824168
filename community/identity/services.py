"""Registering, authenticating and creating members."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from community.db import get_in_tenant, in_tenant, utcnow
from community.errors import Forbidden, ValidationFailed, require
from community.identity.models import Member, Role
from community.identity.passwords import hash_password, verify_password

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
DUPLICATE_EMAIL = "An account with this email already exists."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_registration(email: str, display_name: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not EMAIL_RE.match(email) or len(email) > 320:
        errors["email"] = "Enter a valid email address."
    if not 2 <= len(display_name.strip()) <= 80:
        errors["display_name"] = "Your name must be 2 to 80 characters long."
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = "Your password must be at least 8 characters long."
    return errors


async def find_member_by_email(session: AsyncSession, tenant_id: int, email: str) -> Member | None:
    query = in_tenant(Member, tenant_id).where(Member.email == normalise_email(email))
    return await session.scalar(query)


async def create_member(
    session: AsyncSession,
    tenant_id: int,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.MEMBER,
) -> Member:
    """A new member of one tenant. The same email may belong to a separate member elsewhere."""
    email = normalise_email(email)
    require(check_registration(email, display_name, password))
    if await find_member_by_email(session, tenant_id, email):
        raise ValidationFailed({"email": DUPLICATE_EMAIL})
    member = Member(
        tenant_id=tenant_id,
        email=email,
        display_name=display_name.strip(),
        password_hash=await hash_password(password),
        role=role,
    )
    session.add(member)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise ValidationFailed({"email": DUPLICATE_EMAIL}) from exc
    return member


class Suspended(Forbidden):
    """The member is banned or suspended: they may not log in, and are told until when and why."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__("Your account is suspended.")
        self.until, self.reason = until, reason


async def authenticate(session: AsyncSession, tenant_id: int, email: str, password: str) -> Member:
    member = await find_member_by_email(session, tenant_id, email)
    if not await verify_password(member.password_hash if member else None, password) or not member:
        raise ValidationFailed({"password": "Wrong email or password."})
    if member.banned_until is not None and member.is_banned(utcnow()):
        raise Suspended(member.banned_until, member.ban_reason)
    return member


async def get_member(session: AsyncSession, tenant_id: int, member_id: int) -> Member | None:
    return await get_in_tenant(session, Member, tenant_id, member_id)


async def set_role(session: AsyncSession, member: Member, role: Role) -> None:
    member.role = role
    await session.flush()
