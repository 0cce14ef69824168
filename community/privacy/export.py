"""Everything Parvis holds about one member, as a ZIP of JSON files and a README.txt.

Each file is one `Section`: the rows of one or more tables tied to the member by a column
that refers to `members.id`. Every such column of every model is either read by a section
or listed in `NOT_PERSONAL` with the reason (tests/privacy/test_export.py walks the mappers,
so a new table with a member column fails the suite until it is placed here).
Secrets are never written: password and session-token hashes, the name skeletons.
"""

from __future__ import annotations

import enum
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, inspect, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from community.db import utcnow
from community.deflection.models import DeflectionEvent
from community.escalation.models import Escalation, EscalationEvent
from community.forums.models import Post, PostRevision, Thread
from community.ideas.models import Idea, IdeaStatusChange, IdeaVote
from community.identity.api_key_models import ApiKey
from community.identity.backoff import account_key
from community.identity.external import MemberIdentity
from community.identity.models import Member, MemberSession, SignInFailures
from community.identity.permissions import Permission
from community.identity.token_models import PendingTokenLink
from community.identity.tokens import AccountToken
from community.l10n import N_, gettext
from community.mail import send_mail
from community.mailing.models import MailOutboxRow, MailPreferences
from community.moderation.audit import record
from community.moderation.models import AuditEntry, Flag, QueueItem
from community.notify.models import (
    CategoryFollow,
    FollowPreference,
    Notification,
    Subscription,
    TagFollow,
)
from community.scope import Scope
from community.scoring.models import MemberBadge, ReputationDay, ReputationEvent
from community.votes.models import Vote

Column = InstrumentedAttribute[Any]
ADMINS_ONLY = N_("Only admins can download or erase another member's data.")
# Columns that are secrets or derived from another column: never in an archive.
SECRET_COLUMNS = frozenset(
    {"password_hash", "token_hash", "name_skeleton", "name_skeleton_as_written", "tenant_id"}
)


@dataclass(frozen=True)
class Section:
    """One file of the archive: the rows `query(member)` selects, and what they are."""

    filename: str
    description: str
    columns: tuple[Column, ...]  # the member columns this section covers
    query: Callable[[Member], Select[Any]]


def _rows_of(column: Column) -> Callable[[Member], Select[Any]]:
    model: Any = column.class_
    return lambda member: select(model).where(column == member.id).order_by(model.id)


def _threads_rows(member: Member) -> Select[Any]:
    return select(Thread).where(Thread.author_id == member.id).order_by(Thread.id)


def _revisions(member: Member) -> Select[Any]:
    own_posts = select(Post.id).where(Post.author_id == member.id)
    return (
        select(PostRevision)
        .where(or_(PostRevision.editor_id == member.id, PostRevision.post_id.in_(own_posts)))
        .order_by(PostRevision.id)
    )


def _ideas(member: Member) -> Select[Any]:
    return (
        select(Idea)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Thread.author_id == member.id)
        .order_by(Idea.id)
    )


def _escalations(member: Member) -> Select[Any]:
    own_threads = select(Thread.id).where(Thread.author_id == member.id)
    return (
        select(Escalation)
        .where(or_(Escalation.thread_id.in_(own_threads), Escalation.created_by_id == member.id))
        .order_by(Escalation.id)
    )


def _moderation(member: Member) -> Select[Any]:
    return (
        select(QueueItem)
        .where(or_(QueueItem.claimed_by_id == member.id, QueueItem.decided_by_id == member.id))
        .order_by(QueueItem.id)
    )


def _audit(member: Member) -> Select[Any]:
    about = (AuditEntry.subject_type == "member") & (AuditEntry.subject_id == member.id)
    return (
        select(AuditEntry)
        .where(or_(AuditEntry.actor_id == member.id, about))
        .order_by(AuditEntry.id)
    )


def _sign_in_failures(member: Member) -> Select[Any]:
    return select(SignInFailures).where(SignInFailures.account == account_key(member.email))


SECTIONS: tuple[Section, ...] = (
    Section("threads.json", N_("The questions, discussions and ideas you started."),
            (Thread.author_id,), _threads_rows),
    Section("certified_answers.json",
            N_("The threads whose answer you certified, as an expert."),
            (Thread.certified_by_id,), _rows_of(Thread.certified_by_id)),
    Section("posts.json", N_("Every post you wrote, with its text as it stands."),
            (Post.author_id,), _rows_of(Post.author_id)),
    Section("post_revisions.json",
            N_("Earlier versions of your posts, and the versions you replaced as an editor."),
            (PostRevision.editor_id,), _revisions),
    Section("votes.json", N_("Your votes on posts (+1 or -1)."),
            (Vote.member_id,), _rows_of(Vote.member_id)),
    Section("ideas.json", N_("The ideas you proposed, with their status and vote count."),
            (), _ideas),
    Section("idea_votes.json", N_("The ideas you voted for."),
            (IdeaVote.member_id,), _rows_of(IdeaVote.member_id)),
    Section("idea_status_changes.json", N_("The idea statuses you set, as staff."),
            (IdeaStatusChange.actor_id,), _rows_of(IdeaStatusChange.actor_id)),
    Section("notifications.json", N_("The notifications Parvis showed you."),
            (Notification.member_id,), _rows_of(Notification.member_id)),
    Section("subscriptions.json", N_("The threads you follow."),
            (Subscription.member_id,), _rows_of(Subscription.member_id)),
    Section("category_follows.json", N_("The categories you follow, and how closely."),
            (CategoryFollow.member_id,), _rows_of(CategoryFollow.member_id)),
    Section("tag_follows.json", N_("The tags you follow, and how closely."),
            (TagFollow.member_id,), _rows_of(TagFollow.member_id)),
    Section("follow_preferences.json", N_("Whether asking or answering follows the thread."),
            (FollowPreference.member_id,), _rows_of(FollowPreference.member_id)),
    Section("mail_preferences.json",
            N_("Which notifications we email you and how often, and whether mail to your "
               "address came back."),
            (MailPreferences.member_id,), _rows_of(MailPreferences.member_id)),
    Section("mail.json", N_("The notification emails sent to you, or waiting to be sent."),
            (MailOutboxRow.member_id,), _rows_of(MailOutboxRow.member_id)),
    Section("flags.json", N_("The posts you flagged, why, and what moderators decided."),
            (Flag.member_id,), _rows_of(Flag.member_id)),
    Section("reputation_events.json",
            N_("Your reputation ledger: every change of your points and its cause."),
            (ReputationEvent.member_id,), _rows_of(ReputationEvent.member_id)),
    Section("badges.json", N_("The badges you earned."),
            (MemberBadge.member_id,), _rows_of(MemberBadge.member_id)),
    Section("sessions.json",
            N_("Your open sessions: when they began, the browser and the address they came from."),
            (MemberSession.member_id,), _rows_of(MemberSession.member_id)),
    Section("sign_in_failures.json",
            N_("Failed sign-ins with your email address, kept to slow down password guessing."),
            (), _sign_in_failures),
    Section("identities.json",
            N_("The accounts at identity providers (single sign-on) linked to yours."),
            (MemberIdentity.member_id,), _rows_of(MemberIdentity.member_id)),
    Section("mailed_links.json",
            N_("The links mailed to you (to verify an address, reset the password, change the "
               "email): what for, when, and whether they were used."),
            (AccountToken.member_id,), _rows_of(AccountToken.member_id)),
    Section("suggestions.json",
            N_("The answers suggested to you while you asked a question, and what you did "
               "with them."),
            (DeflectionEvent.member_id,), _rows_of(DeflectionEvent.member_id)),
    Section("escalations.json",
            N_("Your threads sent to customer service: the case reference and its status."),
            (Escalation.created_by_id,), _escalations),
    Section("moderation_decisions.json", N_("The posts you reviewed, as a moderator."),
            (QueueItem.claimed_by_id, QueueItem.decided_by_id), _moderation),
    Section("audit_log.json",
            N_("What the audit log records of what you did as staff, and of what was done to "
               "your account."),
            (AuditEntry.actor_id,), _audit),
)  # fmt: skip

# Columns referring to a member that no section reads, and why.
NOT_PERSONAL: dict[Column, str] = {
    ReputationEvent.actor_id: "points others received through this member's votes or "
    "acceptances: the votes are in votes.json, the points are the other member's",
    Notification.actor_id: "who caused a notification another member received: what the "
    "member did (posts, votes, decisions) is in its own section",
    ReputationDay.member_id: "a daily sum of reputation_events.json, for leaderboards",
    PendingTokenLink.member_id: "a sign-in waiting ten minutes at most for its confirmation, "
    "deleted once confirmed or expired",
    ApiKey.created_by_id: "the admin whose powers a community API key carries: a credential "
    "of the community (its use is in the audit log), not the admin's data",
}

PROFILE = N_("Your account: email, display name, role, reputation, customer id and tier.")
ESCALATION_EVENTS = N_('In escalations.json, each case\'s history ("history").')
README_TITLE = N_("Everything %(community)s holds about %(name)s, as of %(when)s.")
README_FORMAT = N_(
    "Each file is JSON: a list of records (profile.json is one record). Dates are UTC, "
    "ISO 8601. Ids refer to records of the same community."
)


def covered_columns() -> set[tuple[str, str]]:
    """Every member column the archive accounts for, as (table, column): read by a section,
    or set aside."""
    columns = [c for section in SECTIONS for c in section.columns] + list(NOT_PERSONAL)
    return {(c.class_.__tablename__, c.key) for c in columns}


def uncovered_member_columns(registry: Any) -> list[str]:
    """The "table.column" of every mapped column that refers to members.id and that the
    archive does not account for (empty when the archive is complete)."""
    covered = covered_columns()
    found = []
    for mapper in registry.mappers:
        table = mapper.local_table
        for column in table.columns:
            refers = any(
                fk.column.table.name == "members" and fk.column.name == "id"
                for fk in column.foreign_keys
            )
            if refers and (table.name, column.name) not in covered:
                found.append(f"{table.name}.{column.name}")
    return sorted(found)


def json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def as_record(row: Any) -> dict[str, Any]:
    """A row's columns as JSON values, without the secrets."""
    mapper = inspect(type(row))
    return {
        column.key: json_value(getattr(row, column.key))
        for column in mapper.column_attrs
        if column.key not in SECRET_COLUMNS
    }


def profile_record(member: Member) -> dict[str, Any]:
    return as_record(member) | {"has_password": bool(member.password_hash)}


async def _section_records(scope: Scope, section: Section, member: Member) -> list[Any]:
    rows = (await scope.db.scalars(section.query(member))).all()
    records = [as_record(row) for row in rows]
    if section.filename == "escalations.json":
        for entry in records:
            entry["history"] = await _history(scope, entry["id"])
    return records


async def _history(scope: Scope, escalation_id: int) -> list[dict[str, Any]]:
    events = await scope.db.scalars(
        select(EscalationEvent)
        .where(EscalationEvent.escalation_id == escalation_id)
        .order_by(EscalationEvent.id)
    )
    return [as_record(event) for event in events]


async def archive_files(scope: Scope, member: Member) -> dict[str, Any]:
    """The archive's content, file by file (README.txt aside)."""
    files: dict[str, Any] = {"profile.json": profile_record(member)}
    for section in SECTIONS:
        files[section.filename] = await _section_records(scope, section, member)
    return files


def readme(scope: Scope, member: Member, generated_at: datetime) -> str:
    locale = scope.tenant.locale
    lines = [
        gettext(locale, README_TITLE, community=scope.tenant.name, name=member.display_name,
                when=generated_at.isoformat(timespec="seconds")),
        "",
        gettext(locale, README_FORMAT),
        "",
        f"profile.json: {gettext(locale, PROFILE)}",
    ]  # fmt: skip
    lines += [f"{s.filename}: {gettext(locale, s.description)}" for s in SECTIONS]
    lines += ["", gettext(locale, ESCALATION_EVENTS), ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Archive:
    filename: str
    content: bytes


def _zip(files: dict[str, Any], readme_text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme_text)
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False, indent=2))
    return buffer.getvalue()


async def build_archive(scope: Scope, member: Member) -> Archive:
    now = utcnow()
    files = await archive_files(scope, member)
    content = _zip(files, readme(scope, member, now))
    name = f"{scope.tenant.slug}-member-{member.id}-{now:%Y%m%d}.zip"
    return Archive(name, content)


async def export_own_data(scope: Scope, base_url: str) -> Archive:
    """The actor's own archive."""
    member = scope.actor
    archive = await build_archive(scope, member)
    await archive_ready(scope, member, base_url, by_admin=False)
    return archive


async def export_member_data(scope: Scope, member_id: int, base_url: str) -> Archive:
    """An admin downloads a member's archive (audited: who, whose, when)."""
    scope.require(Permission.MANAGE_PERSONAL_DATA, ADMINS_ONLY)
    member = await scope.one(Member, member_id, N_("No such member."))
    archive = await build_archive(scope, member)
    await archive_ready(scope, member, base_url, by_admin=True)
    return archive


async def archive_ready(scope: Scope, member: Member, base_url: str, *, by_admin: bool) -> None:
    """A download of an archive is audited, and the member told by mail (were it not them,
    the mail says how to take the account back: `base_url` is the community's address)."""
    record(scope, "member.export", ("member", member.id), after={"by_admin": by_admin})
    await send_mail(
        scope, to=member.email, template="export_notice", locale=member.locale or None,
        context={"name": member.display_name, "by_admin": by_admin,
                 "link": f"{base_url}/password/forgot"},
    )  # fmt: skip


def sections_named() -> Sequence[str]:
    return ["README.txt", "profile.json", *(s.filename for s in SECTIONS)]
