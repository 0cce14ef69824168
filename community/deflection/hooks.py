"""Deflection on the forum's pages: similar questions on the ask form (a "check these first"
step before posting), and "This solved my problem" on a thread opened from a suggestion.

`register(ASK_FORM, THREAD_PAGE)` is called once by `community.wiring`; the forum never
imports deflection.
"""

from __future__ import annotations

from typing import Any

from community.deflection import services as deflection
from community.forums.lifecycle import AskForm, AskFormHooks, ThreadPageHooks, ThreadView
from community.forums.models import Thread, ThreadKind
from community.scope import Scope

KEY_FIELD = "suggestion_key"  # the ask form's hidden field
CHECKED_FIELD = "checked"  # "yes" once the member has seen the suggestions
TRACKING = "suggested"  # the query parameter of a suggestion's link: its session key


async def form_extras(scope: Scope, form: AskForm) -> dict[str, Any]:
    key = deflection.valid_key(form.hints.get(KEY_FIELD, "")) or deflection.new_key()
    return {"suggestion_key": key}


async def check_first(scope: Scope, form: AskForm) -> dict[str, Any]:
    """Similar resolved questions, shown once before a question is posted."""
    if form.hints.get(CHECKED_FIELD) == "yes" or form.kind not in ("", ThreadKind.QUESTION):
        return {}
    found = await deflection.suggest(scope, form.title, form.hints.get(KEY_FIELD, ""))
    if not found.hits:
        return {}
    return {"check_first": found.hits, "suggestion_key": found.key}


async def posted_anyway(scope: Scope, form: AskForm, thread: Thread) -> None:
    await deflection.posted(scope, form.hints.get(KEY_FIELD, ""), thread)


async def solved_offer(scope: Scope, view: ThreadView) -> dict[str, Any]:
    key = view.hints.get(TRACKING, "")
    if not key or view.thread.kind == ThreadKind.IDEA:
        return {}
    offer = await deflection.opened(scope, key, view.thread)
    return {"solved_offer": offer} if offer else {}


def register(ask_form: AskFormHooks, thread_page: ThreadPageHooks) -> None:
    ask_form.fields.update({KEY_FIELD, CHECKED_FIELD})
    ask_form.extra(form_extras)
    ask_form.check(check_first)
    ask_form.on_posted(posted_anyway)
    thread_page.hints.add(TRACKING)
    thread_page.extra(solved_offer)
