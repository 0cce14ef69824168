"""Notifications and following, as pages: the list, the bell, and the levels members choose."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.forums import services as forums
from community.inputs import parse_id
from community.notify import announcements, follows
from community.notify import services as notify
from community.notify.models import Level
from community.scope import Scope
from community.web.context import Req
from community.web.inputs import Id, PageNumber
from community.web.render import form_fields, render, see_other, submitted_form


class NotificationPages(Controller):
    include_in_schema = False

    @get("/notifications")
    async def notifications(
        self, request: Req, here: NamedDependency[Scope], page: PageNumber = 1
    ) -> Template:
        notes = await notify.notifications_page(here, page)
        return render(request, "notify/notifications.html", notes=notes, actors=notes.actors)

    @get("/notifications/bell")
    async def bell(self, request: Req, here: NamedDependency[Scope]) -> Template:
        """The bell alone, for the header to refresh its count without a reload."""
        return render(request, "notify/partials/bell.html", unread=await notify.unread_count(here))

    @get("/notifications/{notification_id:int}")
    async def open(self, here: NamedDependency[Scope], notification_id: Id) -> Redirect:
        return see_other(await notify.open_notification(here, notification_id))

    @post("/notifications/read")
    async def mark_read(self, here: NamedDependency[Scope]) -> Redirect:
        await notify.mark_all_read(here)
        return see_other("/notifications")

    @post("/t/{thread_id:int}/level")
    async def thread_level(
        self, request: Req, here: NamedDependency[Scope], thread_id: Id
    ) -> Redirect:
        thread = await forums.get_thread(here, thread_id)
        level = follows.parse_level((await form_fields(request, "level"))["level"])
        await follows.set_thread_level(here, thread.id, level)
        return see_other(f"/t/{thread.id}/{thread.slug}?level={level.value}")

    @get("/c/{slug:str}/notifications")
    async def category_page(
        self, request: Req, here: NamedDependency[Scope], slug: FromPath[str]
    ) -> Template:
        return await _level_page(request, here, await follows.category_target(here, slug))

    @post("/c/{slug:str}/notifications")
    async def category_level(
        self, request: Req, here: NamedDependency[Scope], slug: FromPath[str]
    ) -> Template | Redirect:
        return await _choose(request, here, await follows.category_target(here, slug))

    @get("/tags/{slug:str}/notifications")
    async def tag_page(
        self, request: Req, here: NamedDependency[Scope], slug: FromPath[str]
    ) -> Template:
        return await _level_page(request, here, await follows.tag_target(here, slug))

    @post("/tags/{slug:str}/notifications")
    async def tag_level(
        self, request: Req, here: NamedDependency[Scope], slug: FromPath[str]
    ) -> Template | Redirect:
        return await _choose(request, here, await follows.tag_target(here, slug))

    @post("/t/{thread_id:int}/announcement")
    async def announce(self, request: Req, here: NamedDependency[Scope], thread_id: Id) -> Redirect:
        values = await form_fields(request, "action", "pinned_until", "comments_allowed")
        chosen = (await submitted_form(request)).getall("categories", [])
        thread = await forums.get_thread(here, thread_id)
        if values["action"] == "remove":
            await announcements.unpublish(here, thread.id)
        else:
            await announcements.publish(
                here, thread.id, pinned_until=announcements.parse_end_date(values["pinned_until"]),
                comments_allowed=values["comments_allowed"] == "on",
                categories=[i for v in chosen if (i := parse_id(v))],
            )  # fmt: skip
        return see_other(f"/t/{thread.id}/{thread.slug}")

    @get("/account/following")
    async def following_page(self, request: Req, here: NamedDependency[Scope]) -> Template:
        enabled = await follows.auto_follows(here, here.actor.id)
        return render(request, "notify/following.html", auto_follow=enabled)

    @post("/account/following")
    async def set_following(self, request: Req, here: NamedDependency[Scope]) -> Redirect:
        values = await form_fields(request, "auto_follow")
        await follows.set_auto_follow(here, values["auto_follow"] == "on")
        return see_other("/account/following?done=1")


async def _choose(request: Req, here: Scope, target: follows.Target) -> Template | Redirect:
    chosen = (await form_fields(request, "level"))["level"]
    try:
        await follows.set_target_level(here, target, follows.parse_level(chosen))
    except ValidationFailed as exc:
        return await _level_page(request, here, target, exc.errors, status_code=422)
    return see_other(f"{target.url}/notifications?done=1")


async def _level_page(
    request: Req,
    here: Scope,
    target: follows.Target,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    here.actor  # noqa: B018 (guests are asked to log in)
    level = await follows.target_level(here, target)
    return render(request, "notify/level.html", target=target, level=level, levels=list(Level),
                  errors=errors or {}, done=request.query_params.get("done") == "1",
                  status_code=status_code)  # fmt: skip
