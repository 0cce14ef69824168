"""The import's part of the thread page: each imported post credited to its author under
its licence, and the source's notices (closed, duplicate of) on the thread.

`register(THREAD_PAGE)` is called once by `community.wiring`; the forum never imports this.
"""

from __future__ import annotations

from typing import Any

from community.forums.lifecycle import ThreadPageHooks, ThreadView
from community.importing.services import holds_imports, imported_page
from community.scope import Scope


async def imported_origins(scope: Scope, view: ThreadView) -> dict[str, Any]:
    """`imported`: post id -> its Origin; `imported_notices`: the thread's, or None."""
    if not holds_imports(scope):
        return {"imported": {}, "imported_notices": None}
    page = await imported_page(scope, view.thread, view.post_ids)
    return {"imported": page.origins, "imported_notices": page.notices}


def register(thread_page: ThreadPageHooks) -> None:
    thread_page.extra(imported_origins)
