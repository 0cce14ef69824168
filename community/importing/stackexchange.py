"""Import a Stack Exchange data dump into a community.

One file at a time, in batches: each batch's rows and their `ImportRecord`s commit together,
so an interrupted import keeps whole batches and the next run skips what is recorded.
Counters (scores, reputation, reply and tag counts) are computed once at the end by the
same recompute the `parvis scoring recompute` command runs, and the search index is built
after the bulk load; nothing goes through the forum's per-post hooks (no notifications,
no moderation of years-old content, no index job per post).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.db import session_scope
from community.errors import NotFound, ValidationFailed
from community.forums.markdown import plain_text, render_markdown
from community.forums.models import Category, Post, Thread, ThreadKind
from community.forums.services import slugify
from community.identity.models import Member
from community.importing import dump
from community.importing.bodies import safe_html, source_text
from community.importing.dump import Row, moment, number
from community.importing.models import ImportRecord, SourceKind
from community.importing.plan import ANSWER, BODY_REVISIONS, QUESTION, Plan, make_plan
from community.importing.services import IMPORTED
from community.l10n import N_
from community.scope import Scope
from community.scoring.models import MemberBadge, Reason, ReputationEvent
from community.scoring.recompute import recompute_counters
from community.tags.models import Tag, ThreadTag
from community.tags.services import tag_slug
from community.tenancy.models import Tenant
from community.votes.models import Vote

BATCH = 1000
FORMER_MEMBER = 0  # the source id of the one member standing for deleted users
VOTERS = -1_000_000  # voter n (anonymous in the dump) has source id VOTERS - n
UP, DOWN, ACCEPT = 2, 3, 1
TAG_EXCERPT, TAG_WIKI = 4, 5
DUPLICATE = 3
# Stack Exchange badges that mean what a Parvis badge means.
BADGES = {
    "Student": "first_question",
    "Teacher": "first_answer",
    "Scholar": "first_accepted",
    "Popular Question": "popular_question",
    "Notable Question": "popular_question",
    "Great Answer": "great_answer",
}
NO_DIRECTORY = N_("No Stack Exchange dump in %(dir)s (no Posts.xml).")

# Hears each file's batches: its name, its rows in all, how many this batch held.
Progress = Callable[[str, int, int], None]


@dataclass
class FileReport:
    rows: int = 0
    imported: int = 0
    already: int = 0  # recorded by an earlier run
    seconds: float = 0.0
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.rows / max(self.seconds, 1e-6)


@dataclass
class Report:
    site: str
    category: str
    files: dict[str, FileReport] = field(default_factory=dict)
    seconds: float = 0.0

    def file(self, name: str) -> FileReport:
        return self.files.setdefault(name, FileReport())

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files.values())


@dataclass
class _Known:
    """What earlier batches (of this run or an earlier one) brought in, by source id."""

    members: dict[int, int] = field(default_factory=dict)
    threads: dict[int, int] = field(default_factory=dict)  # question id → thread id
    posts: dict[int, int] = field(default_factory=dict)  # question or answer id → post id
    authors: dict[int, int] = field(default_factory=dict)  # post id → author member id
    tags: dict[str, int] = field(default_factory=dict)  # slug → tag id
    done: set[tuple[SourceKind, int]] = field(default_factory=set)


class StackExchangeImport:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tenant_id: int,
        directory: Path,
        category_id: int,
        site: str,
        progress: Progress | None = None,
        batch: int = BATCH,
    ) -> None:
        self.sessions = sessions
        self.tenant_id = tenant_id
        self.directory = directory
        self.category_id = category_id
        self.site = site
        self.progress = progress or (lambda _file, _total, _n: None)
        self.batch = batch
        self.known = _Known()
        self.plan = Plan()
        self.report = Report(site=site, category="")
        self.voters: list[int] = []
        self.tag_wikis: dict[int, str] = {}  # tag wiki post id → tag slug

    # ---- the run --------------------------------------------------------------------------

    async def run(self) -> Report:
        started = time.monotonic()
        self.plan = make_plan(self.directory)
        await self._load_known()
        await self._file("Users", self._users)
        await self._file("Tags", self._tags)
        await self._file("Posts", self._posts)
        await self._accept_answers()
        await self._file("PostHistory", self._history)
        await self._file("Comments", self._comments)
        await self._file("Votes", self._votes)
        await self._file("PostLinks", self._links)
        await self._file("Badges", self._badges)
        await self._finish()
        self.report.seconds = time.monotonic() - started
        return self.report

    async def _file(self, name: str, write: Callable[[Scope, list[Row], FileReport], Any]) -> None:
        report = self.report.file(name)
        started = time.monotonic()
        for batch in _batches(dump.rows(self.directory / f"{name}.xml"), self.batch):
            async with session_scope(self.sessions) as session:
                await write(await Scope.load(session, self.tenant_id), batch, report)
            report.rows += len(batch)
            self.progress(name, self.plan.totals.get(name, 0), len(batch))
        report.seconds = time.monotonic() - started

    def _new(self, kind: SourceKind, source_id: int | None, report: FileReport) -> bool:
        """Whether the row is still to import (an earlier run may have brought it in)."""
        if source_id is None:
            report.skipped["no Id"] += 1
            return False
        if (kind, source_id) in self.known.done:
            report.already += 1
            return False
        return True

    async def _records(self, scope: Scope, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        for record in records:
            record.setdefault("tenant_id", self.tenant_id)
            record.setdefault("site", self.site)
            self.known.done.add((record["kind"], record["source_id"]))
        await scope.db.execute(insert(ImportRecord), records)

    async def _insert(
        self, scope: Scope, model: type[Any], rows: list[dict[str, Any]]
    ) -> list[int]:
        """Insert `rows` at once; their new ids in the same order."""
        if not rows:
            return []
        for row in rows:
            row.setdefault("tenant_id", self.tenant_id)
        if scope.db.get_bind().dialect.name == "sqlite":
            # Asked to keep the order, SQLAlchemy inserts SQLite rows one at a time. One
            # connection writes at a time there and gives each row of an INSERT the next
            # rowid, so the rows' ids in ascending order are the rows in order.
            statement = insert(model).returning(model.id)
            return sorted(await scope.db.scalars(statement, rows))
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(await scope.db.scalars(statement, rows))

    async def _load_known(self) -> None:
        async with session_scope(self.sessions) as session:
            scope = await Scope.load(session, self.tenant_id)
            records = await session.execute(
                select(
                    ImportRecord.kind,
                    ImportRecord.source_id,
                    ImportRecord.target_id,
                    ImportRecord.post_id,
                ).where(ImportRecord.site == self.site)
            )
            for kind, source_id, target_id, post_id in records:
                self._remember(kind, source_id, target_id, post_id)
            self.known.tags = dict((await session.execute(select(Tag.slug, Tag.id))).all())
            posts = (  # a join, not an IN list: a big site has millions of posts
                select(Post.id, Post.author_id)
                .join(ImportRecord, ImportRecord.post_id == Post.id)
                .where(ImportRecord.site == self.site)
                .where(ImportRecord.kind.in_((SourceKind.QUESTION, SourceKind.ANSWER)))
            )
            self.known.authors = dict((await session.execute(posts)).all())
            voters = select(Member.id, ImportRecord.source_id).join(
                ImportRecord, ImportRecord.target_id == Member.id
            )
            voters = voters.where(
                ImportRecord.kind == SourceKind.USER, ImportRecord.source_id <= VOTERS
            )
            by_rank = sorted((VOTERS - s, m) for m, s in await scope.db.execute(voters))
            self.voters = [member_id for _rank, member_id in by_rank]

    def _remember(
        self, kind: SourceKind, source_id: int, target_id: int | None, post_id: int | None
    ) -> None:
        self.known.done.add((kind, source_id))
        if kind == SourceKind.USER and target_id is not None:
            self.known.members[source_id] = target_id
        elif kind == SourceKind.QUESTION and target_id is not None and post_id is not None:
            self.known.threads[source_id] = target_id
            self.known.posts[source_id] = post_id
        elif kind == SourceKind.ANSWER and post_id is not None:
            self.known.posts[source_id] = post_id

    # ---- members ----------------------------------------------------------------------------

    def _member_row(self, source_id: int, name: str, created: datetime | None) -> dict[str, Any]:
        row: dict[str, Any] = {
            "email": f"se-{source_id}@{self.site}.import.invalid",
            "display_name": (name.strip() or f"user{source_id}")[:80],
            "password_hash": "",  # no password: claimed by email verification or SSO
        }
        if created is not None:
            row["created_at"] = created
        return row

    async def _add_members(
        self, scope: Scope, people: list[tuple[int, dict[str, Any]]], report: FileReport
    ) -> None:
        rows = [row for _source, row in people]
        # The ORM validator keeps the confusable-name keys; bulk inserts skip validators.
        for row in rows:
            probe = Member(display_name=row["display_name"])
            row["name_skeleton"] = probe.name_skeleton
            row["name_skeleton_as_written"] = probe.name_skeleton_as_written
        ids = await self._insert(scope, Member, rows)
        records = []
        for (source_id, _row), member_id in zip(people, ids, strict=True):
            self.known.members[source_id] = member_id
            records.append(
                {"kind": SourceKind.USER, "source_id": source_id, "target_id": member_id}
            )
        await self._records(scope, records)
        report.imported += len(ids)

    async def _users(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        people = []
        for row in batch:
            source_id = number(row, "Id")
            if self._new(SourceKind.USER, source_id, report) and source_id is not None:
                name, created = row.get("DisplayName", ""), moment(row, "CreationDate")
                people.append((source_id, self._member_row(source_id, name, created)))
        await self._add_members(scope, people, report)

    async def _author(self, scope: Scope, user_id: int | None, report: FileReport) -> int:
        """The member who wrote a post: its user's, or the one standing for deleted users."""
        if user_id is not None and user_id in self.known.members:
            return self.known.members[user_id]
        if user_id is not None:
            report.skipped["author not in Users.xml (shown as a former member)"] += 1
        if FORMER_MEMBER not in self.known.members:
            row = self._member_row(FORMER_MEMBER, "Former member", None)
            await self._add_members(scope, [(FORMER_MEMBER, row)], FileReport())
        return self.known.members[FORMER_MEMBER]

    async def _voter(self, scope: Scope, rank: int) -> int:
        """The `rank`-th anonymous voter: the dump does not say who voted, and a member votes
        once per post, so a post's n votes come from voters 1 … n."""
        while len(self.voters) <= rank:
            source_id = VOTERS - len(self.voters)
            row = self._member_row(source_id, f"Voter {len(self.voters) + 1}", None)
            await self._add_members(scope, [(source_id, row)], FileReport())
            self.voters.append(self.known.members[source_id])
        return self.voters[rank]

    # ---- tags ---------------------------------------------------------------------------------

    async def _tags(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        names = [row.get("TagName", "") for row in batch]
        await self._tag_ids(scope, names, report)
        for row in batch:  # the posts that hold each tag's wiki (read again on every run)
            for attribute in ("ExcerptPostId", "WikiPostId"):
                if (post_id := number(row, attribute)) is not None:
                    self.tag_wikis[post_id] = tag_slug(row.get("TagName", ""))

    async def _tag_ids(self, scope: Scope, names: Iterable[str], report: FileReport) -> list[int]:
        """The ids of the tags named, created when new."""
        wanted = {tag_slug(name): name for name in names if tag_slug(name)}
        missing = [
            {"slug": s, "name": n[:60]} for s, n in wanted.items() if s not in self.known.tags
        ]
        ids = await self._insert(scope, Tag, missing)
        for row, tag_id in zip(missing, ids, strict=True):
            self.known.tags[row["slug"]] = tag_id
        report.imported += len(ids)
        return [self.known.tags[s] for s in wanted]

    async def _describe_tag(self, scope: Scope, row: Row, report: FileReport) -> None:
        """A tag wiki's excerpt (or, without one, its wiki's start) as the tag's description."""
        slug = self.tag_wikis.get(number(row, "Id") or 0, "")
        text = plain_text(row.get("Body", ""))[:500]
        if not slug or slug not in self.known.tags or not text:
            report.skipped["tag wiki of no tag, or empty"] += 1
            return
        described = (Tag.id == self.known.tags[slug]) & (Tag.description != text)
        if number(row, "PostTypeId") == TAG_WIKI:  # only where the tag has no excerpt
            described = described & (Tag.description == "")
        changed = await scope.db.execute(update(Tag).where(described).values(description=text))
        if getattr(changed, "rowcount", 0):
            report.imported += 1
        else:
            report.already += 1

    # ---- posts ------------------------------------------------------------------------------

    def _attribution(self, kind: SourceKind, row: Row, source_id: int) -> dict[str, Any]:
        return {
            "kind": kind,
            "source_id": source_id,
            "author_name": (row.get("OwnerDisplayName") or row.get("UserDisplayName") or "")[:120],
            "licence": row.get("ContentLicense", "")[:40],
        }

    async def _post_row(
        self, scope: Scope, row: Row, number_: int, report: FileReport
    ) -> dict[str, Any]:
        html = row.get("Body", "")
        created = moment(row, "CreationDate") or datetime.now(UTC)
        return {
            "author_id": await self._author(scope, number(row, "OwnerUserId"), report),
            "number": number_,
            "body_md": source_text(None, html),
            "body_html": safe_html(html),
            "created_at": created,
            "edited_at": moment(row, "LastEditDate"),
        }

    async def _posts(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        questions: list[Row] = []
        answers: list[Row] = []
        for row in batch:
            kind, source_id = number(row, "PostTypeId"), number(row, "Id")
            if kind in (TAG_EXCERPT, TAG_WIKI):
                await self._describe_tag(scope, row, report)
            elif kind not in (QUESTION, ANSWER):
                report.skipped[f"post type {kind} (not a question or an answer)"] += 1
            elif source_id not in self.plan.numbers:
                report.skipped["answer to a question not in the dump"] += 1
            elif self._new(SourceKind(_KINDS[kind]), source_id, report):
                (questions if kind == QUESTION else answers).append(row)
        await self._questions(scope, questions, report)
        await self._answers(scope, answers, report)

    async def _questions(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        openings = [await self._post_row(scope, row, 1, report) for row in batch]
        threads = [
            self._thread_row(row, opening) for row, opening in zip(batch, openings, strict=True)
        ]
        thread_ids = await self._insert(scope, Thread, threads)
        for opening, thread_id in zip(openings, thread_ids, strict=True):
            opening["thread_id"] = thread_id
        post_ids = await self._insert(scope, Post, openings)
        records: list[dict[str, Any]] = []
        tagged: list[tuple[int, str]] = []
        for row, thread_id, post_id, opening in zip(
            batch, thread_ids, post_ids, openings, strict=True
        ):
            source_id = int(row["Id"])
            self.known.threads[source_id] = thread_id
            self.known.posts[source_id] = post_id
            self.known.authors[post_id] = opening["author_id"]
            details = {"closed_at": row["ClosedDate"]} if row.get("ClosedDate") else {}
            records.append(
                self._attribution(SourceKind.QUESTION, row, source_id)
                | {"target_id": thread_id, "post_id": post_id, "details": details}
            )
            names = dump.tag_names(row.get("Tags", ""))
            tagged += [(thread_id, name) for name in names]
        await self._tag_ids(scope, [name for _thread, name in tagged], FileReport())
        pairs = {
            (thread_id, self.known.tags[tag_slug(name)])
            for thread_id, name in tagged
            if tag_slug(name)
        }
        await self._insert(
            scope, ThreadTag, [{"thread_id": t, "tag_id": g} for t, g in sorted(pairs)]
        )
        await self._records(scope, records)
        report.imported += len(post_ids)

    def _thread_row(self, row: Row, opening: dict[str, Any]) -> dict[str, Any]:
        title = " ".join(row.get("Title", "").split())[:200] or f"Question {row['Id']}"
        return {
            "category_id": self.category_id,
            "author_id": opening["author_id"],
            "kind": ThreadKind.QUESTION,
            "title": title,
            "slug": slugify(title),
            "view_count": number(row, "ViewCount") or 0,
            "created_at": opening["created_at"],
            "last_activity_at": moment(row, "LastActivityDate") or opening["created_at"],
        }

    async def _answers(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        rows, kept = [], []
        for row in batch:
            source_id = int(row["Id"])
            thread_id = self.known.threads.get(self.plan.question_of[source_id])
            if thread_id is None:
                report.skipped["answer to a question that was not imported"] += 1
                continue
            post = await self._post_row(scope, row, self.plan.numbers[source_id], report)
            rows.append(post | {"thread_id": thread_id})
            kept.append(row)
        post_ids = await self._insert(scope, Post, rows)
        records = []
        for row, post, post_id in zip(kept, rows, post_ids, strict=True):
            self.known.posts[int(row["Id"])] = post_id
            self.known.authors[post_id] = post["author_id"]
            records.append(
                self._attribution(SourceKind.ANSWER, row, int(row["Id"]))
                | {"target_id": post_id, "post_id": post_id}
            )
        await self._records(scope, records)
        report.imported += len(post_ids)

    async def _accept_answers(self) -> None:
        """Each question's accepted answer, once both are in (idempotent: a re-run sets the
        same ones)."""
        pairs = [
            (self.known.threads[q], self.known.posts[a])
            for q, a in self.plan.accepted.items()
            if q in self.known.threads and a in self.known.posts
        ]
        report = self.report.file("Posts")
        report.skipped["accepted answer not imported"] += len(self.plan.accepted) - len(pairs)
        for chunk in _batches(iter(pairs)):
            async with session_scope(self.sessions) as session:
                await Scope.load(session, self.tenant_id)
                for thread_id, post_id in chunk:
                    await session.execute(
                        update(Thread)
                        .where(Thread.id == thread_id, Thread.accepted_post_id.is_(None))
                        .values(accepted_post_id=post_id)
                    )

    async def _history(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        """Each post's Markdown source, from its latest body revision: later edits start
        from what the author wrote."""
        latest: dict[int, str] = {}
        for row in batch:
            source_id = number(row, "PostId") or 0
            post_id = self.known.posts.get(source_id)
            if number(row, "PostHistoryTypeId") not in BODY_REVISIONS:
                report.skipped["not a body revision (titles, tags, votes to close…)"] += 1
            elif post_id is None:
                report.skipped["revision of a post not imported"] += 1
            elif self.plan.latest_revision.get(source_id) != number(row, "Id"):
                report.skipped["an earlier revision (the latest is kept)"] += 1
            else:
                latest[post_id] = row.get("Text", "")
        stored = await scope.db.execute(select(Post.id, Post.body_md).where(Post.id.in_(latest)))
        changes = [
            {"id": post_id, "body_md": latest[post_id]}
            for post_id, body_md in stored
            if body_md != latest[post_id]
        ]
        if changes:  # one executemany by primary key
            await scope.db.execute(update(Post), changes)
        report.imported += len(changes)
        report.already += len(latest) - len(changes)

    # ---- comments ---------------------------------------------------------------------------

    async def _comments(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        rows, kept = [], []
        for row in batch:
            source_id = number(row, "Id")
            if not self._new(SourceKind.COMMENT, source_id, report) or source_id is None:
                continue
            on = self.plan.comment_post.get(source_id)
            thread_id = self._thread_of_post(on)
            if on is None or thread_id is None:
                report.skipped["comment on a post not imported"] += 1
                continue
            rows.append(await self._comment_row(scope, row, source_id, thread_id, report))
            kept.append((row, source_id, on))
        post_ids = await self._insert(scope, Post, rows)
        records = [
            self._attribution(SourceKind.COMMENT, row, source_id)
            | {
                "target_id": post_id,
                "post_id": post_id,
                "details": {"on": self.plan.numbers[on], "on_post": self.known.posts[on]},
            }
            for (row, source_id, on), post_id in zip(kept, post_ids, strict=True)
        ]
        await self._records(scope, records)
        report.imported += len(post_ids)

    def _thread_of_post(self, source_post: int | None) -> int | None:
        if source_post is None or source_post not in self.known.posts:
            return None
        question = self.plan.question_of.get(source_post, source_post)
        return self.known.threads.get(question)

    async def _comment_row(
        self, scope: Scope, row: Row, source_id: int, thread_id: int, report: FileReport
    ) -> dict[str, Any]:
        text = row.get("Text", "")
        return {
            "thread_id": thread_id,
            "author_id": await self._author(scope, number(row, "UserId"), report),
            "number": self.plan.comment_numbers[source_id],
            "body_md": text,
            "body_html": render_markdown(text, scope.tenant.locale),
            "created_at": moment(row, "CreationDate") or datetime.now(UTC),
        }

    # ---- votes --------------------------------------------------------------------------------

    async def _votes(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        points = scope.settings.scoring.points
        counts = await self._vote_counts(scope, batch)
        votes, events, records = [], [], []
        for row in batch:
            source_id, kind = number(row, "Id"), number(row, "VoteTypeId")
            if not self._new(SourceKind.VOTE, source_id, report) or source_id is None:
                continue
            post_id = self.known.posts.get(number(row, "PostId") or 0)
            if kind not in (UP, DOWN, ACCEPT):
                report.skipped[f"vote type {kind} (favourite, close, bounty…: no score)"] += 1
            elif post_id is None:
                report.skipped["vote on a post not in the dump (deleted)"] += 1
            else:
                when = moment(row, "CreationDate") or datetime.now(UTC)
                author = self.known.authors[post_id]
                if kind == ACCEPT:
                    events += await self._accept_events(scope, post_id, author, when, points)
                else:
                    voter = await self._voter(scope, counts[post_id])
                    counts[post_id] += 1
                    value = 1 if kind == UP else -1
                    votes.append(
                        {"member_id": voter, "post_id": post_id, "value": value, "created_at": when}
                    )
                    events.append(self._vote_event(scope, row, post_id, author, voter, when))
                records.append(
                    {"kind": SourceKind.VOTE, "source_id": source_id, "post_id": post_id}
                )
        await self._insert(scope, Vote, votes)
        await self._insert(scope, ReputationEvent, [e for e in events if e["points"]])
        await self._records(scope, records)
        report.imported += len(records)

    async def _vote_counts(self, scope: Scope, batch: list[Row]) -> Counter[int]:
        """How many votes each post of the batch already has (the next voter's rank)."""
        post_ids = {self.known.posts.get(number(r, "PostId") or 0) for r in batch} - {None}
        found = await scope.db.execute(
            select(Vote.post_id, func.count())
            .where(Vote.post_id.in_(post_ids))
            .group_by(Vote.post_id)
        )
        return Counter(dict(found.all()))

    def _vote_event(
        self, scope: Scope, row: Row, post_id: int, author: int, voter: int, when: datetime
    ) -> dict[str, Any]:
        up = number(row, "VoteTypeId") == UP
        answer = number(row, "PostId") in self.plan.question_of
        reason = (
            Reason.DOWNVOTE_RECEIVED
            if not up
            else Reason.ANSWER_UPVOTED
            if answer
            else Reason.QUESTION_UPVOTED
        )
        return self._event(scope, author, reason, voter, post_id, when)

    def _event(
        self,
        scope: Scope,
        member: int,
        reason: Reason,
        actor: int | None,
        post_id: int,
        when: datetime,
    ) -> dict[str, Any]:
        return {
            "member_id": member,
            "actor_id": actor,
            "reason": reason,
            "points": scope.settings.scoring.points[reason],
            "post_id": post_id,
            "category_id": self.category_id,
            "created_at": when,
        }

    async def _accept_events(
        self, scope: Scope, post_id: int, author: int, when: datetime, _points: Any
    ) -> list[dict[str, Any]]:
        """The accepting's points, dated by the dump's accept vote, when the answer is its
        question's accepted one (and not the asker's own: that earns nothing)."""
        thread = await scope.db.scalar(select(Thread).where(Thread.accepted_post_id == post_id))
        if thread is None:
            return []
        await scope.db.execute(
            update(Thread).where(Thread.id == thread.id).values(accepted_at=when)
        )
        if thread.author_id == author:
            return []
        return [
            self._event(scope, author, Reason.ANSWER_ACCEPTED, thread.author_id, post_id, when),
            self._event(scope, thread.author_id, Reason.ACCEPTED_AN_ANSWER, None, post_id, when),
        ]

    # ---- links and badges ---------------------------------------------------------------------

    async def _links(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        records = []
        for row in batch:
            source_id = number(row, "Id")
            if not self._new(SourceKind.LINK, source_id, report) or source_id is None:
                continue
            duplicate = self.known.threads.get(number(row, "PostId") or 0)
            original = self.known.threads.get(number(row, "RelatedPostId") or 0)
            if number(row, "LinkTypeId") != DUPLICATE:
                report.skipped["related link (only duplicates are shown)"] += 1
            elif duplicate is None or original is None:
                report.skipped["duplicate link to a post not in the dump"] += 1
            else:
                opening = self.known.posts[int(row["PostId"])]
                details = {"duplicate_of": original}
                records.append(
                    {
                        "kind": SourceKind.LINK,
                        "source_id": source_id,
                        "target_id": duplicate,
                        "post_id": opening,
                        "details": details,
                    }
                )
        await self._records(scope, records)
        report.imported += len(records)

    async def _badges(self, scope: Scope, batch: list[Row], report: FileReport) -> None:
        held = set(
            (await scope.db.execute(select(MemberBadge.member_id, MemberBadge.badge)))
            .tuples()
            .all()
        )
        awarded, records = [], []
        for row in batch:
            source_id = number(row, "Id")
            if not self._new(SourceKind.BADGE, source_id, report) or source_id is None:
                continue
            code = BADGES.get(row.get("Name", ""))
            member = self.known.members.get(number(row, "UserId") or FORMER_MEMBER)
            if code is None or member is None:
                report.skipped["badge with no Parvis equivalent"] += 1
                continue
            if (member, code) not in held:
                held.add((member, code))
                awarded.append(
                    {
                        "member_id": member,
                        "badge": code,
                        "awarded_at": moment(row, "Date") or datetime.now(UTC),
                    }
                )
            records.append({"kind": SourceKind.BADGE, "source_id": source_id, "target_id": member})
        await self._insert(scope, MemberBadge, awarded)
        await self._records(scope, records)
        report.imported += len(records)

    # ---- the end ------------------------------------------------------------------------------

    async def _finish(self) -> None:
        from community.search.service import reindex

        started = time.monotonic()
        async with session_scope(self.sessions) as session:
            await recompute_counters(await Scope.load(session, self.tenant_id))
        self.report.file("(counters)").seconds = time.monotonic() - started
        started = time.monotonic()
        indexed = await reindex(self.sessions, self.tenant_id)
        search = self.report.file("(search index)")
        search.rows = search.imported = indexed
        search.seconds = time.monotonic() - started


_KINDS = {QUESTION: SourceKind.QUESTION, ANSWER: SourceKind.ANSWER}


def _batches(items: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    while batch := list(islice(items, size)):
        yield batch


# ---- the entry point ----------------------------------------------------------------------------


async def import_dump(
    sessions: async_sessionmaker[AsyncSession],
    tenant_slug: str,
    directory: Path,
    category_slug: str = "",
    progress: Progress | None = None,
    batch: int = BATCH,
) -> Report:
    """Import the dump in `directory` into the tenant's category `category_slug` (made when
    missing; default: one named after the site)."""
    site = site_of(directory)
    tenant_id, category_id = await _target(
        sessions, tenant_slug, category_slug or _slug_of(site), site
    )
    importer = StackExchangeImport(
        sessions, tenant_id, directory, category_id, site, progress, batch
    )
    report = await importer.run()
    report.category = category_slug or _slug_of(site)
    return report


def site_of(directory: Path) -> str:
    """The dump's site, named by its directory ("french.meta.stackexchange.com")."""
    if not (directory / "Posts.xml").is_file():
        raise ValidationFailed({"dir": NO_DIRECTORY % {"dir": directory}})
    return directory.resolve().name


def _slug_of(site: str) -> str:
    return slugify(site.removesuffix(".com").removesuffix(".stackexchange"))[:80]


async def _target(
    sessions: async_sessionmaker[AsyncSession], tenant_slug: str, category_slug: str, site: str
) -> tuple[int, int]:
    async with session_scope(sessions) as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
        if tenant is None:
            raise NotFound(f"no tenant with slug {tenant_slug!r}")
        tenant_id = tenant.id
        tenant.preferences = {**tenant.preferences, IMPORTED: True}  # its pages show origins
        await Scope.load(session, tenant_id)
        category_id = await session.scalar(
            select(Category.id).where(Category.slug == category_slug)
        )
        if category_id is None:
            category = Category(
                slug=category_slug, name=site[:120], description=f"Imported from {site}"
            )
            session.add(category)
            await session.flush()
            category_id = category.id
        return tenant_id, category_id
