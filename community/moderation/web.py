"""Moderation pages: flagging, the queue and its actions, bans, roles and the audit log."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from community.errors import ValidationFailed
from community.forums import services as forums
from community.forums.web import post_url, thread_url
from community.identity.models import Role
from community.inputs import parse_id, parse_int
from community.moderation import services as moderation
from community.moderation.audit import audit_log
from community.moderation.models import Flag
from community.moderation.settings import (
    LIMITS,
    ModerationForm,
    ModerationSettingsPage,
    moderation_settings,
    update_moderation,
)
from community.scope import Scope
from community.web.context import Req, is_htmx, page_size
from community.web.inputs import Id
from community.web.render import form_fields, render, see_other, submitted_form


class ModerationPages(Controller):
    include_in_schema = False

    @post("/p/{post_id:int}/flag")
    async def flag(
        self, request: Req, here: NamedDependency[Scope], post_id: Id
    ) -> Template | Redirect:
        fields = await form_fields(request, "reason", "note")
        flag = await moderation.flag_post(here, post_id, fields["reason"], fields["note"])
        if is_htmx(request):
            return render(request, "moderation/partials/flagged.html")
        return see_other(await _back_to_flagged(request, here, flag))

    @get("/mod/queue")
    async def queue(
        self,
        request: Req,
        here: NamedDependency[Scope],
        reason: FromQuery[str] = "",
        category: FromQuery[str] = "",
    ) -> Template:
        page = await moderation.queue_page(here, reason=reason, category=category)
        return render(request, "moderation/queue.html", **vars(page))

    @post("/mod/queue/{item_id:int}/claim")
    async def claim(
        self, request: Req, here: NamedDependency[Scope], item_id: Id
    ) -> Template | Redirect:
        await moderation.claim(here, item_id)
        return await _item_or_queue(request, here, item_id)

    @post("/mod/queue/{item_id:int}/release")
    async def release(
        self, request: Req, here: NamedDependency[Scope], item_id: Id
    ) -> Template | Redirect:
        await moderation.release(here, item_id)
        return await _item_or_queue(request, here, item_id)

    @post("/mod/queue/{item_id:int}/decide")
    async def decide(
        self, request: Req, here: NamedDependency[Scope], item_id: Id
    ) -> Template | Redirect:
        fields = await form_fields(request, "action", "note")
        item = await moderation.decide(here, item_id, fields["action"], fields["note"])
        if is_htmx(request):
            return render(request, "moderation/partials/decided.html", item=item)
        return see_other("/mod/queue")

    @post("/p/{post_id:int}/review")
    async def review_answer(
        self, request: Req, here: NamedDependency[Scope], post_id: Id
    ) -> Redirect:
        """Keep an edited accepted or certified answer as it stands, or withdraw it."""
        action = (await form_fields(request, "action"))["action"]
        reviewed = await moderation.review_answer(here, post_id, action)
        thread = await forums.get_thread(here, reviewed.thread_id)
        return see_other(await post_url(here, thread, reviewed, page_size(request)))

    @post("/mod/members/{member_id:int}/ban")
    async def ban(self, request: Req, here: NamedDependency[Scope], member_id: Id) -> Redirect:
        fields = await form_fields(request, "days", "reason")
        days = None if fields["days"] in {"", "permanent"} else _days(fields["days"])
        await moderation.ban(here, member_id, days=days, reason=fields["reason"])
        return see_other(f"/u/{member_id}")

    @post("/mod/members/{member_id:int}/unban")
    async def unban(self, here: NamedDependency[Scope], member_id: Id) -> Redirect:
        await moderation.unban(here, member_id)
        return see_other(f"/u/{member_id}")

    @get("/admin/members")
    async def members(self, request: Req, here: NamedDependency[Scope]) -> Template:
        everyone = await moderation.members_by_role(here)
        return render(request, "moderation/members.html", members=everyone, roles=list(Role))

    @post("/admin/members/{member_id:int}/role")
    async def change_role(
        self, request: Req, here: NamedDependency[Scope], member_id: Id
    ) -> Redirect:
        role = (await form_fields(request, "role"))["role"]
        await moderation.change_role(here, member_id, role)
        return see_other("/admin/members")

    @get("/admin/audit")
    async def audit(
        self,
        request: Req,
        here: NamedDependency[Scope],
        action: FromQuery[str] = "",
        actor: FromQuery[str] = "",
    ) -> Template:
        actor_id = parse_id(actor)  # "" means anyone
        log = await audit_log(here, action=action, actor_id=actor_id)
        return render(
            request, "moderation/audit.html", entries=log.entries, names=log.names, keys=log.keys,
            action=log.action, actor=log.actor_id,
        )  # fmt: skip

    @get("/admin/moderation")
    async def settings_form(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return _moderation_page(request, await moderation_settings(here), {})

    @post("/admin/moderation")
    async def save_settings(
        self, request: Req, here: NamedDependency[Scope]
    ) -> Template | Redirect:
        submitted = await submitted_form(request)
        form = ModerationForm(
            numbers={name: str(submitted.get(name, "")) for name in LIMITS},
            blocked_domains=str(submitted.get("blocked_domains", "")),
            abusive_words=str(submitted.get("abusive_words", "")),
            premoderated=[i for v in submitted.getall("premoderated", []) if (i := parse_id(v))],
        )
        try:
            await update_moderation(here, form)
        except ValidationFailed as exc:
            page = await moderation_settings(here, form)
            return _moderation_page(request, page, exc.errors, status_code=422)
        return see_other("/admin/moderation?saved=1")


def _moderation_page(
    request: Req, page: ModerationSettingsPage, errors: dict[str, str], status_code: int = 200
) -> Template:
    return render(
        request, "moderation/admin_moderation.html", status_code=status_code, form=page.form,
        categories=page.categories, errors=errors, limits=LIMITS,
        saved=request.query_params.get("saved") == "1",
    )  # fmt: skip


def _days(raw: str) -> int:
    days = parse_int(raw, 1, moderation.MAX_BAN_DAYS)
    if days is None:
        raise ValidationFailed({"days": moderation.BAN_DAYS})
    return days


async def _back_to_flagged(request: Req, here: Scope, flag: Flag) -> str:
    """The flagged post on its thread's page, or the thread when the flags hid the post."""
    flagged = flag.post
    thread = await forums.get_thread(here, flagged.thread_id)
    if not forums.visible_to(here, flagged.author_id, flagged.visibility):
        return thread_url(thread)
    return await post_url(here, thread, flagged, page_size(request))


async def _item_or_queue(request: Req, here: Scope, item_id: int) -> Template | Redirect:
    if not is_htmx(request):
        return see_other("/mod/queue")
    entry = await moderation.queue_entry(here, item_id)
    if entry is None:
        return render(request, "partials/empty.html")
    return render(
        request, "moderation/partials/item.html", item=entry.item, history=entry.history,
        flags=entry.flags,
    )  # fmt: skip
