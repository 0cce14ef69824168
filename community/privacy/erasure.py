"""Erasing an account: the person's data goes, the community's record stays coherent.

What goes: the email (a unique address under `.invalid` takes its place), the display name
(pages say "Deleted member", in the reader's language), the customer id and tier, the
password, the avatar, identities at providers, sessions, notifications, subscriptions,
failed sign-ins and flag notes. Escalations keep their case reference and state; their
history, note and stored texts lose the name, email and customer id, as do the payloads of
webhook deliveries that quote the person (sent again on a retry or a redelivery).

What stays: the member row, anonymised, so votes still count (anonymously), the reputation
ledger still sums to every member's points (`scoring.recompute` changes nothing), and
threads keep their shape. Posts stay readable under "Deleted member", unless the person
asks for their removal too: then each of their posts keeps its place (votes, accepted
answer) with its text replaced by a note, earlier versions of it are deleted, and a thread
they started that nobody else answered is deleted; one that others answered keeps its title,
which their answers refer to.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, delete, or_, select, update

from community.db import utcnow
from community.deflection.models import DeflectionEvent
from community.errors import Forbidden, ValidationFailed
from community.escalation.models import Escalation, EscalationEvent
from community.forums import services as forums
from community.forums.markdown import render_markdown
from community.forums.models import Post, PostRevision, Thread
from community.identity.backoff import account_key
from community.identity.external import MemberIdentity
from community.identity.models import Member, SignInFailures
from community.identity.passwords import verify_password
from community.identity.permissions import Permission
from community.identity.sessions import end_all_sessions
from community.identity.token_models import PendingTokenLink
from community.identity.tokens import AccountToken
from community.l10n import N_
from community.mailing.models import MailOutboxRow, MailPreferences
from community.moderation.audit import record
from community.moderation.checks import mask_personal_data
from community.moderation.models import AuditEntry, Flag
from community.notify.models import (
    CategoryFollow,
    FollowPreference,
    Notification,
    Subscription,
    TagFollow,
)
from community.privacy import avatars
from community.privacy.avatars import AvatarStore
from community.privacy.export import ADMINS_ONLY
from community.scope import Scope
from community.webhooks.models import WebhookDelivery

ERASED_NAME = N_("Deleted member")  # stored as written; pages translate it
REMOVED_POST = N_("This post was removed at its author's request.")
ERASED_DOMAIN = "erased.invalid"  # RFC 6761: never routable, never anyone's address
WRONG_PASSWORD = N_("That is not your password.")
WRONG_CONFIRMATION = N_("Type your email address exactly as it is on your account.")
ALREADY_ERASED = N_("This account has been erased already.")
NOT_YOURSELF = N_("Erase your own account from your privacy page.")


@dataclass(frozen=True)
class Personal:
    """What identified the person, to be found and removed in stored texts."""

    email: str
    name: str
    customer_id: str

    def values(self) -> tuple[str, str, str]:
        return self.email, self.customer_id, self.name

    def scrub(self, text: str) -> str:
        for value in self.values():
            if len(value) >= 2:
                # Whole words only: a member called "Al" leaves "Also" alone.
                pattern = rf"(?<!\w){re.escape(value)}(?!\w)"
                text = re.sub(pattern, ERASED_NAME, text, flags=re.IGNORECASE)
        return text

    def scrub_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_json(v) for k, v in value.items()}
        return value


async def erase_own_account(
    scope: Scope,
    store: AvatarStore | None,
    *,
    password: str = "",
    confirmation: str = "",
    remove_posts: bool = False,
) -> None:
    """The actor erases their account: they confirm with their password, or, with no
    password (signed in through a provider), by typing their email address."""
    member = scope.actor
    if member.password_hash:
        if not await verify_password(member.password_hash, password):
            raise ValidationFailed({"password": WRONG_PASSWORD})
    elif confirmation.strip().lower() != member.email.lower():
        raise ValidationFailed({"confirmation": WRONG_CONFIRMATION})
    await erase(scope, member, store, remove_posts=remove_posts, by_admin=False)


async def erase_member(
    scope: Scope, store: AvatarStore | None, member_id: int, *, remove_posts: bool = False
) -> Member:
    """An admin erases a member's account."""
    admin = scope.require(Permission.MANAGE_PERSONAL_DATA, ADMINS_ONLY)
    member = await scope.one(Member, member_id, N_("No such member."))
    if member.id == admin.id:
        raise Forbidden(NOT_YOURSELF)
    await erase(scope, member, store, remove_posts=remove_posts, by_admin=True)
    return member


async def erase(
    scope: Scope, member: Member, store: AvatarStore | None, *, remove_posts: bool, by_admin: bool
) -> None:
    if member.erased_at is not None:
        raise ValidationFailed({"member": ALREADY_ERASED})
    personal = Personal(member.email, member.display_name, member.customer_id)
    if remove_posts:
        await _remove_posts(scope, member)
    else:
        await _scrub_posts(scope, member, personal)
    await _forget_links(scope, member, personal)
    await _scrub_escalations(scope, member, personal)
    await _scrub_audit(scope, member, personal)
    await _scrub_webhook_deliveries(scope, personal)
    await avatars.forget(scope, member, store)
    _anonymise(member)
    # The audit entry names no one: the member's id, and what was chosen.
    record(scope, "member.erase", ("member", member.id),
           after={"by_admin": by_admin, "posts_removed": remove_posts})  # fmt: skip
    await scope.db.flush()


def _anonymise(member: Member) -> None:
    member.email = f"erased-{member.id}-{secrets.token_hex(6)}@{ERASED_DOMAIN}"
    member.display_name = ERASED_NAME
    member.password_hash = ""
    member.customer_id = member.customer_tier = ""
    member.email_verified_at = None
    member.banned_until, member.ban_reason = None, ""
    member.erased_at = utcnow()


async def _forget_links(scope: Scope, member: Member, personal: Personal) -> None:
    """Sessions end at once; what only served the person goes."""
    await end_all_sessions(scope, member.id)
    # Mailed links go too: a reset link still in a mailbox must not reopen the account.
    # Mail waiting for the person goes too (and their preferences with its unsubscribe token).
    for model in (MemberIdentity, Notification, Subscription, CategoryFollow, TagFollow,
                  FollowPreference, AccountToken, PendingTokenLink, MailOutboxRow,
                  MailPreferences):  # fmt: skip
        await scope.db.execute(delete(model).where(model.member_id == member.id))
    await scope.db.execute(
        update(DeflectionEvent).where(DeflectionEvent.member_id == member.id).values(member_id=None)
    )
    await scope.db.execute(
        delete(SignInFailures).where(SignInFailures.account == account_key(personal.email))
    )
    await scope.db.execute(update(Flag).where(Flag.member_id == member.id).values(note=""))
    # An agent's posts carry their name as written by the contact centre.
    await scope.db.execute(
        update(Post).where(Post.author_id == member.id).values(official_agent="")
    )


async def _scrub_escalations(scope: Scope, member: Member, personal: Personal) -> None:
    """Cases already sent keep their reference (external id, URL) and state; the texts kept
    with them lose the person's name, email and customer id. A case delivered again later
    is built from the anonymised member."""
    own_threads = select(Thread.id).where(Thread.author_id == member.id)
    escalations = (
        await scope.db.scalars(
            select(Escalation).where(
                (Escalation.thread_id.in_(own_threads)) | (Escalation.created_by_id == member.id)
            )
        )
    ).all()
    for escalation in escalations:
        escalation.note = personal.scrub(escalation.note)
        escalation.last_error = personal.scrub(escalation.last_error)
        escalation.rules = personal.scrub_json(escalation.rules)
    ids = [e.id for e in escalations]
    # Events of other escalations may name the person too (one they escalated by hand).
    events = await scope.db.scalars(
        select(EscalationEvent).where(
            EscalationEvent.escalation_id.in_(ids) | (EscalationEvent.actor == personal.name)
        )
    )
    for event in events:
        event.detail = personal.scrub(event.detail)
        event.actor = "" if event.actor == personal.name else personal.scrub(event.actor)


async def _scrub_audit(scope: Scope, member: Member, personal: Personal) -> None:
    """Audit entries are only ever added, but what they quote of the person must go: in the
    entries about them, by them, or whose reason names them."""
    about = (AuditEntry.subject_type == "member") & (AuditEntry.subject_id == member.id)
    quoting = [
        AuditEntry.reason.contains(value, autoescape=True) for value in personal.values() if value
    ]
    entries = await scope.db.scalars(
        select(AuditEntry).where(or_(about, AuditEntry.actor_id == member.id, *quoting))
    )
    for entry in entries:
        entry.reason = personal.scrub(entry.reason)
        entry.before = personal.scrub_json(entry.before)
        entry.after = personal.scrub_json(entry.after)


async def _scrub_webhook_deliveries(scope: Scope, personal: Personal) -> None:
    """A delivery keeps the payload it sends on every attempt and on a redelivery (and shows
    in the delivery log): those that quote the person lose their email, name and customer id."""
    # Payloads are stored as json.dumps wrote them: non-ASCII letters as \uXXXX escapes.
    as_stored = [json.dumps(value)[1:-1] for value in personal.values() if value]
    quoting = [cast(WebhookDelivery.payload, Text).contains(v, autoescape=True) for v in as_stored]
    if not quoting:
        return
    for delivery in await scope.db.scalars(select(WebhookDelivery).where(or_(*quoting))):
        delivery.payload = personal.scrub_json(delivery.payload)


async def _scrub_posts(scope: Scope, member: Member, personal: Personal) -> None:
    """Kept posts lose what names the person in them: their name, email and customer id, in
    the text, its earlier versions and the titles (and addresses) of their threads."""
    locale = scope.tenant.locale
    for post in await scope.db.scalars(select(Post).where(Post.author_id == member.id)):
        scrubbed = personal.scrub(post.body_md)
        if scrubbed != post.body_md:
            post.body_md, post.body_html = scrubbed, render_markdown(scrubbed, locale)
            masked = mask_personal_data(scrubbed, locale)
            post.public_html = render_markdown(masked, locale) if masked != scrubbed else None
    own_posts = select(Post.id).where(Post.author_id == member.id)
    for revision in await scope.db.scalars(
        select(PostRevision).where(PostRevision.post_id.in_(own_posts))
    ):
        revision.previous_body_md = personal.scrub(revision.previous_body_md)
    for thread in await scope.db.scalars(select(Thread).where(Thread.author_id == member.id)):
        title = personal.scrub(thread.title)
        if title != thread.title:
            thread.title, thread.slug = title, forums.slugify(title)


async def _remove_posts(scope: Scope, member: Member) -> None:
    posts = (
        await scope.db.scalars(
            select(Post).where(Post.author_id == member.id, Post.deleted_at.is_(None))
        )
    ).all()
    for post in posts:
        post.body_md, post.body_html, post.public_html = REMOVED_POST, "", None
    await scope.db.execute(
        delete(PostRevision).where(
            PostRevision.post_id.in_(select(Post.id).where(Post.author_id == member.id))
        )
    )
    for opening in [p for p in posts if p.is_opening]:
        if not await _answered_by_others(scope, opening.thread_id, member.id):
            await forums.delete_post(scope.acting_as(member), opening.id)


async def _answered_by_others(scope: Scope, thread_id: int, member_id: int) -> bool:
    other = await scope.db.scalar(
        select(Post.id).where(Post.thread_id == thread_id, Post.author_id != member_id).limit(1)
    )
    return other is not None
