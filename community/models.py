"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from community.forums.models import Category, Post, Thread
from community.identity.models import Member
from community.tenancy.models import Tenant, TenantDomain

__all__ = ["Category", "Member", "Post", "Tenant", "TenantDomain", "Thread"]
