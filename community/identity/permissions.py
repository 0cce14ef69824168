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
    MODERATE = "moderate"  # work the moderation queue, hide and approve posts
    BAN = "ban"
    MANAGE_ROLES = "manage_roles"
    READ_AUDIT_LOG = "read_audit_log"
    SKIP_PREMODERATION = "skip_premoderation"
    OFFICIAL_REPLY = "official_reply"
    SEE_ESCALATIONS = "see_escalations"
    ESCALATE = "escalate"  # send a thread to the contact centre by hand
    SEE_REVISIONS = "see_revisions"  # earlier versions of edited accepted/certified answers
    MANAGE_PERSONAL_DATA = "manage_personal_data"  # download or erase a member's data
    STAFF_POST = "staff_post"  # start threads in staff-only categories (news, announcements)


_ADMIN_ONLY = {
    Permission.CONFIGURE_COMMUNITY,
    Permission.MANAGE_ROLES,
    Permission.READ_AUDIT_LOG,
    Permission.MANAGE_PERSONAL_DATA,
}
_MODERATOR = frozenset(Permission) - _ADMIN_ONLY - {Permission.OFFICIAL_REPLY}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MEMBER: frozenset(),
    Role.EXPERT: frozenset(
        {
            Permission.CERTIFY,
            Permission.SET_IDEA_STATUS,
            Permission.SKIP_PREMODERATION,
            Permission.ESCALATE,
            Permission.SEE_REVISIONS,
            Permission.STAFF_POST,
        }
    ),
    Role.MODERATOR: _MODERATOR,
    Role.ADMIN: frozenset(Permission),
    Role.AGENT: frozenset(
        {Permission.OFFICIAL_REPLY, Permission.SEE_ESCALATIONS, Permission.SKIP_PREMODERATION}
    ),
}


class ApiScope(enum.StrEnum):
    """What an API key may be used for (community.web.api_keys derives each route's)."""

    READ = "read"  # GET anything outside moderation and administration
    WRITE = "write"  # post, vote, follow… outside moderation and administration
    MODERATE = "moderate"  # the moderation queue, bans, certifying, escalating, idea status
    ADMIN = "admin"  # /api/v1/admin and the community's settings


def key_ceiling(scopes: frozenset[ApiScope]) -> frozenset[Permission]:
    """The permissions a request made with a key of these scopes may use, whatever its
    creator's role holds: staff powers need `moderate`, an admin's need `admin`."""
    if ApiScope.ADMIN in scopes:
        return frozenset(Permission)
    if ApiScope.MODERATE in scopes:
        return _MODERATOR
    return frozenset()


class HasRole(Protocol):
    id: int
    role: Role


def has_permission(member: HasRole | None, permission: Permission) -> bool:
    return member is not None and permission in ROLE_PERMISSIONS[member.role]


def may_act_on(member: Member | None, owner_id: int, permission: Permission) -> bool:
    """Owners may act on their own content; others need the permission."""
    return member is not None and (member.id == owner_id or has_permission(member, permission))
