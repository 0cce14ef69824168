"""HTML pages of the forum: home, category, thread, ask, reply, edit, delete."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import NotFound, ValidationFailed
from community.escalation.queries import latest_for_thread
from community.escalation.services import wait_on_asker
from community.forums import services
from community.forums.models import Post, Thread, ThreadKind
from community.ideas.lookup import idea_id_for_thread
from community.identity.models import Member
from community.pagination import page_of
from community.tenancy.services import TenantInfo
from community.votes.services import my_votes
from community.web.context import is_htmx
from community.web.render import form_fields, render, see_other

PageNumber = Annotated[int, QueryParameter(ge=1, description="Page number, from 1")]
HOME_THREADS = 15


def thread_url(thread: Thread, page: int = 1) -> str:
    suffix = f"?page={page}" if page > 1 else ""
    return f"/t/{thread.id}/{thread.slug}{suffix}"


async def post_location(
    db: AsyncSession, tenant: TenantInfo, thread: Thread, post: Post, page_size: int
) -> tuple[str, int]:
    """The address of the post (its thread page, anchored at it) and that page's number."""
    position = await services.post_position(db, thread, post, tenant.rules.discussions_by_date)
    page = page_of(position, page_size)
    return f"{thread_url(thread, page)}#p{post.id}", page


async def post_url(
    db: AsyncSession, tenant: TenantInfo, thread: Thread, post: Post, page_size: int
) -> str:
    return (await post_location(db, tenant, thread, post, page_size))[0]


class ForumPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        status: FromQuery[str] = "",
    ) -> Template:
        categories = await services.list_categories(db, tenant.id)
        latest = await services.list_threads(db, tenant.id, status=status, page_size=HOME_THREADS)
        return render(
            request, "forums/home.html", categories=categories, threads=latest, status=status
        )

    @get("/c/{slug:str}")
    async def category(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        slug: FromPath[str],
        page: PageNumber = 1,
        status: FromQuery[str] = "",
    ) -> Template | Redirect:
        category = await services.get_category(db, tenant.id, slug)
        if category.is_idea_board:
            return Redirect(path=f"/ideas?board={category.slug}")
        threads = await services.list_threads(
            db,
            tenant.id,
            category=category,
            status=status,
            page=page,
            page_size=request.app.state.settings.page_size,
        )
        return render(
            request, "forums/category.html", category=category, threads=threads, status=status
        )

    @get("/t/{thread_id:int}")
    async def thread_short(
        self,
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        thread_id: FromPath[int],
    ) -> Redirect:
        thread = await services.get_thread(db, tenant.id, thread_id, viewer)
        return Redirect(path=thread_url(thread), status_code=301)

    @get("/t/{thread_id:int}/{slug:str}")
    async def thread(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        thread_id: FromPath[int],
        slug: FromPath[str],
        page: PageNumber = 1,
    ) -> Template | Redirect:
        page_size = request.app.state.settings.page_size
        view = await services.thread_page(
            db,
            tenant.id,
            thread_id,
            page=page,
            page_size=page_size,
            viewer=viewer,
            discussions_by_date=tenant.rules.discussions_by_date,
        )
        if view.thread.kind == ThreadKind.IDEA:
            idea_id = await idea_id_for_thread(db, tenant.id, view.thread.id)
            return Redirect(path=f"/ideas/{idea_id}" + (f"?page={page}" if page > 1 else ""))
        if slug != view.thread.slug:
            return Redirect(path=thread_url(view.thread, page), status_code=301)
        await request.app.state.views.record(view.thread.id)
        votes = await my_votes(db, viewer, [p.id for p in view.posts.items])
        escalation = await latest_for_thread(db, view.thread.id, viewer)
        return render(request, "forums/thread.html", thread=view.thread, posts=view.posts,
                      votes=votes, escalation=escalation)  # fmt: skip

    @post("/t/{thread_id:int}/reply")
    async def reply(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        thread_id: FromPath[int],
    ) -> Template | Redirect:
        fields = await form_fields(request, "body", "page", "wait_on_asker")
        page_size = request.app.state.settings.page_size
        try:
            new_post = await services.reply(db, tenant.id, member, thread_id, fields["body"])
        except ValidationFailed as exc:
            return await self._reply_form_again(request, db, tenant, member, thread_id, fields, exc)
        thread = await services.get_thread(db, tenant.id, thread_id, member)
        if fields["wait_on_asker"]:
            await wait_on_asker(db, thread, member)
        location, page = await post_location(db, tenant, thread, new_post, page_size)
        if not is_htmx(request):
            return see_other(location)
        if fields["page"] != str(page):
            return render(request, "partials/empty.html", headers={"HX-Redirect": location})
        return render(
            request,
            "forums/partials/post.html",
            thread=thread,
            post=new_post,
            headers={"HX-Push-Url": location},
        )

    async def _reply_form_again(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        tenant: TenantInfo,
        member: Member,
        thread_id: FromPath[int],
        fields: dict[str, str],
        exc: ValidationFailed,
    ) -> Template:
        if is_htmx(request):
            thread = await services.get_thread(db, tenant.id, thread_id, member)
            return render(
                request,
                "forums/partials/reply_form.html",
                status_code=422,
                thread=thread,
                page_number=fields["page"],
                body=fields["body"],
                errors=exc.errors,
                headers={"HX-Retarget": "#reply-form", "HX-Reswap": "outerHTML"},
            )
        page = int(fields["page"]) if fields["page"].isdigit() else 1
        view = await services.thread_page(
            db,
            tenant.id,
            thread_id,
            page=page,
            page_size=request.app.state.settings.page_size,
            viewer=member,
            discussions_by_date=tenant.rules.discussions_by_date,
        )
        votes = await my_votes(db, member, [p.id for p in view.posts.items])
        return render(
            request,
            "forums/thread.html",
            status_code=422,
            thread=view.thread,
            posts=view.posts,
            votes=votes,
            body=fields["body"],
            errors=exc.errors,
        )

    @get("/ask")
    async def ask_form(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        category: FromQuery[str] = "",
        kind: FromQuery[str] = "question",
    ) -> Template:
        categories = await services.list_categories(db, tenant.id)
        values = {"category": category, "kind": kind, "title": "", "body": ""}
        return render(request, "forums/ask.html", categories=categories, values=values, errors={})

    @post("/ask")
    async def ask(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
    ) -> Template | Redirect:
        values = await form_fields(request, "category", "kind", "title", "body")
        try:
            kind = ThreadKind(values["kind"] or "question")
            thread = await services.create_thread(
                db,
                tenant.id,
                member,
                category_slug=values["category"],
                title=values["title"],
                body=values["body"],
                kind=kind,
            )
        except (ValidationFailed, ValueError, NotFound) as exc:
            categories = await services.list_categories(db, tenant.id)
            return render(
                request,
                "forums/ask.html",
                status_code=422,
                categories=categories,
                values=values,
                errors=_ask_errors(exc),
            )
        return see_other(thread_url(thread))

    @get("/p/{post_id:int}")
    async def post_permalink(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        viewer: NamedDependency[Member | None],
        post_id: FromPath[int],
    ) -> Redirect:
        found = await services.get_post(db, tenant.id, post_id, viewer)
        thread = await services.get_thread(db, tenant.id, found.thread_id, viewer)
        return Redirect(
            path=await post_url(db, tenant, thread, found, request.app.state.settings.page_size)
        )

    @get("/p/{post_id:int}/edit")
    async def edit_form(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Template:
        found, thread = await services.editable_post(db, tenant.id, member, post_id)
        values = {"title": thread.title, "body": found.body_md}
        return render(
            request, "forums/edit_post.html", post=found, thread=thread, values=values, errors={}
        )

    @post("/p/{post_id:int}/edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        title = form.get("title")
        values = {"title": title, "body": str(form.get("body", ""))}
        try:
            edited = await services.edit_post(
                db,
                tenant.id,
                member,
                post_id,
                body=str(values["body"]),
                title=None if title is None else str(title),
            )
        except ValidationFailed as exc:
            found, thread = await services.editable_post(db, tenant.id, member, post_id)
            return render(
                request,
                "forums/edit_post.html",
                status_code=422,
                post=found,
                thread=thread,
                values=values,
                errors=exc.errors,
            )
        thread = await services.get_thread(db, tenant.id, edited.thread_id, member)
        return see_other(
            await post_url(db, tenant, thread, edited, request.app.state.settings.page_size)
        )

    @post("/p/{post_id:int}/delete")
    async def delete(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Redirect:
        deleted = await services.delete_post(db, tenant.id, member, post_id)
        if deleted.is_opening:
            return see_other("/")
        thread = await services.get_thread(db, tenant.id, deleted.thread_id, member)
        return see_other(
            await post_url(db, tenant, thread, deleted, request.app.state.settings.page_size)
        )


@get("/{path:path}", include_in_schema=False)
async def not_found(path: FromPath[str]) -> None:
    """Any other address: the brand's own 404 page rather than a bare one."""
    raise NotFound("Page not found")


def _ask_errors(exc: Exception) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    if isinstance(exc, NotFound):
        return {"category": "Choose a category."}
    return {"kind": "Choose a question or a discussion."}
