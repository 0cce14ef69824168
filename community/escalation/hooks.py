"""Escalation's part in a post's life and on the thread page.

`register(POSTS, THREAD_PAGE)` is called once by `community.wiring`, after moderation (a
post it holds back is no customer post to escalate) and before scoring:

- every new or edited post gets its sentiment scored; the asker's post restarts the SLA
  clock; the write-time rules (negative sentiment, complaint keywords) may escalate;
- a reply written with the `"wait_on_asker"` option stops the clock until the asker
  answers, when its writer may (`services.may_wait_on_asker`);
- the thread page shows the thread's latest escalation to those who may see escalations,
  and says whether the reply form offers to wait on the asker.
"""

from __future__ import annotations

from typing import Any

from community.escalation import queries, services
from community.forums.lifecycle import PostLifecycle, PostWritten, ThreadPageHooks, ThreadView
from community.scope import Scope

WAIT_ON_ASKER = "wait_on_asker"  # the reply form's checkbox, passed through by the forum


async def escalation_rules(scope: Scope, written: PostWritten) -> None:
    """What a new or edited post does to the thread's escalation and its SLA clock."""
    await services.on_post_written(scope, written.thread, written.post, written.author)
    if WAIT_ON_ASKER in written.options:
        await services.wait_on_asker(scope, written.thread)


async def thread_extras(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`escalation`: the latest one (None unless the viewer may see escalations);
    `may_escalate`: whether to offer the manual action (not while one is open);
    `may_wait_on_asker`: whether the reply form offers to stop the SLA clock."""
    escalation = await queries.latest_for_thread(scope, view.thread.id)
    return {
        "escalation": escalation,
        "may_escalate": services.may_escalate(scope)
        and not (escalation is not None and escalation.is_open),
        "may_wait_on_asker": services.may_wait_on_asker(scope, view.thread),
    }


def register(posts: PostLifecycle, thread_page: ThreadPageHooks) -> None:
    posts.react(escalation_rules)
    thread_page.extra(thread_extras)
