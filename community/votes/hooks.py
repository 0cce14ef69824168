"""Votes' part of the thread page: the viewer's own vote on each post shown.

`register(THREAD_PAGE)` is called once by `community.wiring`; the forum never imports votes.
"""

from __future__ import annotations

from typing import Any

from community.forums.lifecycle import ThreadPageHooks, ThreadView
from community.scope import Scope
from community.votes.services import my_votes


async def viewer_votes(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`votes`: post id -> the viewer's vote (1 or -1), for the posts of this page."""
    return {"votes": await my_votes(scope, view.post_ids)}


def register(thread_page: ThreadPageHooks) -> None:
    thread_page.extra(viewer_votes)
