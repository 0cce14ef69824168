"""The forum's hook points: how it tells the capabilities built on it, without importing them.

The forum never imports moderation, scoring, escalation, votes, search or notifications.
Instead each of them registers here (see `community.wiring`).

`POSTS`, a post's life. The forum calls, in order:

- `checks`, before anything is written: each may refuse the write by raising a
  DomainError (a suspended author, a locked thread);
- `reactions`, in the same transaction once the post is flushed: they may change it
  (moderation holds it back, escalation scores its sentiment) or write rows of their own
  (reputation events); a reaction that raises rolls the whole write back;
- `deferred`, after the transaction has committed: work that must only see committed rows
  (enqueuing a job), never run for a write that was rolled back;
- `removals`, in the same transaction once a post is (softly) deleted: what rested on it
  goes with it (an answer's acceptance or certification, and the points they earned).

Hooks run in registration order; `community.wiring` registers them once, moderation first.

`THREAD_PAGE`, what a thread page shows besides the thread and its posts: each `extras`
hook returns named values (the viewer's votes, the escalation status) that are merged into
the `ThreadView` and handed to the page's template. The query parameters the hooks name in
`hints` (a suggestion's tracking key) reach them in `ThreadView.hints`, unread by the forum.

`ASK_FORM`, the form that asks a question. Its `extras` add values to the form's template;
its `checks` run before a question is posted and may show the form once more with what they
answer (similar questions to check first) instead of posting it; `posted` hooks run in the
same transaction once it is. The form fields the hooks name in `fields` reach them in
`AskForm.hints`, as the forum passes them through without knowing what they mean.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from community.db import after_commit
from community.forums.models import Category, Post, PostRevision, Thread
from community.identity.models import Member
from community.pagination import Page
from community.scope import Scope


@dataclass(frozen=True)
class PostDraft:
    """A post about to be written: a new thread's opening post, a reply or an edit."""

    author: Member  # who the post is by (the actor, unless a moderator edits someone's post)
    category: Category
    thread: Thread | None  # None while a new thread is being created
    body: str
    edited: bool = False
    # What the writer asked of the capabilities, by name, e.g. "wait_on_asker" (a staff
    # reply that pauses the escalation clock until the asker answers). The forum passes
    # them through without knowing what they mean.
    options: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PostWritten:
    """A post just written (flushed, not committed): new, or edited when `edited`."""

    author: Member
    category: Category
    thread: Thread
    post: Post
    edited: bool = False
    options: frozenset[str] = frozenset()
    # The text a resolving answer had before this edit, kept by the forum (None otherwise).
    revision: PostRevision | None = None


@dataclass(frozen=True)
class PostRemoved:
    """A post just soft-deleted (flushed, not committed), by the scope's actor."""

    thread: Thread
    post: Post


HookT = TypeVar("HookT")


def _once(hooks: list[HookT], hook: HookT) -> HookT:
    """Register `hook` at the end of `hooks`, unless it already is (wiring twice is harmless)."""
    if hook not in hooks:
        hooks.append(hook)
    return hook


Check = Callable[[Scope, PostDraft], Awaitable[None]]
Reaction = Callable[[Scope, PostWritten], Awaitable[None]]
Removal = Callable[[Scope, PostRemoved], Awaitable[None]]


@dataclass
class PostLifecycle:
    checks: list[Check] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    deferred: list[Reaction] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)

    def check(self, hook: Check) -> Check:
        return _once(self.checks, hook)

    def react(self, hook: Reaction) -> Reaction:
        return _once(self.reactions, hook)

    def defer(self, hook: Reaction) -> Reaction:
        return _once(self.deferred, hook)

    def on_remove(self, hook: Removal) -> Removal:
        return _once(self.removals, hook)

    async def before_write(self, scope: Scope, draft: PostDraft) -> None:
        for hook in self.checks:
            await hook(scope, draft)

    async def after_write(self, scope: Scope, written: PostWritten) -> None:
        for hook in self.reactions:
            await hook(scope, written)
        for deferred in self.deferred:
            after_commit(scope.db, _bound(deferred, scope, written))

    async def after_remove(self, scope: Scope, removed: PostRemoved) -> None:
        for hook in self.removals:
            await hook(scope, removed)


def _bound(hook: Reaction, scope: Scope, written: PostWritten) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await hook(scope, written)

    return run


POSTS = PostLifecycle()
"""The forum's posts; capabilities register with it in `community.wiring`."""


# ---- the thread page ------------------------------------------------------------------------


@dataclass(frozen=True)
class PostActions:
    """What the scope's member may do with one post, as the services decide it."""

    sees_original: bool = False  # the text as written, not the one masked for the public
    edit: bool = False
    delete: bool = False
    accept: bool = False  # accept (or take back accepting) this answer
    flag: bool = False
    certify: bool = False  # certify (or withdraw certifying) this answer
    history: bool = False  # read the post's earlier versions (staff, when it has some)


@dataclass
class ThreadView:
    """A thread, one page of its posts, what the viewer may do with each, and the extras
    the capabilities add (`THREAD_PAGE`), by name."""

    thread: Thread
    posts: Page[Post]
    actions: Mapping[int, PostActions]
    extras: dict[str, Any] = field(default_factory=dict)
    hints: Mapping[str, str] = field(default_factory=dict)  # see `ThreadPageHooks.hints`

    @property
    def post_ids(self) -> list[int]:
        return [post.id for post in self.posts.items]

    def context(self) -> dict[str, Any]:
        """What a template showing the thread is given."""
        return {
            "thread": self.thread,
            "posts": self.posts,
            "actions": self.actions,
            **self.extras,
        }


ThreadExtra = Callable[[Scope, ThreadView], Awaitable[dict[str, Any]]]


@dataclass
class ThreadPageHooks:
    extras: list[ThreadExtra] = field(default_factory=list)
    hints: set[str] = field(default_factory=set)  # query parameters the extras read

    def extra(self, hook: ThreadExtra) -> ThreadExtra:
        return _once(self.extras, hook)

    async def complete(self, scope: Scope, view: ThreadView) -> ThreadView:
        """The view with every registered extra merged in (later ones win on a name)."""
        for hook in self.extras:
            view.extras.update(await hook(scope, view))
        return view


THREAD_PAGE = ThreadPageHooks()
"""The thread page; votes and escalation add their extras in `community.wiring`."""


# ---- the home page and category pages -------------------------------------------------------

ListingExtra = Callable[[Scope, int | None], Awaitable[dict[str, Any]]]


@dataclass
class ListingPageHooks:
    """What capabilities add to the home page (category None) and to a category's page."""

    extras: list[ListingExtra] = field(default_factory=list)

    def extra(self, hook: ListingExtra) -> ListingExtra:
        return _once(self.extras, hook)

    async def context(self, scope: Scope, category_id: int | None) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for hook in self.extras:
            merged.update(await hook(scope, category_id))
        return merged


LISTING_PAGE = ListingPageHooks()
"""The home and category pages; notify adds its pinned announcements in `community.wiring`."""


# ---- the ask form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AskForm:
    """The ask form as the member filled it in."""

    title: str
    kind: str
    hints: Mapping[str, str] = field(default_factory=dict)  # the fields `ASK_FORM.fields` names


AskExtra = Callable[[Scope, AskForm], Awaitable[dict[str, Any]]]
AskPosted = Callable[[Scope, AskForm, Thread], Awaitable[None]]


@dataclass
class AskFormHooks:
    extras: list[AskExtra] = field(default_factory=list)
    checks: list[AskExtra] = field(default_factory=list)
    posted: list[AskPosted] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)

    def extra(self, hook: AskExtra) -> AskExtra:
        return _once(self.extras, hook)

    def check(self, hook: AskExtra) -> AskExtra:
        return _once(self.checks, hook)

    def on_posted(self, hook: AskPosted) -> AskPosted:
        return _once(self.posted, hook)

    async def context(self, scope: Scope, form: AskForm) -> dict[str, Any]:
        return await _merged(self.extras, scope, form)

    async def before_posting(self, scope: Scope, form: AskForm) -> dict[str, Any]:
        """What to show before the question is posted; empty to post it now."""
        return await _merged(self.checks, scope, form)

    async def after_posting(self, scope: Scope, form: AskForm, thread: Thread) -> None:
        for hook in self.posted:
            await hook(scope, form, thread)


async def _merged(hooks: list[AskExtra], scope: Scope, form: AskForm) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for hook in hooks:
        merged.update(await hook(scope, form))
    return merged


ASK_FORM = AskFormHooks()
"""The ask form; deflection adds its similar questions in `community.wiring`."""
