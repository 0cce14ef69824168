"""Which notifications a member wants by email, and when; unsubscribing; failing addresses.

Kinds are read from `NOTIFICATION_TEXTS` (whatever kinds the notification table names), by
family: the part of the kind before any ":" (`idea_status:planned` is `idea_status`). A kind
the table does not name falls under OTHER. Defaults: what follows from something the member
follows (a family naming "follow", "watch", "category", "tag", "announcement", or an idea's
status) waits for the daily digest; everything else, addressed to the member, goes at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.db import insert_missing, utcnow
from community.errors import NotFound, require
from community.identity.models import Member
from community.l10n import N_
from community.mailing.models import Frequency, MailPreferences
from community.notify.models import NOTIFICATION_TEXTS
from community.scope import Scope

OTHER = "other"
BOUNCE_LIMIT = 3  # permanent refusals in a row before an address is no longer mailed
DIGEST_WORDS = ("follow", "watch", "category", "tag", "announcement", "idea_status")
VALUES = frozenset(f.value for f in Frequency)
BAD_CHOICE = N_("Choose immediately, daily, weekly or never.")
UNKNOWN_LINK = N_("This unsubscribe link is not valid (any more).")


def family(kind: str) -> str:
    return kind.partition(":")[0]


def kinds() -> list[str]:
    """Every kind family a member can choose for, in the notification table's order."""
    families = dict.fromkeys(family(kind) for kind in NOTIFICATION_TEXTS)
    return [*families, OTHER]


def default_frequency(kind_family: str) -> Frequency:
    if any(word in kind_family for word in DIGEST_WORDS):
        return Frequency.DAILY
    return Frequency.IMMEDIATE


def frequency_for(preferences: MailPreferences, kind: str) -> Frequency:
    known = kinds()
    key = family(kind) if family(kind) in known else OTHER
    chosen = (preferences.choices or {}).get(key, "")
    return Frequency(chosen) if chosen in VALUES else default_frequency(key)


def choices_of(preferences: MailPreferences) -> dict[str, Frequency]:
    """Every kind family with the member's choice (or its default)."""
    return {key: frequency_for(preferences, key) for key in kinds()}


async def preferences_of(scope: Scope, member_id: int) -> MailPreferences:
    """The member's row, made with the defaults the first time it is needed."""
    found = await _find(scope, member_id)
    if found is not None:
        return found
    try:
        async with scope.db.begin_nested():
            row = MailPreferences(member_id=member_id, choices={})
            scope.db.add(row)
        return row
    except IntegrityError:  # made meanwhile by a concurrent transaction
        found = await _find(scope, member_id)
        assert found is not None
        return found


async def preferences_for_many(scope: Scope, member_ids: set[int]) -> dict[int, MailPreferences]:
    result = await scope.db.scalars(
        select(MailPreferences).where(MailPreferences.member_id.in_(member_ids))
    )
    known = {row.member_id: row for row in result.all()}
    missing = member_ids - known.keys()
    if not missing:
        return known
    # The first mail of many members at once (a burst of answers): one INSERT, one read.
    await insert_missing(scope.db, MailPreferences, [
        {"tenant_id": scope.tenant_id, "member_id": m, "choices": {}} for m in sorted(missing)
    ])  # fmt: skip
    made = await scope.db.scalars(
        select(MailPreferences).where(MailPreferences.member_id.in_(missing))
    )
    return known | {row.member_id: row for row in made.all()}


async def _find(scope: Scope, member_id: int) -> MailPreferences | None:
    return await scope.db.scalar(
        select(MailPreferences).where(MailPreferences.member_id == member_id)
    )


async def my_preferences(scope: Scope) -> MailPreferences:
    return await preferences_of(scope, scope.actor.id)


async def update_preferences(scope: Scope, choices: Mapping[str, str]) -> MailPreferences:
    """The actor's choice for each kind family named in `choices` (others unchanged)."""
    known = kinds()
    errors = {
        key: BAD_CHOICE for key, value in choices.items() if key in known and value not in VALUES
    }
    require(errors)
    row = await my_preferences(scope)
    picked = {key: value for key, value in choices.items() if key in known}
    row.choices = (row.choices or {}) | picked  # a new dict: JSON columns track assignment
    row.updated_at = utcnow()
    return row


async def by_token(scope: Scope, token: str) -> MailPreferences:
    row = await scope.db.scalar(select(MailPreferences).where(MailPreferences.token == token))
    if row is None or not token:
        raise NotFound(UNKNOWN_LINK)
    return row


async def unsubscribe(scope: Scope, token: str, kind: str | None = None) -> MailPreferences:
    """No more mail of `kind` (of any kind when None) for the member the link was sent to."""
    row = await by_token(scope, token)
    targets = [family(kind)] if kind and family(kind) in kinds() else kinds()
    row.choices = (row.choices or {}) | dict.fromkeys(targets, Frequency.NEVER.value)
    row.updated_at = utcnow()
    return row


def address_failing(preferences: MailPreferences) -> bool:
    """Whether the member's address has been refused too often to be mailed again."""
    return preferences.bounces >= BOUNCE_LIMIT


def mailable(member: Member, preferences: MailPreferences) -> bool:
    return bool(member.email) and member.erased_at is None and not address_failing(preferences)


def record_bounce(preferences: MailPreferences, error: str) -> None:
    preferences.bounces += 1
    preferences.last_bounce = error[:300]


def record_delivered(preferences: MailPreferences) -> None:
    preferences.bounces, preferences.last_bounce = 0, ""


async def try_address_again(scope: Scope) -> MailPreferences:
    """The actor says their address works again (fixed mailbox): mail it once more."""
    row = await my_preferences(scope)
    record_delivered(row)
    return row
