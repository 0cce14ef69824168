"""Members who sign in through someone else: the brand's OpenID provider or its signed tokens.

Both ways end here, in `sign_in_external`, with what the other side vouches for (an
`ExternalProfile`). The member is found by (issuer, subject) first — an email can change on
the provider's side, the subject does not — then, once, linked to an existing account with
the same email: only if the provider says the email is verified, and only after the person
confirms (`LinkNeedsConfirmation`), so an unverified address never takes an account over.
Later sign-ins refresh the claims the tenant maps (name, customer id and tier).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow
from community.errors import Forbidden, ValidationFailed
from community.events import EVENTS, MEMBER_JOINED
from community.identity.models import Member
from community.identity.services import (
    check_name_is_distinct,
    find_member_by_email,
    normalise_email,
)
from community.inputs import has_words, normalise_line
from community.l10n import N_
from community.scope import Scope

UNVERIFIED_EMAIL = N_(
    "Your identity provider has not verified this email address, and an account already uses "
    "it: verify it with your provider, or sign in with your password."
)
NO_EMAIL = N_("Your identity provider did not give an email address: Parvis needs one.")


class MemberIdentity(TenantOwned, Base):
    """One account at an identity provider, linked to one member of the tenant."""

    __tablename__ = "member_identities"
    __table_args__ = (UniqueConstraint("tenant_id", "issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))  # "https://idp.example" or "token"
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True, slots=True)
class ExternalProfile:
    issuer: str
    subject: str
    email: str
    email_verified: bool
    display_name: str = ""
    customer_id: str = ""
    customer_tier: str = ""


class LinkNeedsConfirmation(Exception):
    """An account with the profile's (verified) email exists: the person must confirm that it
    is theirs before it is linked (the web layer asks, then calls again with confirmed_link)."""

    def __init__(self, member: Member) -> None:
        super().__init__(member.email)
        self.member = member


async def sign_in_external(
    scope: Scope, profile: ExternalProfile, *, confirmed_link: bool = False
) -> Member:
    """The member this profile signs in (found, linked or created), with its claims applied;
    the caller then logs them in. Nothing is written when it raises."""
    identity = await _identity(scope, profile)
    if identity is not None:
        member = await scope.one(Member, identity.member_id)
        identity.last_sign_in_at = utcnow()
    else:
        member = await _link_or_create(scope, profile, confirmed_link=confirmed_link)
    _apply_claims(member, profile)
    await scope.db.flush()
    return member


async def _identity(scope: Scope, profile: ExternalProfile) -> MemberIdentity | None:
    query = scope.select(MemberIdentity).where(
        MemberIdentity.issuer == profile.issuer, MemberIdentity.subject == profile.subject
    )
    return await scope.db.scalar(query)


async def _link_or_create(
    scope: Scope, profile: ExternalProfile, *, confirmed_link: bool
) -> Member:
    email = normalise_email(profile.email)
    if not email:
        raise ValidationFailed({"email": NO_EMAIL})
    member = await find_member_by_email(scope, email)
    if member is not None:
        if not profile.email_verified:
            raise Forbidden(UNVERIFIED_EMAIL)
        if not confirmed_link:
            raise LinkNeedsConfirmation(member)
    else:
        member = await _new_member(scope, email, profile)
    scope.db.add(
        MemberIdentity(member_id=member.id, issuer=profile.issuer, subject=profile.subject)
    )
    try:
        async with scope.db.begin_nested():
            await scope.db.flush()
    except IntegrityError as exc:  # the same identity signing in twice at once
        raise Forbidden(N_("This sign-in is already in progress: try again.")) from exc
    return member


async def _new_member(scope: Scope, email: str, profile: ExternalProfile) -> Member:
    member = Member(
        email=email,
        display_name=await _distinct_name(scope, profile.display_name or email.split("@")[0]),
        password_hash="",  # no password: signs in through the provider only
    )
    if profile.email_verified:
        member.email_verified_at = utcnow()
    _apply_claims(member, profile)  # the customer id is known to whoever hears of the joining
    scope.db.add(member)
    await scope.db.flush()
    await EVENTS.announce(scope, MEMBER_JOINED, member_id=member.id)
    return member


async def _distinct_name(scope: Scope, wanted: str) -> str:
    """The provider's name, or the first free 'Name 2', 'Name 3'… (members cannot be asked)."""
    base = normalise_line(wanted)[:74] if has_words(wanted) else "member"
    base = base if len(base) >= 2 else f"{base} member"
    for suffix in ["", *(f" {n}" for n in range(2, 50))]:
        try:
            await check_name_is_distinct(scope, base + suffix)
        except ValidationFailed:
            continue
        return base + suffix
    raise ValidationFailed({"display_name": N_("Choose a display name on your account page.")})


def _apply_claims(member: Member, profile: ExternalProfile) -> None:
    if profile.customer_id:
        member.customer_id = profile.customer_id[:120]
    if profile.customer_tier:
        member.customer_tier = profile.customer_tier[:40]
    if profile.email_verified and member.email_verified_at is None:
        member.email_verified_at = utcnow()
