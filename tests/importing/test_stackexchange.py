"""Importing Stack Exchange dumps: the shared real dump, and small dumps for each messy case."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from community.forums.models import Post, Thread
from community.identity.models import Member
from community.importing.dump import BrokenDump, number, rows
from community.importing.models import ImportRecord, SourceKind
from community.importing.stackexchange import Report, import_dump
from community.scoring.models import MemberBadge, ReputationEvent
from community.scoring.recompute import recompute_counters
from community.search.port import SearchQuery
from community.search.service import search
from community.tags.models import Tag
from community.votes.models import Vote
from tests.conftest import Client, World
from tests.importing.dumps import SHARED_DUMP, small_site, write_dump

pytestmark = pytest.mark.anyio


class Killed(Exception):
    """Stands for the process dying between two batches."""


async def run_import(world: World, tenant: str, directory: Path, **kwargs: Any) -> Report:
    return await import_dump(world.sessions, tenant, directory, "imported", **kwargs)


async def snapshot(world: World, tenant: str) -> dict[str, list[Any]]:
    """Everything an import wrote, by what it means rather than by database ids."""
    async with world.unit() as session:
        await world.scope(session, tenant)
        posts = select(
            Thread.title, Post.number, Post.body_md, Post.body_html, Post.score,
            Member.display_name, Post.created_at, Thread.post_count, Thread.view_count,
        ).join(Post, Post.thread_id == Thread.id).join(Member, Member.id == Post.author_id)  # fmt: skip
        accepted = select(Thread.title, Post.number).join(Post, Post.id == Thread.accepted_post_id)
        events = select(
            Member.display_name, ReputationEvent.reason, ReputationEvent.points,
            ReputationEvent.created_at,
        ).join(Member, Member.id == ReputationEvent.member_id)  # fmt: skip
        queries: dict[str, Any] = {
            "posts": posts,
            "accepted": accepted,
            "events": events,
            "members": select(Member.display_name, Member.reputation, Member.email),
            "tags": select(Tag.slug, Tag.description, Tag.thread_count),
            "votes": select(Vote.value, Vote.created_at, Post.number).join(Post),
            "badges": select(Member.display_name, MemberBadge.badge).join(Member),
            "records": select(ImportRecord.kind, ImportRecord.source_id),  # details hold ids
        }
        return {
            name: sorted(map(tuple, (await session.execute(q)).all()), key=repr)
            for name, q in queries.items()
        }


def dump_vote_sums(directory: Path) -> Counter[int]:
    sums: Counter[int] = Counter()
    for row in rows(directory / "Votes.xml"):
        kind, post = number(row, "VoteTypeId"), number(row, "PostId")
        if post is not None and kind in (2, 3):
            sums[post] += 1 if kind == 2 else -1
    return sums


async def imported_posts(world: World, tenant: str) -> dict[int, Post]:
    """Source question/answer id -> the imported post."""
    async with world.unit() as session:
        await world.scope(session, tenant)
        found = await session.execute(
            select(ImportRecord.source_id, Post)
            .join(Post, Post.id == ImportRecord.post_id)
            .where(ImportRecord.kind.in_((SourceKind.QUESTION, SourceKind.ANSWER)))
        )
        return dict(found.all())


# ---- the shared dump ------------------------------------------------------------------------


async def test_the_shared_dump_comes_across_whole_and_a_rerun_changes_nothing(
    world: World,
) -> None:
    report = await run_import(world, "acme", SHARED_DUMP)

    assert report.file("Users").imported == 1703
    assert report.file("Comments").imported == 1305
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        kinds = Counter(
            dict((await session.execute(
                select(ImportRecord.kind, func.count()).group_by(ImportRecord.kind)
            )).all())
        )  # fmt: skip
        threads = await session.scalar(select(func.count()).select_from(Thread))
        accepted = await session.scalar(
            select(func.count()).select_from(Thread).where(Thread.accepted_post_id.is_not(None))
        )
        hits = await search(scope, SearchQuery(text="tranlsation"))  # "translation", misspelt
    assert (kinds[SourceKind.QUESTION], kinds[SourceKind.ANSWER]) == (274, 487)
    assert kinds[SourceKind.COMMENT] == 1305
    assert threads == 274
    assert accepted == 86
    assert any("translation" in hit.title.lower() for hit in hits.hits), hits

    posts = await imported_posts(world, "acme")
    sums = dump_vote_sums(SHARED_DUMP)
    assert {source: post.score for source, post in posts.items()} == {
        source: sums[source] for source in posts
    }
    for row in rows(SHARED_DUMP / "Posts.xml"):  # every accepted answer is the accepted one
        if (answer := number(row, "AcceptedAnswerId")) is not None:
            thread = posts[int(row["Id"])].thread_id
            async with world.unit() as session:
                await world.scope(session, "acme")
                assert await session.scalar(
                    select(Thread.accepted_post_id).where(Thread.id == thread)
                ) == posts[answer].id  # fmt: skip

    live = await snapshot(world, "acme")
    async with world.unit() as session:
        await recompute_counters(await world.scope(session, "acme"))
    assert await snapshot(world, "acme") == live  # the counters agree with the facts

    again = await run_import(world, "acme", SHARED_DUMP)
    assert sum(f.imported for n, f in again.files.items() if not n.startswith("(")) == 0
    assert again.file("Posts").already >= 761  # questions and answers (and tag wikis)
    assert await snapshot(world, "acme") == live


async def test_an_import_killed_halfway_resumes_to_the_same_result(world: World) -> None:
    await run_import(world, "acme", SHARED_DUMP)
    batches: Counter[str] = Counter()

    def die_in(file: str) -> Any:
        def progress(name: str, _total: int, _count: int) -> None:
            batches[name] += 1
            if name == file and batches[name] == 2:
                raise Killed(name)

        return progress

    for file in ("Posts", "Comments", "Votes"):  # killed three times, each time further
        with pytest.raises(Killed):
            await run_import(world, "globex", SHARED_DUMP, progress=die_in(file), batch=300)
    await run_import(world, "globex", SHARED_DUMP, batch=300)

    assert await snapshot(world, "globex") == await snapshot(world, "acme")


# ---- messy dumps ----------------------------------------------------------------------------


async def test_each_messy_case_is_handled_and_counted(world: World, tmp_path: Path) -> None:
    report = await run_import(world, "acme", write_dump(tmp_path / "se.example.com", small_site()))

    skipped = {why: n for f in report.files.values() for why, n in f.skipped.items()}
    assert skipped["vote on a post not in the dump (deleted)"] == 1
    assert skipped["answer to a question not in the dump"] == 1
    assert skipped["comment on a post not imported"] == 1
    assert skipped["duplicate link to a post not in the dump"] == 1
    assert skipped["revision of a post not imported"] == 1
    assert skipped["author not in Users.xml (shown as a former member)"] == 1
    assert report.file("Badges").rows == 0  # this site's dump has no Badges.xml

    posts = await imported_posts(world, "acme")
    question, answer, ghost = posts[10], posts[11], posts[12]
    assert "<script" not in question.body_html and "alert" not in question.body_html
    assert "<pre><code>j'ai mangé</code></pre>" in question.body_html
    assert '<a href="https://i.stack.imgur.com/x.png"' in question.body_html  # image as a link
    assert "<img" not in question.body_html
    assert answer.body_md == "Avec le **COD** placé avant."  # the latest revision's source
    assert (question.number, answer.number, ghost.number) == (1, 3, 5)  # comments in between
    snap = await snapshot(world, "acme")
    reputation = {name: rep for name, rep, _email in snap["members"]}
    # Bruno: an upvoted (10) and accepted (15) answer; Aline: two upvotes on her question
    # (2 × 5) and accepting (2); the deleted user's answer was downvoted (-2).
    assert (reputation["Bruno"], reputation["Aline"], reputation["Former member"]) == (25, 12, -2)
    assert ("grammaire", "Questions de grammaire.", 1) in snap["tags"]
    assert {(slug, count) for slug, _d, count in snap["tags"]} >= {("participe", 2)}


async def test_a_dump_that_does_not_parse_imports_nothing(world: World, tmp_path: Path) -> None:
    directory = write_dump(tmp_path / "broken.example.com", small_site())
    (directory / "Votes.xml").write_text('<votes><row Id="1" PostId="10"', encoding="utf-8")

    with pytest.raises(BrokenDump, match=r"Votes\.xml"):
        await run_import(world, "acme", directory)

    async with world.unit() as session:
        await world.scope(session, "acme")
        assert await session.scalar(select(func.count()).select_from(Member)) == 0
        assert await session.scalar(select(func.count()).select_from(ImportRecord)) == 0


# ---- on the site --------------------------------------------------------------------------------


async def test_imported_threads_credit_their_authors_and_old_urls_redirect(
    world: World, client: Client, client_for: Any, tmp_path: Path
) -> None:
    await run_import(world, "acme", write_dump(tmp_path / "se.example.com", small_site()))
    posts = await imported_posts(world, "acme")

    moved = await client.get("/questions/10/accord-du-participe")
    assert moved.status_code == 301
    page = await client.get(moved.headers["location"])
    assert page.status_code == 200
    assert "Accord du participe passé avec avoir" in page.text
    assert "https://se.example.com/q/10" in page.text
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in page.text  # the answer's
    assert "By ghost," in page.text  # a deleted user, credited by the name the dump kept
    assert 'data-testid="origin-' in page.text and ">Imported comment<" in page.text

    answer = await client.get("/a/11")
    assert (answer.status_code, answer.headers["location"]) == (301, f"/p/{posts[11].id}")

    duplicate = await client.get((await client.get("/q/20")).headers["location"])
    assert 'data-testid="duplicate-of"' in duplicate.text
    assert "Closed on the original site on 2012-02-01." in duplicate.text

    assert (await client.get("/questions/12345")).status_code == 404
    assert (await client_for("globex.test").get("/questions/10")).status_code == 404


async def test_a_small_import_killed_in_every_file_resumes_to_the_same_result(
    world: World, tmp_path: Path
) -> None:
    directory = write_dump(tmp_path / "se.example.com", small_site())
    await run_import(world, "acme", directory)
    seen: set[str] = set()

    def die_once_per_file(name: str, _total: int, _count: int) -> None:
        if name not in seen:
            seen.add(name)
            raise Killed(name)

    while True:  # one row per batch, killed after the first batch of each file in turn
        try:
            await run_import(world, "globex", directory, progress=die_once_per_file, batch=1)
            break
        except Killed:
            continue

    assert seen >= {"Users", "Posts", "Comments", "Votes", "PostLinks"}
    assert await snapshot(world, "globex") == await snapshot(world, "acme")
