"""A member with a full life in the community (posts, votes, ideas, flags, an escalation
that reached a contact centre, an identity at a provider), built through the services, for
the export and erasure tests."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from community.escalation import services as escalation
from community.escalation.models import Escalation, EscalationState
from community.forums import services as forums
from community.forums.models import Post, Thread
from community.ideas import services as ideas
from community.identity.external import MemberIdentity
from community.identity.models import Member, Role
from community.identity.services import create_member
from community.moderation import services as moderation
from community.qa import services as qa
from community.votes.services import vote
from tests.conftest import PASSWORD, World
from tests.ideas import make_board

EMAIL = "zephyrine.quill@example.com"
NAME = "Zephyrine Quill"
CUSTOMER_ID = "CUST-7781-ZQ"
PERSONAL = (EMAIL, NAME, CUSTOMER_ID, "zephyrine")  # none may be left anywhere once erased
CASE_REFERENCE = "CASE-48151623"


@dataclass
class Life:
    member: Member
    bob: Member
    expert: Member
    moderator: Member
    admin: Member
    answered: Thread  # she asked, Bob answered (accepted), escalated to the contact centre
    alone: Thread  # she asked, nobody answered
    bobs: Thread  # Bob asked, she answered (certified)
    escalation_id: int
    idea_id: int


async def _scope(world: World, session: Any, who: Member) -> Any:
    return await world.scope(session, "acme", await session.get(Member, who.id))


async def build_life(world: World) -> Life:
    async with world.unit() as session:
        member = await create_member(
            await world.scope(session, "acme"), email=EMAIL, display_name=NAME, password=PASSWORD
        )
        member.customer_id, member.customer_tier = CUSTOMER_ID, "gold"
        session.add(
            MemberIdentity(member_id=member.id, issuer="https://idp.example", subject="zq-1")
        )
    bob = await world.member("acme", "bob@example.com")
    expert = await world.member("acme", "expert@example.com", Role.EXPERT)
    moderator = await world.member("acme", "mod@example.com", Role.MODERATOR)
    admin = await world.member("acme", "admin@example.com", Role.ADMIN)
    answered = await world.thread("acme", member, title="My router keeps dropping the line")
    alone = await world.thread("acme", member, title="Is there an outage near the harbour")
    bobs = await world.thread("acme", bob, title="Which plan suits a small office")
    await make_board(world)
    async with world.unit() as session:
        mine, his = await _scope(world, session, member), await _scope(world, session, bob)
        bob_answer = await forums.reply(his, answered.id, "Restart it, then check the cable.")
        await forums.reply(mine, answered.id, f"Thanks, signed {NAME}, customer {CUSTOMER_ID}.")
        her_answer = await forums.reply(mine, bobs.id, "The business plan, with a static address.")
        await vote(mine, bob_answer.id, 1)
        await vote(his, her_answer.id, 1)
        opening = await session.scalar(select(Post.id).where(Post.thread_id == bobs.id))
        await vote(mine, opening, -1)
        await qa.accept(mine, bob_answer.id)
        await qa.accept(his, her_answer.id)
        idea = await ideas.create_idea(
            mine, board="ideas", title="Let me pause my line for a month", body="For holidays."
        )
        bobs_idea = await ideas.create_idea(
            his, board="ideas", title="A dark theme for the app", body="Please."
        )
    async with world.unit() as session:
        await ideas.vote(await _scope(world, session, member), bobs_idea.id)
        await ideas.vote(await _scope(world, session, bob), idea.id)
        await moderation.flag_post(
            await _scope(world, session, member), bob_answer.id, "other", f"From {NAME}: rude"
        )
        await qa.certify(await _scope(world, session, expert), her_answer.id, "Right.")
        escalated = await escalation.escalate_by_hand(
            await _scope(world, session, moderator), answered.id,
            f"Call {NAME} at {EMAIL}, customer {CUSTOMER_ID}.",
        )  # fmt: skip
    async with world.unit() as session:  # the contact centre took it: a case exists
        case = await session.get(Escalation, escalated.id)
        case.state, case.external_id = EscalationState.ACKNOWLEDGED, CASE_REFERENCE
        case.external_url = f"https://support.example/cases/{CASE_REFERENCE}"
        escalation.add_event(
            await world.scope(session, "acme"),
            case,
            "acknowledged",
            f"Case for {NAME}",
            actor="Agent Smith",
        )
    return Life(member, bob, expert, moderator, admin, answered, alone, bobs, escalated.id, idea.id)  # fmt: skip


def unzip(content: bytes) -> dict[str, Any]:
    """An archive's files: README.txt as text, the others parsed."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name).decode() if name.endswith(".txt") else json.loads(archive.read(name))
            for name in archive.namelist()
        }  # fmt: skip


def leaks(text: str) -> list[str]:
    """The pieces of the erased member's personal data found in `text`."""
    lowered = text.lower()
    return [value for value in PERSONAL if value.lower() in lowered]
