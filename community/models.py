"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from community.analytics.models import DashboardCount, DashboardDuration, DashboardRollupState
from community.deflection.models import DeflectionEvent
from community.escalation.models import (
    CallbackReceipt,
    Escalation,
    EscalationEvent,
    EscalationTarget,
)
from community.forums.models import Category, Post, PostRevision, Thread
from community.ideas.models import Idea, IdeaStatusChange, IdeaVote
from community.identity.api_key_models import ApiKey
from community.identity.external import MemberIdentity
from community.identity.models import Member, MemberSession, SignInFailures
from community.identity.token_models import PendingTokenLink, TokenSettings, UsedTokenId
from community.identity.tokens import AccountToken
from community.importing.models import ImportRecord
from community.jobstore import QueuedJob
from community.mailing.models import MailOutboxRow, MailPreferences
from community.moderation.models import AuditEntry, Flag, QueueItem
from community.notify.models import (
    Announcement,
    AnnouncementCategory,
    CategoryFollow,
    FollowPreference,
    Notification,
    Subscription,
    TagFollow,
)
from community.oidc.models import OidcProvider, OidcSession, SsoAttempt
from community.scoring.models import MemberBadge, ReputationDay, ReputationEvent
from community.search.models import SearchQueueItem, SearchSettingsRow
from community.tags.models import Tag, ThreadTag
from community.tenancy.models import BrandAsset, Tenant, TenantDomain
from community.votes.models import Vote
from community.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "AccountToken",
    "Announcement",
    "AnnouncementCategory",
    "ApiKey",
    "AuditEntry",
    "BrandAsset",
    "CallbackReceipt",
    "Category",
    "CategoryFollow",
    "DashboardCount",
    "DashboardDuration",
    "DashboardRollupState",
    "DeflectionEvent",
    "Escalation",
    "EscalationEvent",
    "EscalationTarget",
    "Flag",
    "FollowPreference",
    "Idea",
    "IdeaStatusChange",
    "IdeaVote",
    "ImportRecord",
    "MailOutboxRow",
    "MailPreferences",
    "Member",
    "MemberBadge",
    "MemberIdentity",
    "MemberSession",
    "Notification",
    "OidcProvider",
    "OidcSession",
    "PendingTokenLink",
    "Post",
    "PostRevision",
    "QueueItem",
    "QueuedJob",
    "ReputationDay",
    "ReputationEvent",
    "SearchQueueItem",
    "SearchSettingsRow",
    "SignInFailures",
    "SsoAttempt",
    "Subscription",
    "Tag",
    "TagFollow",
    "Tenant",
    "TenantDomain",
    "Thread",
    "ThreadTag",
    "TokenSettings",
    "UsedTokenId",
    "Vote",
    "WebhookDelivery",
    "WebhookSubscription",
]
