"""The one hook point of a post's life: how the forum tells the capabilities built on it.

The forum never imports moderation, scoring, escalation, search or notifications. Instead
each of them registers here (see `community.wiring`), and the forum calls, in order:

- `checks`, before anything is written: each may refuse the write by raising a
  DomainError (a suspended author, a locked thread);
- `reactions`, in the same transaction once the post is flushed: they may change it
  (moderation holds it back, escalation scores its sentiment) or write rows of their own
  (reputation events); a reaction that raises rolls the whole write back;
- `deferred`, after the transaction has committed: work that must only see committed rows
  (enqueuing a job), never run for a write that was rolled back.

Hooks run in registration order; `community.wiring` registers them once, moderation first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from community.db import after_commit
from community.forums.models import Category, Post, Thread
from community.identity.models import Member
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


Check = Callable[[Scope, PostDraft], Awaitable[None]]
Reaction = Callable[[Scope, PostWritten], Awaitable[None]]


@dataclass
class PostLifecycle:
    checks: list[Check] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    deferred: list[Reaction] = field(default_factory=list)

    def check(self, hook: Check) -> Check:
        if hook not in self.checks:
            self.checks.append(hook)
        return hook

    def react(self, hook: Reaction) -> Reaction:
        if hook not in self.reactions:
            self.reactions.append(hook)
        return hook

    def defer(self, hook: Reaction) -> Reaction:
        if hook not in self.deferred:
            self.deferred.append(hook)
        return hook

    async def before_write(self, scope: Scope, draft: PostDraft) -> None:
        for hook in self.checks:
            await hook(scope, draft)

    async def after_write(self, scope: Scope, written: PostWritten) -> None:
        for hook in self.reactions:
            await hook(scope, written)
        for deferred in self.deferred:
            after_commit(scope.db, _bound(deferred, scope, written))


def _bound(hook: Reaction, scope: Scope, written: PostWritten) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await hook(scope, written)

    return run


POSTS = PostLifecycle()
"""The forum's posts; capabilities register with it in `community.wiring`."""
