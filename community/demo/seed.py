"""Seeds the demo communities from `content.py`, through the same services members use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.analytics import rollup as dashboard_rollup
from community.db import session_scope, utcnow
from community.deflection import demo as deflection_demo
from community.demo.content import RETAILER, TELECOM
from community.escalation.adapters.registry import validate_target
from community.escalation.calendar import validate_calendar
from community.escalation.delivery import NO_TARGET
from community.escalation.models import (
    Escalation,
    EscalationState,
    EscalationTarget,
    TargetKind,
)
from community.forums import services as forums
from community.forums.models import CategoryKind, Post, Thread, ThreadKind
from community.ideas import services as ideas
from community.identity import account, api_keys, tokens
from community.identity.api_keys import KeyForm
from community.identity.backoff import account_key
from community.identity.external import MemberIdentity
from community.identity.models import Member, Role, SignInFailures
from community.identity.permissions import ApiScope
from community.identity.services import create_member
from community.identity.tokens import Purpose
from community.jobs import InProcessQueue, JobQueue
from community.moderation import services as moderation
from community.net.outbound import AllowedHosts, Outbound
from community.qa import services as qa
from community.scope import Scope
from community.search import service as search
from community.search.port import SearchSettings
from community.tags import services as tags
from community.tags.models import Tag
from community.tenancy.models import Tenant
from community.tenancy.services import create_tenant
from community.votes.services import vote

DEMO_PASSWORD = "parvis-demo"
SEEDING = {"premoderate_first_posts": 0, "new_member_posts": 0, "posts_per_minute": 10_000}
CERTIFY_NOTE = {"fr": "Réponse vérifiée par notre équipe.", "en": "Checked by our team."}

# The local contact-centre stand-in both demo communities escalate to: `make contact-centre`
# runs `parvis contact-centre` with these options (`parvis demo --print-standin-args`).
# DEMO-ONLY secrets, public on purpose (they decode to what they are): never use them for a
# real contact centre, whose secrets come from the admin page (/admin/escalation).
STANDIN_HOST, STANDIN_PORT = "127.0.0.1", 8025
STANDIN_URL = f"http://{STANDIN_HOST}:{STANDIN_PORT}/webhook"
# What the demo lets the outbound client reach, and nothing more: `parvis demo` adds it to
# PARVIS_OUTBOUND_ALLOWED_HOSTS (a worker started beside it needs it set by hand).
STANDIN_ALLOWED = f"{STANDIN_HOST}:{STANDIN_PORT}"
STANDIN_TARGET_NAME = "Local contact centre (demo)"
# whsec_ + base64 of b"demo-only parvis signing secret!": Parvis signs cases with it.
STANDIN_SECRET = "whsec_ZGVtby1vbmx5IHBhcnZpcyBzaWduaW5nIHNlY3JldCE="
# whsec_ + base64 of b"demo-only parvis callback secret": the stand-in signs callbacks with it.
STANDIN_CALLBACK_SECRET = "whsec_ZGVtby1vbmx5IHBhcnZpcyBjYWxsYmFjayBzZWNyZXQ="


def standin_args() -> list[str]:
    """The `parvis contact-centre` options that start the stand-in the demo escalates to."""
    return [
        "--host", STANDIN_HOST, "--port", str(STANDIN_PORT),
        "--secret", STANDIN_SECRET, "--callback-secret", STANDIN_CALLBACK_SECRET,
    ]  # fmt: skip


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    host: str
    accounts: list[tuple[str, str]]


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession], jobs: InProcessQueue
) -> list[DemoCommunity]:
    """Create each demo community unless it already exists; describe them all.

    Each community in a unit of work of its own (a session works for one tenant only), and
    its jobs done before the next one's: they write too, and SQLite has a single writer."""
    described = []
    for spec in (TELECOM, RETAILER):
        async with session_scope(sessions, jobs) as session:
            described.append(await seed_community(session, spec))
        await jobs.drain()
    return described


async def seed_community(session: AsyncSession, spec: dict[str, Any]) -> DemoCommunity:
    accounts = [(m["email"], m["role"]) for m in spec["members"]]
    described = DemoCommunity(spec["name"], spec["domain"], accounts)
    if await session.scalar(select(Tenant.id).where(Tenant.slug == spec["slug"])):
        return described
    tenant = await create_tenant(
        session,
        slug=spec["slug"],
        name=spec["name"],
        domains=[spec["domain"]],
        locale=spec["locale"],
        theme=spec["theme"],
    )
    escalation = _escalation_rules(spec)
    # History is trusted; the moderation rules apply after.
    tenant.preferences = {"moderation": SEEDING, "escalation": escalation}
    scope = await Scope.load(session, tenant.id)
    members = {m["email"]: await _seed_member(scope, m) for m in spec["members"]}
    for category in spec["categories"]:
        await forums.create_category(scope, **category)
    threads = {}
    for index, thread_spec in enumerate(spec["threads"]):
        thread = await _seed_thread(scope, members, thread_spec, views=17 + index * 23)
        note = CERTIFY_NOTE[spec["locale"]]
        await _seed_reactions(scope, list(members.values()), thread, index, note)
        threads[thread_spec["title"]] = thread
    await _seed_tags(scope.acting_as(members[spec["members"][0]["email"]]), spec, threads)
    await search.configure(scope, SearchSettings(synonyms=tuple(map(tuple, spec["synonyms"]))))
    await _seed_ideas(scope, members, spec)
    tenant.preferences = {"escalation": escalation}  # the default moderation rules from now on
    await session.flush()
    await _seed_moderation(await Scope.load(session, tenant.id), members, spec)
    _seed_sign_in_failures(scope, spec)
    await deflection_demo.seed_history(scope, spec["slug"])
    await _backdate_resolutions(scope)
    await _seed_api_key(scope, list(members.values()))
    await dashboard_rollup.recompute(scope)  # the manager dashboard has its history at once
    return described


async def _backdate_resolutions(scope: Scope) -> None:
    """An answer was accepted or certified an hour or two after it was posted, not at seeding."""
    threads = await scope.db.scalars(select(Thread).where(
        (Thread.accepted_post_id.is_not(None)) | (Thread.certified_post_id.is_not(None))))  # fmt: skip
    for thread in threads.all():
        for post_id, moment, delay in ((thread.accepted_post_id, "accepted_at", 2),
                                       (thread.certified_post_id, "certified_at", 5)):  # fmt: skip
            posted = await scope.db.scalar(select(Post.created_at).where(Post.id == post_id))
            if posted is not None:
                setattr(thread, moment, min(posted + timedelta(hours=delay), utcnow()))
    await scope.db.flush()


async def _seed_api_key(scope: Scope, members: list[Member]) -> None:
    """A read-only key of the admin, as the brand's CRM would hold (its token is not kept:
    an admin makes their own on the page to try the API)."""
    admin = next(m for m in members if m.role is Role.ADMIN)
    await api_keys.create_key(scope.acting_as(admin), KeyForm("CRM", (ApiScope.READ.value,)))


def _escalation_rules(spec: dict[str, Any]) -> dict[str, Any]:
    """The community's escalation preferences, its calendar checked as the admin page does."""
    calendar, errors = validate_calendar(spec["escalation"]["calendar"])
    if errors:
        raise ValueError(f"{spec['slug']}: bad demo calendar {errors}")
    return {"calendar": calendar.to_preferences()}


async def _seed_member(scope: Scope, spec: dict[str, Any]) -> Member:
    member = await create_member(
        scope, email=spec["email"], display_name=spec["name"], password=DEMO_PASSWORD,
        role=Role(spec["role"]),
    )  # fmt: skip
    member.email_verified_at = utcnow()  # demo members have proven their address
    # What the brand's SSO would say of a customer: it weighs on escalations' priority.
    member.customer_tier = spec.get("customer_tier", "")
    member.customer_id = spec.get("customer_id", "")
    member.email_verified_at = utcnow()
    if member.customer_id:  # a customer who came in through the brand's signed-token SSO
        scope.db.add(
            MemberIdentity(member_id=member.id, issuer="token", subject=member.customer_id)
        )
    return member


async def seed_contact_centre(
    sessions: async_sessionmaker[AsyncSession], jobs: JobQueue | None = None
) -> None:
    """Point each demo community that has no contact-centre target at the local stand-in.

    Its own units of work (one per community), run once `seed_demo`'s jobs have: the
    content's escalations were then tried with no target, which waits without a network
    call, and the server's sweep sends them to the stand-in. Were the target seeded with
    them, `parvis demo` would try (and, the stand-in not running, retry with backoff) every
    one before it even served. A community whose admin set up another target keeps it.
    """
    for spec in (TELECOM, RETAILER):
        async with session_scope(sessions, jobs) as session:
            tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == spec["slug"]))
            if tenant_id is not None:
                await _point_at_standin(await Scope.load(session, tenant_id))


async def _point_at_standin(scope: Scope) -> None:
    if await scope.db.scalar(select(EscalationTarget.id).limit(1)):
        return
    values = {"url": STANDIN_URL, "signing_secret": STANDIN_SECRET}
    outbound = Outbound(AllowedHosts.parse([STANDIN_ALLOWED]))
    settings, credentials, errors = await validate_target(TargetKind.WEBHOOK, values, outbound)
    assert not errors, errors
    scope.db.add(
        EscalationTarget(
            name=STANDIN_TARGET_NAME, kind=TargetKind.WEBHOOK, settings=settings,
            credentials=credentials, callback_secret=STANDIN_CALLBACK_SECRET,
        )
    )  # fmt: skip
    # Their "no target" error is stale now: the server's first sweep sends them.
    waiting = await scope.db.scalars(
        select(Escalation).where(
            Escalation.state == EscalationState.PENDING, Escalation.last_error == NO_TARGET
        )
    )
    for escalation in waiting:
        escalation.last_error = ""
    await scope.db.flush()


async def _seed_thread(
    scope: Scope, members: dict[str, Member], spec: dict[str, Any], views: int
) -> Thread:
    thread = await forums.create_thread(
        scope.acting_as(members[spec["author"]]),
        category_slug=spec["category"],
        title=spec["title"],
        body=spec["body"],
        kind=ThreadKind(spec["kind"]),
    )
    asked_at = utcnow() - timedelta(days=spec["days_ago"], hours=len(spec["title"]) % 7)
    moments = [asked_at]
    for reply_spec in spec["replies"]:
        await forums.reply(
            scope.acting_as(members[reply_spec["author"]]), thread.id, reply_spec["body"]
        )
        moments.append(min(asked_at + timedelta(hours=reply_spec["hours_after"]), utcnow()))
    await _backdate(scope, thread, moments, views)
    return thread


async def _seed_reactions(
    scope: Scope, members: list[Member], thread: Thread, index: int, note: str
) -> None:
    """Votes, an accepted or certified answer: what a living community has after a while."""
    posts = list(
        (
            await scope.db.scalars(
                select(Post).where(Post.thread_id == thread.id).order_by(Post.number)
            )
        ).all()
    )
    for post in posts:
        for position, voter in enumerate(members):
            if voter.id != post.author_id and (post.number * 7 + position * 3 + index) % 4 == 0:
                await vote(scope.acting_as(voter), post.id, 1)
    answers = [p for p in posts[1:] if p.author_id != thread.author_id]
    if thread.kind != ThreadKind.QUESTION or not answers:
        return
    by_staff = [p for p in answers if _member(members, p.author_id).role != Role.MEMBER]
    if by_staff and index % 3 != 2:
        certifier = next(
            m for m in members
            if m.role in {Role.ADMIN, Role.MODERATOR} and m.id != by_staff[0].author_id
        )  # fmt: skip
        await qa.certify(scope.acting_as(certifier), by_staff[0].id, note)
    elif index % 2 == 0:
        asker = _member(members, thread.author_id)
        await qa.accept(scope.acting_as(asker), answers[0].id)


async def _seed_ideas(scope: Scope, members: dict[str, Member], spec: dict[str, Any]) -> None:
    """An idea board with ideas in every status, and a duplicate merged into its original."""
    await forums.create_category(scope, kind=CategoryKind.IDEAS, **spec["idea_board"])
    staff = next(m for m in members.values() if m.role == Role.MODERATOR)
    voters = [m for m in members.values() if m.role == Role.MEMBER]
    created: dict[str, int] = {}
    for idea_spec in spec["ideas"]:
        idea = await ideas.create_idea(
            scope.acting_as(members[idea_spec["author"]]), board=spec["idea_board"]["slug"],
            title=idea_spec["title"], body=idea_spec["body"],
        )  # fmt: skip
        for voter in voters[: idea_spec["votes"]]:
            await ideas.vote(scope.acting_as(voter), idea.id)
        if idea_spec["response"]:
            await ideas.change_status(
                scope.acting_as(staff), idea.id, idea_spec["status"], idea_spec["response"]
            )
        created[idea_spec["title"]] = idea.id
        if original := idea_spec.get("merge_into"):
            await ideas.merge(scope.acting_as(staff), idea.id, created[original])


async def _seed_moderation(scope: Scope, members: dict[str, Member], spec: dict[str, Any]) -> None:
    """Work for the moderators: a newcomer's first post, an angry one, personal data, flags."""
    content = spec["moderation"]
    newcomer = await create_member(
        scope, email=content["newcomer"]["email"],
        display_name=content["newcomer"]["name"], password=DEMO_PASSWORD,
    )  # fmt: skip
    # The newcomer proved their address the way a member does: the link of the mail.
    await account.verify_email(scope, await tokens.issue(scope, newcomer, Purpose.VERIFY_EMAIL))
    thread_ids = list((await scope.db.scalars(select(Thread.id).order_by(Thread.id))).all())
    await forums.reply(scope.acting_as(newcomer), thread_ids[0], content["newcomer"]["body"])
    regulars = [m for m in members.values() if m.role == Role.MEMBER]
    await forums.reply(scope.acting_as(regulars[0]), thread_ids[1], content["abusive"])
    await forums.reply(scope.acting_as(regulars[1]), thread_ids[2], content["personal_data"])
    flagged = await forums.reply(scope.acting_as(regulars[2]), thread_ids[3], content["flagged"])
    for flagger in regulars[3:6]:
        await moderation.flag_post(scope.acting_as(flagger), flagged.id, "off_topic")
    await _update_a_certified_answer(scope, members, content["answer_update"])


async def _update_a_certified_answer(
    scope: Scope, members: dict[str, Member], addition: str
) -> None:
    """Its author adds to the first certified answer: a revision, and a review item."""
    answer = await scope.db.scalar(
        select(Post).join(Thread, Thread.certified_post_id == Post.id).order_by(Thread.id).limit(1)
    )
    if answer is not None:
        author = next(m for m in members.values() if m.id == answer.author_id)
        await forums.edit_post(scope.acting_as(author), answer.id, body=answer.body_md + addition)


def _seed_sign_in_failures(scope: Scope, spec: dict[str, Any]) -> None:
    """The newcomer mistyped their password twice: what /login keeps (a digest of the email),
    three failures short of the back-off."""
    email = spec["moderation"]["newcomer"]["email"]
    scope.db.add(SignInFailures(account=account_key(email), failures=2, last_attempt_at=utcnow()))


def _member(members: list[Member], member_id: int) -> Member:
    return next(m for m in members if m.id == member_id)


async def _backdate(scope: Scope, thread: Thread, moments: list[datetime], views: int) -> None:
    """Give the thread a believable history: demo content was not all written just now."""
    posts = (await scope.db.scalars(select(Post).where(Post.thread_id == thread.id))).all()
    for post in posts:
        post.created_at = moments[post.number - 1]
    thread.created_at, thread.last_activity_at = moments[0], max(moments)
    thread.view_count = views
    await scope.db.flush()


async def _seed_tags(scope: Scope, spec: dict[str, Any], threads: dict[str, Thread]) -> None:
    """The community's tags (defined by its admin, the first member) and their threads."""
    tagged: dict[str, list[Tag]] = {}
    for tag_spec in spec.get("tags", []):
        tag = await tags.create_tag(scope, tag_spec["name"], tag_spec["description"])
        for title in tag_spec["threads"]:
            tagged.setdefault(title, []).append(tag)
    for title, found in tagged.items():
        await tags.set_thread_tags(scope, threads[title], found)
