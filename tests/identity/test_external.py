"""sign_in_external: a member found by issuer and subject, linked to an account with the same
verified email only once confirmed, or created with a name of their own; claims refreshed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.errors import Forbidden, ValidationFailed
from community.identity.external import (
    ExternalProfile,
    LinkNeedsConfirmation,
    MemberIdentity,
    sign_in_external,
)
from community.identity.models import Member
from tests.conftest import World

pytestmark = pytest.mark.anyio

PROFILE = ExternalProfile(
    issuer="https://idp.example", subject="u-1", email="Eve@Example.com", email_verified=True,
    display_name="Eve", customer_id="C-1", customer_tier="silver",
)  # fmt: skip


async def sign_in(world: World, profile: ExternalProfile, **options: bool) -> Member:
    async with world.unit() as session:
        return await sign_in_external(await world.scope(session, "acme"), profile, **options)


async def count(world: World, model: type) -> int:
    async with world.unit() as session:
        await world.scope(session, "acme")
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_new_profile_creates_a_member_without_a_password(world: World) -> None:
    member = await sign_in(world, PROFILE)
    assert (member.email, member.display_name, member.password_hash) == (
        "eve@example.com",
        "Eve",
        "",
    )
    assert (member.customer_id, member.customer_tier) == ("C-1", "silver")
    assert member.email_verified_at is not None


async def test_the_same_issuer_and_subject_find_the_same_member(world: World) -> None:
    first = await sign_in(world, PROFILE)
    moved = ExternalProfile(PROFILE.issuer, PROFILE.subject, "changed@example.com", True)
    again = await sign_in(world, moved)
    assert again.id == first.id
    assert again.email == "eve@example.com"  # the subject decides, not the email
    assert await count(world, Member) == 1


async def test_another_issuer_with_the_same_subject_is_another_person(world: World) -> None:
    await sign_in(world, PROFILE)
    other = ExternalProfile("https://other-idp.example", "u-1", "zed@example.com", True, "Zed")
    assert (await sign_in(world, other)).display_name == "Zed"
    assert await count(world, Member) == 2


async def test_claims_are_refreshed_on_each_sign_in(world: World) -> None:
    await sign_in(world, PROFILE)
    changed = ExternalProfile(PROFILE.issuer, PROFILE.subject, PROFILE.email, True,
                              customer_id="C-9", customer_tier="gold")  # fmt: skip
    member = await sign_in(world, changed)
    assert (member.customer_id, member.customer_tier) == ("C-9", "gold")


async def test_a_verified_email_of_an_account_links_only_after_confirmation(world: World) -> None:
    existing = await world.member("acme", "eve@example.com")
    async with world.unit() as session:
        with pytest.raises(LinkNeedsConfirmation) as needed:
            await sign_in_external(await world.scope(session, "acme"), PROFILE)
        assert needed.value.member.id == existing.id
    assert await count(world, MemberIdentity) == 0  # nothing written before confirming
    linked = await sign_in(world, PROFILE, confirmed_link=True)
    assert linked.id == existing.id
    assert linked.customer_id == "C-1"
    assert (await sign_in(world, PROFILE)).id == existing.id  # linked: no question again


async def test_an_unverified_email_of_an_account_is_refused(world: World) -> None:
    await world.member("acme", "eve@example.com")
    unverified = ExternalProfile(PROFILE.issuer, "u-2", "eve@example.com", False)
    with pytest.raises(Forbidden, match="has not verified this email"):
        await sign_in(world, unverified, confirmed_link=True)  # confirming does not help
    assert await count(world, MemberIdentity) == 0


async def test_an_unverified_new_email_creates_an_unverified_member(world: World) -> None:
    member = await sign_in(world, ExternalProfile(PROFILE.issuer, "u-3", "new@example.com", False))
    assert member.email_verified_at is None


async def test_a_taken_name_gets_a_distinct_one(world: World) -> None:
    await world.member("acme", "eve@other.example")  # display name "Eve"
    first = await sign_in(world, PROFILE)
    second = await sign_in(
        world, ExternalProfile(PROFILE.issuer, "u-4", "eve2@example.com", True, "Eve")
    )
    assert {first.display_name, second.display_name} == {"Eve 2", "Eve 3"}


async def test_a_profile_without_an_email_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        await sign_in(world, ExternalProfile(PROFILE.issuer, "u-5", "", True))
    assert await count(world, Member) == 0
