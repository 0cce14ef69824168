"""API keys: made by a community's admins for the brand's other systems, used as
`Authorization: Bearer pvk_<prefix>_<secret>` on the JSON API.

A request with a key acts as the admin who made the key (so posts it writes are theirs and
every permission check is the usual one), capped by the key's scopes
(`community.identity.permissions.key_ceiling`): a `read` key of an admin moderates nothing.
A key stops working when it is revoked, when it expires, and when its maker is no longer
an admin of the community (a role change, a ban, an erasure): it is never more powerful than
the person who answers for it. Audit entries made through a key name it (`api_key_id`).

The secret is 32 random bytes, kept as its SHA-256, not as an argon2 hash like a password:
slow hashes are there to make guessing a human-chosen password expensive; a 256-bit random
secret cannot be guessed however fast the hash, and a key is checked on every API request,
where argon2's ~50 ms and 64 MiB per check would be the cost of each call. The prefix
finds the row (a unique index); the digests are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from community.db import utcnow
from community.errors import NotAuthenticated, require
from community.identity.api_key_models import ApiKey
from community.identity.models import Member
from community.identity.permissions import ApiScope, Permission, has_permission
from community.inputs import CONTROL_MESSAGE, has_control_characters, normalise_line
from community.l10n import N_
from community.moderation.audit import record
from community.scope import KeyGrant, Scope

KEY_PREFIX = "pvk"
PREFIX_BYTES = 6  # 12 hex characters: what lists show, and what finds the row
SECRET_BYTES = 32
KEY_SHAPE = re.compile(r"pvk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
NAME_MAX = 120
TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often
ADMINS_ONLY = N_("Only community admins manage API keys.")
NO_SUCH_KEY = N_("No such API key.")
REFUSED = N_("This API key is not valid here: it is unknown, revoked or expired.")
MAKER_GONE = N_("This API key no longer works: the admin who made it is no longer an admin.")
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}  # RFC 6750


@dataclass(frozen=True)
class KeyForm:
    """A key as asked for: its name, its scopes and when it expires (None: never)."""

    name: str
    scopes: tuple[str, ...]
    expires_at: datetime | None = None


@dataclass(frozen=True)
class MadeKey:
    """A new key and its whole token, which is shown this once and kept nowhere."""

    key: ApiKey
    token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _admin(scope: Scope) -> Member:
    return scope.require(Permission.CONFIGURE_COMMUNITY, ADMINS_ONLY)


def scopes_of(key: ApiKey) -> frozenset[ApiScope]:
    return frozenset(ApiScope(s) for s in key.scopes if s in set(ApiScope))


def check_form(form: KeyForm, now: datetime) -> KeyForm:
    """The form cleaned, or ValidationFailed naming each field's problem."""
    name = normalise_line(form.name)
    errors: dict[str, str] = {}
    if has_control_characters(form.name):
        errors["name"] = CONTROL_MESSAGE
    elif not name:
        errors["name"] = N_("Give the key a name: what will use it (a CRM, a report…).")
    elif len(name) > NAME_MAX:
        errors["name"] = N_("The name is 120 characters at most.")
    scopes = tuple(s for s in ApiScope if s.value in form.scopes)
    if not form.scopes:
        errors["scopes"] = N_("Choose at least one scope.")
    elif len(scopes) != len(set(form.scopes)):
        errors["scopes"] = N_("Scopes are read, write, moderate and admin.")
    if form.expires_at is not None and form.expires_at <= now:
        errors["expires_at"] = N_("The expiry must be in the future.")
    require(errors)
    return KeyForm(name, tuple(s.value for s in scopes), form.expires_at)


def snapshot(key: ApiKey) -> dict[str, object]:
    """What the audit log keeps of a key (never its secret)."""
    expires = key.expires_at.isoformat(timespec="seconds") if key.expires_at else None
    return {"name": key.name, "prefix": key.prefix, "scopes": key.scopes, "expires_at": expires}


async def create_key(scope: Scope, form: KeyForm) -> MadeKey:
    """A new key for the actor's community (admins); its token is in the answer only."""
    admin = _admin(scope)
    form = check_form(form, utcnow())
    prefix, secret = secrets.token_hex(PREFIX_BYTES), secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey(
        name=form.name,
        prefix=prefix,
        secret_hash=_digest(secret),
        scopes=list(form.scopes),
        created_by_id=admin.id,
        expires_at=form.expires_at,
    )
    scope.db.add(key)
    await scope.db.flush()
    record(scope, "api_key.create", ("api_key", key.id), after=snapshot(key))
    return MadeKey(key, f"{KEY_PREFIX}_{prefix}_{secret}")


async def list_keys(scope: Scope) -> list[ApiKey]:
    """The community's keys, revoked ones too (they say when), newest first."""
    _admin(scope)
    found = await scope.db.scalars(
        scope.select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(found.all())


async def revoke_key(scope: Scope, key_id: int) -> ApiKey:
    """Refuse the key from now on (a second revoke changes nothing)."""
    _admin(scope)
    key = await scope.one(ApiKey, key_id, NO_SUCH_KEY)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(scope, "api_key.revoke", ("api_key", key.id), before=snapshot(key))
        await scope.db.flush()
    return key


def is_usable(key: ApiKey, now: datetime) -> bool:
    return key.revoked_at is None and (key.expires_at is None or key.expires_at > now)


async def authenticate(scope: Scope, token: str) -> KeyGrant:
    """The key of this token on the scope's tenant, if it may be used now; else
    NotAuthenticated (a key of another community is unknown here)."""
    match = KEY_SHAPE.fullmatch(token)
    if match is None:
        raise NotAuthenticated(REFUSED, INVALID_TOKEN)
    now = utcnow()
    key = await scope.db.scalar(scope.select(ApiKey).where(ApiKey.prefix == match[1]))
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(match[2])):
        raise NotAuthenticated(REFUSED, INVALID_TOKEN)
    if not is_usable(key, now):
        raise NotAuthenticated(REFUSED, INVALID_TOKEN)
    maker = await scope.get(Member, key.created_by_id)
    if maker is None or not _still_admin(maker, now):
        raise NotAuthenticated(MAKER_GONE, INVALID_TOKEN)
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_INTERVAL:
        await scope.db.execute(
            update(ApiKey)
            .where(ApiKey.id == key.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
    return KeyGrant(key.id, key.name, maker.id, scopes_of(key))


def _still_admin(member: Member, now: datetime) -> bool:
    return (
        member.erased_at is None
        and not member.is_banned(now)
        and has_permission(member, Permission.CONFIGURE_COMMUNITY)
    )
