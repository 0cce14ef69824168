"""@mentions: `@Name` in a post, where a space in a member's name is written `_`
(`@Alice_Martin`). Resolved once at write time; the renderer links each to the profile."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from community.identity.models import Member
from community.scope import Scope

# After a start or a space-like character, so an e-mail address mentions nobody.
MENTION = re.compile(r"(?<![\w@.])@([^\W_][\w.\-]{0,79})")


def mention_key(name: str) -> str:
    """How a mention is matched: case-folded, spaces as underscores, no trailing dot."""
    return name.rstrip(".-").casefold()


def _handle_key(display_name: str) -> str:
    return mention_key(display_name.replace(" ", "_"))


async def resolve_mentions(scope: Scope, body: str) -> dict[str, int]:
    """The mentions of the body that name a member of the tenant: their key to the member id
    (the oldest account when two share a name). Erased members are not mentioned. Names are
    compared in Python: SQLite's lower() only folds ASCII."""
    keys = {mention_key(m) for m in MENTION.findall(body)}
    if not keys:
        return {}
    rows = await scope.db.execute(
        select(Member.id, Member.display_name)
        .where(
            func.length(Member.display_name).in_(sorted({len(k) for k in keys})),
            Member.erased_at.is_(None),
        )
        .order_by(Member.id.desc())
    )
    found = {_handle_key(name): member_id for member_id, name in rows}
    return {key: found[key] for key in keys if key in found}


async def suggest_members(scope: Scope, prefix: str, limit: int = 8) -> list[Member]:
    """Members whose name starts with the prefix (spaces or underscores), for autocompletion."""
    prefix = prefix.strip().lstrip("@").replace("_", " ")
    if not prefix:
        return []
    escaped = prefix.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = await scope.db.scalars(
        select(Member)
        .where(
            func.lower(Member.display_name).like(f"{escaped}%", escape="\\"),
            Member.erased_at.is_(None),
        )
        .order_by(Member.reputation.desc(), Member.id)
        .limit(limit)
    )
    return list(result.all())


def mention_handle(display_name: str) -> str:
    """What to type to mention this member."""
    return "@" + display_name.replace(" ", "_")
