"""What happened, announced where it happened, heard by the capabilities built on top.

A post's life has its own hook point (`community.forums.lifecycle.POSTS`). The other things
a brand's systems want to hear of happen in many packages: an answer accepted or certified
(qa), an idea's status (ideas), an escalation's state (escalation), a member joining
(identity), a flag (moderation). Each of them calls `EVENTS.announce(scope, kind, ...)` in
the transaction of the change, naming the rows by id; the capabilities that listen
(outgoing webhooks) register a reaction in `community.wiring`. The announcing package never
imports a listener, and a reaction that raises rolls the change back with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from community.scope import Scope

ANSWER_ACCEPTED = "answer.accepted"
ANSWER_CERTIFIED = "answer.certified"
THREAD_RESOLVED = "thread.resolved"
IDEA_STATUS_CHANGED = "idea.status_changed"
ESCALATION_STATE_CHANGED = "escalation.state_changed"
MEMBER_JOINED = "member.joined"
FLAG_RAISED = "flag.raised"
POST_PUBLISHED = "post.published"  # a post held back by moderation, approved: public now


@dataclass(frozen=True)
class Happened:
    """One change: its kind, the rows it is about by name (`{"thread_id": 4}`), and any
    detail the rows no longer tell (the state an escalation left)."""

    kind: str
    ids: Mapping[str, int]
    details: Mapping[str, Any] = field(default_factory=dict)


Reaction = Callable[[Scope, Happened], Awaitable[None]]


@dataclass
class EventHooks:
    reactions: list[Reaction] = field(default_factory=list)

    def react(self, hook: Reaction) -> Reaction:
        if hook not in self.reactions:  # wiring twice is harmless
            self.reactions.append(hook)
        return hook

    async def announce(
        self, scope: Scope, kind: str, *, details: Mapping[str, Any] | None = None, **ids: int
    ) -> None:
        happened = Happened(kind, ids, details or {})
        for hook in self.reactions:
            await hook(scope, happened)


EVENTS = EventHooks()
"""Every capability's announcements; listeners register in `community.wiring`."""
