"""HTML pages of the forum: home, category, thread, ask, reply, edit, delete."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from community.errors import NotFound, ValidationFailed
from community.forums import services
from community.forums.lifecycle import ASK_FORM, LISTING_PAGE, THREAD_PAGE, AskForm
from community.forums.models import Category, Post, Thread, ThreadKind, Visibility
from community.inputs import MAX_PAGE, parse_int
from community.l10n import N_
from community.pagination import page_of
from community.scope import Scope
from community.tags import services as tags
from community.web.context import Req, is_htmx, page_size
from community.web.inputs import Id, PageNumber
from community.web.render import form_fields, render, see_other, submitted_form

HOME_THREADS = 15
ASK_FIELDS = ("category", "kind", "title", "body", "tags")
WAIT_ON_ASKER = frozenset({"wait_on_asker"})


def _page_suffix(page: int) -> str:
    return f"?page={page}" if page > 1 else ""


def thread_url(thread: Thread, page: int = 1) -> str:
    return f"/t/{thread.id}/{thread.slug}{_page_suffix(page)}"


async def post_location(
    scope: Scope, thread: Thread, post: Post, page_size: int
) -> tuple[str, int]:
    """The address of the post (its thread page, anchored at it) and that page's number."""
    page = page_of(await services.post_position(scope, thread, post), page_size)
    return f"{thread_url(thread, page)}#p{post.id}", page


async def post_url(scope: Scope, thread: Thread, post: Post, page_size: int) -> str:
    return (await post_location(scope, thread, post, page_size))[0]


class ForumPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self, request: Req, here: NamedDependency[Scope], status: FromQuery[str] = ""
    ) -> Template:
        categories = await services.list_categories(here)
        latest = await services.list_threads(here, status=status, page_size=HOME_THREADS)
        return render(
            request,
            "forums/home.html",
            categories=categories,
            threads=latest,
            status=status,
            thread_tags=await tags.tags_of_threads(here, [t.id for t in latest.items]),
            **await LISTING_PAGE.context(here, None),
        )

    @get("/c/{slug:str}")
    async def category(
        self,
        request: Req,
        here: NamedDependency[Scope],
        slug: FromPath[str],
        page: PageNumber = 1,
        status: FromQuery[str] = "",
        tag: FromQuery[str] = "",
    ) -> Template | Redirect:
        category = await services.get_category(here, slug)
        if category.is_idea_board:
            return Redirect(path=f"/ideas?board={category.slug}")
        with_tag = await tags.get_tag(here, tag) if tag else None
        threads = await services.list_threads(
            here,
            category=category,
            status=status,
            page=page,
            page_size=page_size(request),
            within=tags.tagged_thread_ids(with_tag) if with_tag else None,
        )
        return render(
            request,
            "forums/category.html",
            category=category,
            threads=threads,
            status=status,
            tag=with_tag,
            tag_field=await tags.tag_field(here),
            thread_tags=await tags.tags_of_threads(here, [t.id for t in threads.items]),
            may_open=services.may_open_threads(here, category),
            **await LISTING_PAGE.context(here, category.id),
        )

    @get("/t/{thread_id:int}")
    async def thread_short(self, here: NamedDependency[Scope], thread_id: Id) -> Redirect:
        thread = await services.get_thread(here, thread_id)
        return Redirect(path=thread_url(thread), status_code=301)

    @get("/t/{thread_id:int}/{slug:str}")
    async def thread(
        self,
        request: Req,
        here: NamedDependency[Scope],
        thread_id: Id,
        slug: FromPath[str],
        page: PageNumber = 1,
    ) -> Template | Redirect:
        hints = {name: request.query_params.get(name, "") for name in THREAD_PAGE.hints}
        view = await services.thread_view(here, thread_id, page, page_size(request), hints=hints)
        if view.thread.kind == ThreadKind.IDEA:  # an idea's page is on its board
            return Redirect(path=f"/ideas/thread/{view.thread.id}{_page_suffix(page)}")
        if slug != view.thread.slug:
            return Redirect(path=thread_url(view.thread, page), status_code=301)
        await request.app.state.views.record(view.thread.id)
        return render(request, "forums/thread.html", **view.context())

    @post("/t/{thread_id:int}/reply")
    async def reply(
        self, request: Req, here: NamedDependency[Scope], thread_id: Id
    ) -> Template | Redirect:
        fields = await form_fields(request, "body", "page", "wait_on_asker")
        options = WAIT_ON_ASKER if fields["wait_on_asker"] else frozenset()
        try:
            new_post = await services.reply(here, thread_id, fields["body"], options)
        except ValidationFailed as exc:
            return await self._reply_form_again(request, here, thread_id, fields, exc)
        thread = new_post.thread
        location, page = await post_location(here, thread, new_post, page_size(request))
        if not is_htmx(request):
            return see_other(location)
        # A held reply is shown on the whole page, with why it waits (moderation's extra).
        if fields["page"] != str(page) or new_post.visibility != Visibility.PUBLISHED:
            return render(request, "partials/empty.html", headers={"HX-Redirect": location})
        return render(
            request,
            "forums/partials/post.html",
            thread=thread,
            post=new_post,
            actions={new_post.id: services.post_actions(here, thread, new_post)},
            headers={"HX-Push-Url": location},
        )

    async def _reply_form_again(
        self,
        request: Req,
        here: Scope,
        thread_id: int,
        fields: dict[str, str],
        exc: ValidationFailed,
    ) -> Template:
        """The refused reply, with its errors: the form alone for htmx, else the whole page
        as the thread page shows it."""
        page = parse_int(fields["page"], 1, MAX_PAGE) or 1
        view = await services.thread_view(here, thread_id, page, page_size(request))
        if is_htmx(request):
            return render(
                request,
                "forums/partials/reply_form.html",
                status_code=422,
                **view.context(),
                page_number=fields["page"],
                body=fields["body"],
                errors=exc.errors,
                headers={"HX-Retarget": "#reply-form", "HX-Reswap": "outerHTML"},
            )
        return render(
            request,
            "forums/thread.html",
            status_code=422,
            **view.context(),
            body=fields["body"],
            errors=exc.errors,
        )

    @get("/ask")
    async def ask_form(
        self,
        request: Req,
        here: NamedDependency[Scope],
        category: FromQuery[str] = "",
        kind: FromQuery[str] = "question",
        title: FromQuery[str] = "",
    ) -> Template:
        categories = await services.ask_categories(here)
        values = {"category": category, "kind": kind, "title": title[:200], "body": "", "tags": ""}
        extras = await ASK_FORM.context(here, AskForm(title=values["title"], kind=kind))
        return render(
            request,
            "forums/ask.html",
            categories=categories,
            values=values,
            errors={},
            tag_field=await tags.tag_field(here),
            **extras,
        )

    @post("/ask")
    async def ask(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        categories = await services.ask_categories(here)  # guests are asked to log in first
        values = await form_fields(request, *ASK_FIELDS, *ASK_FORM.fields)
        form = AskForm(
            title=values["title"],
            kind=values["kind"],
            hints={name: values[name] for name in ASK_FORM.fields},
        )
        if first := await ASK_FORM.before_posting(here, form):  # "check these first"
            return await _ask_again(request, here, categories, values, form, {}, 200, first)

        async def write() -> Thread:
            return await services.create_thread(
                here,
                category_slug=values["category"],
                title=values["title"],
                body=values["body"],
                kind=values["kind"] or ThreadKind.QUESTION,
            )

        try:
            thread = await tags.write_tagged(here, values["tags"], write, lambda t: t.id)
        except (ValidationFailed, NotFound) as exc:
            return await _ask_again(request, here, categories, values, form, _ask_errors(exc), 422)
        await ASK_FORM.after_posting(here, form, thread)
        return see_other(thread_url(thread))

    @get("/p/{post_id:int}")
    async def post_permalink(
        self, request: Req, here: NamedDependency[Scope], post_id: Id
    ) -> Redirect:
        found = await services.get_post(here, post_id)
        thread = await services.get_thread(here, found.thread_id)
        return Redirect(path=await post_url(here, thread, found, page_size(request)))

    @get("/p/{post_id:int}/history")
    async def history(self, request: Req, here: NamedDependency[Scope], post_id: Id) -> Template:
        found = await services.post_history(here, post_id)
        return render(request, "forums/history.html", **vars(found))

    @get("/p/{post_id:int}/edit")
    async def edit_form(self, request: Req, here: NamedDependency[Scope], post_id: Id) -> Template:
        found, thread = await services.editable_post(here, post_id)
        values = {"title": thread.title, "body": found.body_md}
        if found.is_opening:
            values["tags"] = await tags.tag_names(here, thread.id)
        return render(
            request,
            "forums/edit_post.html",
            post=found,
            thread=thread,
            values=values,
            errors={},
            tag_field=await tags.tag_field(here),
        )

    @post("/p/{post_id:int}/edit")
    async def edit(
        self, request: Req, here: NamedDependency[Scope], post_id: Id
    ) -> Template | Redirect:
        form = await submitted_form(request)
        title, tag_text = form.get("title"), form.get("tags")
        values = {"title": title, "body": str(form.get("body", "")), "tags": tag_text}

        async def write() -> Post:
            return await services.edit_post(
                here, post_id, body=str(values["body"]), title=None if title is None else str(title)
            )

        try:
            if tag_text is None:  # a reply's form has no tags
                edited = await write()
            else:
                edited = await tags.write_tagged(
                    here, str(tag_text), write, lambda p: p.thread_id if p.is_opening else None
                )
        except ValidationFailed as exc:
            found, thread = await services.editable_post(here, post_id)
            return render(
                request,
                "forums/edit_post.html",
                status_code=422,
                post=found,
                thread=thread,
                values=values,
                errors=exc.errors,
                tag_field=await tags.tag_field(here),
            )
        return see_other(await post_url(here, edited.thread, edited, page_size(request)))

    @post("/p/{post_id:int}/delete")
    async def delete(self, request: Req, here: NamedDependency[Scope], post_id: Id) -> Redirect:
        deleted = await services.delete_post(here, post_id)
        if deleted.is_opening:
            return see_other("/")
        return see_other(await post_url(here, deleted.thread, deleted, page_size(request)))


@get("/{path:path}", include_in_schema=False)
async def not_found(path: FromPath[str]) -> None:
    """Any other address: the brand's own 404 page rather than a bare one."""
    raise NotFound("Page not found")


async def _ask_again(
    request: Req,
    here: Scope,
    categories: list[Category],
    values: dict[str, str],
    form: AskForm,
    errors: dict[str, str],
    status_code: int,
    shown: dict[str, Any] | None = None,
) -> Template:
    """The ask form again, every field as the member wrote it."""
    extras = await ASK_FORM.context(here, form) | (shown or {})
    return render(
        request, "forums/ask.html", status_code=status_code,
        categories=categories, values=values, errors=errors,
        tag_field=await tags.tag_field(here), **extras,
    )  # fmt: skip


def _ask_errors(exc: ValidationFailed | NotFound) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {"category": N_("Choose a category.")}
