"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from community.forums.models import Category, Post, Thread
from community.identity.models import Member
from community.moderation.models import AuditEntry
from community.scoring.models import MemberBadge, ReputationDay, ReputationEvent
from community.tenancy.models import Tenant, TenantDomain
from community.votes.models import Vote

__all__ = [
    "AuditEntry",
    "Category",
    "Member",
    "MemberBadge",
    "Post",
    "ReputationDay",
    "ReputationEvent",
    "Tenant",
    "TenantDomain",
    "Thread",
    "Vote",
]
