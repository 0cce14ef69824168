"""The one table that says what each role may do; every guard and service asks it."""

from __future__ import annotations

import enum

from community.identity.models import Member, Role


class Permission(enum.StrEnum):
    EDIT_ANY_POST = "edit_any_post"
    DELETE_ANY_POST = "delete_any_post"
    SEE_DELETED = "see_deleted"


_STAFF = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MEMBER: frozenset(),
    Role.EXPERT: frozenset(),
    Role.MODERATOR: _STAFF,
    Role.ADMIN: _STAFF,
}


def has_permission(member: Member | None, permission: Permission) -> bool:
    return member is not None and permission in ROLE_PERMISSIONS[member.role]


def may_act_on(member: Member | None, owner_id: int, permission: Permission) -> bool:
    """Owners may act on their own content; others need the permission."""
    return member is not None and (member.id == owner_id or has_permission(member, permission))
