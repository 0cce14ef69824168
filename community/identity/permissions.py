"""The one table that says what each role may do; every guard and service asks it."""

from __future__ import annotations

import enum
from typing import Protocol

from community.identity.models import Member, Role


class Permission(enum.StrEnum):
    EDIT_ANY_POST = "edit_any_post"
    DELETE_ANY_POST = "delete_any_post"
    SEE_DELETED = "see_deleted"
    CERTIFY = "certify"
    ACCEPT_ANY = "accept_any"
    SEE_INFLUENCE = "see_influence"
    CONFIGURE_COMMUNITY = "configure_community"
    SET_IDEA_STATUS = "set_idea_status"
    MERGE_IDEAS = "merge_ideas"


_MODERATOR = frozenset(Permission) - {Permission.CONFIGURE_COMMUNITY}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MEMBER: frozenset(),
    Role.EXPERT: frozenset({Permission.CERTIFY, Permission.SET_IDEA_STATUS}),
    Role.MODERATOR: _MODERATOR,
    Role.ADMIN: frozenset(Permission),
}


class HasRole(Protocol):
    id: int
    role: Role


def has_permission(member: HasRole | None, permission: Permission) -> bool:
    return member is not None and permission in ROLE_PERMISSIONS[member.role]


def may_act_on(member: Member | None, owner_id: int, permission: Permission) -> bool:
    """Owners may act on their own content; others need the permission."""
    return member is not None and (member.id == owner_id or has_permission(member, permission))
