"""Account tokens: the random, single-use, expiring secrets that account mail links carry.

A link to verify an address, reset a password or confirm a new address carries a random
token (`secrets.token_urlsafe`); `account_tokens` keeps only its SHA-256, so a copy of the
database opens no account. Redeeming a token is one conditional UPDATE (unused, unexpired,
of that purpose): two clicks on the same link cannot both win. A refused token says why
(unknown, used, expired), so the page can tell the member what to do next.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, string_enum, utcnow
from community.errors import DomainError
from community.identity.models import Member
from community.identity.sessions import TOKEN_BYTES, TOKEN_SHAPE
from community.l10n import N_
from community.scope import Scope


class Purpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    CHANGE_EMAIL = "change_email"


LIFETIMES = {
    Purpose.VERIFY_EMAIL: timedelta(hours=48),
    Purpose.RESET_PASSWORD: timedelta(hours=1),
    Purpose.CHANGE_EMAIL: timedelta(hours=24),
}


class AccountToken(TenantOwned, Base):
    __tablename__ = "account_tokens"
    __table_args__ = (Index("ix_account_tokens_member_purpose", "member_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    purpose: Mapped[Purpose] = mapped_column(string_enum(Purpose))
    # The address a change of email goes to once confirmed ("" for the other purposes).
    new_email: Mapped[str] = mapped_column(String(320), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class TokenRefused(DomainError):
    """A link that opens nothing: `reason` is "unknown", "used" or "expired"."""

    status_code = 410

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


REFUSALS = {
    "unknown": N_("This link is not valid. Check that you copied all of it."),
    "used": N_("This link has been used already: each link works once."),
    "expired": N_("This link has expired."),
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(scope: Scope, member: Member, purpose: Purpose, new_email: str = "") -> str:
    """A new token for `member`; returns it (only its digest is kept)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    scope.db.add(
        AccountToken(
            member_id=member.id,
            purpose=purpose,
            new_email=new_email,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    await scope.db.flush()
    return token


async def peek(scope: Scope, token: str, purpose: Purpose) -> AccountToken:
    """The token's row if it would be accepted now (a form shown before it is used)."""
    row = await _find(scope, token, purpose)
    _refuse_unless_open(row, utcnow())
    assert row is not None
    return row


async def redeem(scope: Scope, token: str, purpose: Purpose) -> AccountToken:
    """Use the token once: its row, marked used, or TokenRefused. Every other open token of
    the member for this purpose is spent with it (an older reset link stops working)."""
    if not TOKEN_SHAPE.fullmatch(token):
        raise TokenRefused("unknown")  # not something issue() makes: not worth a query
    now = utcnow()
    won = await scope.db.scalar(
        update(AccountToken)
        .where(AccountToken.token_hash == _digest(token))
        .where(AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .where(AccountToken.expires_at > now)
        .values(used_at=now)
        .returning(AccountToken.id)
        .execution_options(synchronize_session=False)
    )
    if won is None:
        _refuse_unless_open(await _find(scope, token, purpose), now)
        raise TokenRefused("used")  # a concurrent click won between the two statements
    row = await scope.one(AccountToken, won)
    await scope.db.refresh(row)
    await scope.db.execute(
        update(AccountToken)
        .where(AccountToken.member_id == row.member_id, AccountToken.purpose == purpose)
        .where(AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return row


async def _find(scope: Scope, token: str, purpose: Purpose) -> AccountToken | None:
    if not TOKEN_SHAPE.fullmatch(token):
        return None  # not something issue() makes: not worth a query
    query = scope.select(AccountToken).where(
        AccountToken.token_hash == _digest(token), AccountToken.purpose == purpose
    )
    found: AccountToken | None = await scope.db.scalar(query)
    return found


def _refuse_unless_open(row: AccountToken | None, now: datetime) -> None:
    if row is None:
        raise TokenRefused("unknown")
    if row.used_at is not None:
        raise TokenRefused("used")
    if row.expires_at <= now:
        raise TokenRefused("expired")


async def open_tokens(scope: Scope, member_id: int, purpose: Purpose) -> list[AccountToken]:
    """The member's tokens of this purpose that would still be accepted."""
    rows = await scope.db.scalars(
        select(AccountToken).where(
            AccountToken.member_id == member_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
        )
    )
    return list(rows)
