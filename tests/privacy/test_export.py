"""The archive a member downloads: complete (every table that refers to a member is read or
set aside with a reason), free of secrets, and only theirs."""

from __future__ import annotations

import pytest
from sqlalchemy import ForeignKey, Integer, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from community.db import Base
from community.errors import Forbidden
from community.identity.models import Member
from community.identity.services import create_member
from community.moderation.models import AuditEntry
from community.privacy.export import (
    SECTIONS,
    build_archive,
    export_member_data,
    sections_named,
    uncovered_member_columns,
)
from tests.conftest import Client, World
from tests.privacy import CASE_REFERENCE, EMAIL, NAME, build_life, unzip

pytestmark = pytest.mark.anyio


def test_every_column_that_refers_to_a_member_is_exported_or_set_aside() -> None:
    assert uncovered_member_columns(Base.registry) == []


def test_a_new_table_with_a_member_column_is_reported() -> None:
    class Other(DeclarativeBase):
        pass

    class Members(Other):
        __tablename__ = "members"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)

    class Widget(Other):
        __tablename__ = "widgets"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))

    assert uncovered_member_columns(Other.registry) == ["widgets.owner_id"]


async def test_the_archive_holds_everything_about_the_member_and_no_secret(world: World) -> None:
    life = await build_life(world)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, life.member.id))
        archive = await build_archive(scope, scope.actor)
    files = unzip(archive.content)
    assert sorted(files) == sorted(sections_named())
    profile = files["profile.json"]
    assert (profile["email"], profile["display_name"], profile["customer_id"]) == (
        EMAIL, NAME, "CUST-7781-ZQ",
    )  # fmt: skip
    assert profile["has_password"] is True and "password_hash" not in profile
    titles = {t["title"] for t in files["threads.json"]}
    assert {life.answered.title, life.alone.title, "Let me pause my line for a month"} <= titles
    assert len(files["posts.json"]) == 5  # two threads and an idea opened, two replies
    assert {v["value"] for v in files["votes.json"]} == {1, -1}
    assert [i["id"] for i in files["ideas.json"]] == [life.idea_id]
    assert len(files["idea_votes.json"]) == 1
    assert files["flags.json"][0]["reason"] == "other"
    assert files["notifications.json"] and files["subscriptions.json"]
    assert sum(e["points"] for e in files["reputation_events.json"]) > 0
    assert files["badges.json"] is not None
    assert files["identities.json"][0]["subject"] == "zq-1"
    case = files["escalations.json"][0]
    assert (case["external_id"], case["state"]) == (CASE_REFERENCE, "acknowledged")
    assert [e["kind"] for e in case["history"]][-1] == "acknowledged"
    everything = str(files)
    assert "argon2" not in everything and "token_hash" not in everything
    for section in SECTIONS:
        assert f"{section.filename}:" in files["README.txt"]
    # Nothing of Bob's own account is in hers.
    assert "bob@example.com" not in everything


async def test_only_admins_download_a_members_archive_and_it_is_audited(
    world: World, client: Client
) -> None:
    life = await build_life(world)
    async with world.unit() as session:
        bob = await world.scope(session, "acme", await session.get(Member, life.bob.id))
        with pytest.raises(Forbidden):
            await export_member_data(bob, life.member.id, "http://acme.localhost")
    await client.login("admin@example.com")
    response = await client.get(f"/api/v1/admin/members/{life.member.id}/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    assert unzip(response.content)["profile.json"]["email"] == EMAIL
    page = await client.get(f"/admin/members/{life.member.id}/privacy")
    assert page.status_code == 200 and EMAIL in page.text
    form = await client.submit(f"/admin/members/{life.member.id}/export", {})
    assert form.status_code == 200 and unzip(form.content)["profile.json"]["id"] == life.member.id
    async with world.unit() as session:
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "member.export"))
        )
    assert [(e.actor_id, e.subject_id, e.after) for e in entries] == [
        (life.admin.id, life.member.id, {"by_admin": True})
    ] * 2


async def test_a_member_downloads_their_own_archive_from_the_page_and_the_api(
    world: World, client: Client
) -> None:
    life = await build_life(world)
    assert (await client.get("/api/v1/members/me/export")).status_code == 401
    await client.login(EMAIL)
    page = await client.get("/account/privacy")
    assert page.status_code == 200 and "profile.json" in page.text
    downloaded = await client.submit("/account/privacy/export", {})
    assert downloaded.status_code == 200
    files = unzip(downloaded.content)
    assert files["profile.json"]["id"] == life.member.id
    assert files["sessions.json"], "the session she is using is in it"
    api = await client.get("/api/v1/members/me/export")
    assert unzip(api.content)["profile.json"]["email"] == EMAIL


async def test_the_readme_is_in_the_communitys_language(world: World) -> None:
    async with world.unit() as session:
        scope = await world.scope(session, "globex")
        member = await create_member(
            scope, email="anne@example.com", display_name="Anne", password="x" * 12
        )
        archive = await build_archive(scope.acting_as(member), member)
    readme = unzip(archive.content)["README.txt"]
    assert "Tout ce que Globex Community détient sur Anne" in readme
    assert "votes.json: Vos votes sur les messages (+1 ou -1)." in readme
