"""The activity pages (the community's, a member's) and the Atom feeds of categories and tags."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from community.activity import atom
from community.activity.services import activity, latest_threads, members_by_id
from community.db import utcnow
from community.forums.models import Post, Thread
from community.forums.services import get_category
from community.identity.models import Member
from community.scope import Scope
from community.tags.services import get_tag
from community.web.context import Req
from community.web.inputs import Id, PageNumber
from community.web.render import render

FEED_SECONDS = 300


async def _activity_page(
    request: Req, here: Scope, page: int, member: Member | None = None
) -> Template:
    items, more = await activity(here, member_id=member.id if member else None, page=page)
    return render(
        request, "activity/activity.html", items=items, more=more, page=page,
        people=await members_by_id(here, {a.member_id for a in items}), subject=member,
    )  # fmt: skip


class ActivityPages(Controller):
    include_in_schema = False

    @get("/activity")
    async def community_activity(
        self, request: Req, here: NamedDependency[Scope], page: PageNumber = 1
    ) -> Template:
        return await _activity_page(request, here, page)

    @get("/u/{member_id:int}/activity")
    async def member_activity(
        self, request: Req, here: NamedDependency[Scope], member_id: Id, page: PageNumber = 1
    ) -> Template:
        member = await here.one(Member, member_id, "No such member.")
        return await _activity_page(request, here, page, member)

    @get("/c/{slug:str}/feed.atom")
    async def category_feed(
        self, request: Req, here: NamedDependency[Scope], slug: FromPath[str]
    ) -> Response[bytes]:
        category = await get_category(here, slug)
        entries = await latest_threads(here, category_id=category.id)
        return await _feed(request, here, f"{category.name} · {here.tenant.name}",
                           f"/c/{slug}", entries)  # fmt: skip

    @get("/tags/{slug:str}/feed.atom")
    async def tag_feed(
        self, request: Req, here: NamedDependency[Scope], slug: FromPath[str]
    ) -> Response[bytes]:
        tag = await get_tag(here, slug)
        entries = await latest_threads(here, tag_id=tag.id)
        return await _feed(request, here, f"{tag.name} · {here.tenant.name}",
                           f"/tags/{slug}", entries)  # fmt: skip


async def _feed(
    request: Req, here: Scope, title: str, path: str, entries: list[tuple[Thread, Post]]
) -> Response[bytes]:
    base = str(request.base_url).rstrip("/")
    people = await members_by_id(here, {t.author_id for t, _ in entries})
    rows = [(t, p, _name(people.get(t.author_id))) for t, p in entries]
    body = atom.feed(title=title, self_url=f"{base}{path}/feed.atom", page_url=f"{base}{path}",
                     entries=rows, updated=utcnow())  # fmt: skip
    return Response(body, media_type=atom.CONTENT_TYPE,
                    headers={"Cache-Control": f"public, max-age={FEED_SECONDS}"})  # fmt: skip


def _name(member: Member | None) -> str:
    if member is None or member.erased_at is not None:
        return "—"  # an erased member's name is gone (community.privacy)
    return member.display_name
