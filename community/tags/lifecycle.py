"""The tags' hook point: capabilities built on tags hear when a thread gains tags.

Notifications register here (in `community.wiring`) to tell the watchers of a tag of a
thread that now carries it; tags never import them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from community.forums.models import Thread
from community.scope import Scope


@dataclass(frozen=True)
class ThreadTagged:
    """A thread just given tags it did not carry (flushed, not committed)."""

    thread: Thread
    added: frozenset[int]  # the tag ids
    new_thread: bool = False  # tagged as its opening post is written, not later


Tagged = Callable[[Scope, ThreadTagged], Awaitable[None]]


@dataclass
class TagLifecycle:
    reactions: list[Tagged] = field(default_factory=list)

    def react(self, hook: Tagged) -> Tagged:
        if hook not in self.reactions:  # wiring twice is harmless
            self.reactions.append(hook)
        return hook

    async def after_tagging(self, scope: Scope, tagged: ThreadTagged) -> None:
        for hook in self.reactions:
            await hook(scope, tagged)


TAGGING = TagLifecycle()
"""Threads gaining tags; capabilities register with it in `community.wiring`."""
