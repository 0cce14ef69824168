"""Moderation pages: flagging, the queue and its actions, bans, roles and the audit log."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from community.db import in_tenant
from community.errors import Forbidden, ValidationFailed
from community.forums import services as forums
from community.forums.web import post_url, thread_url
from community.identity.models import Member, Role
from community.identity.permissions import Permission, has_permission
from community.moderation import services as moderation
from community.moderation.audit import audit_entries
from community.moderation.settings import LIMITS, ModerationForm, update_moderation
from community.tenancy.services import TenantInfo
from community.web.context import is_htmx
from community.web.render import form_fields, render, see_other


class ModerationPages(Controller):
    include_in_schema = False

    @post("/p/{post_id:int}/flag")
    async def flag(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        post_id: FromPath[int],
    ) -> Template | Redirect:
        fields = await form_fields(request, "reason", "note")
        flag = await moderation.flag_post(
            db, tenant.id, member, post_id, fields["reason"], fields["note"]
        )
        if is_htmx(request):
            return render(request, "moderation/partials/flagged.html")
        flagged = flag.post
        thread = await forums.get_thread(db, tenant.id, flagged.thread_id, member)
        if not forums.visible_to(member, flagged.author_id, flagged.visibility):
            return see_other(thread_url(thread))  # the flags hid it
        page_size = request.app.state.settings.page_size
        return see_other(await post_url(db, tenant, thread, flagged, page_size))

    @get("/mod/queue")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        reason: FromQuery[str] = "",
        category: FromQuery[str] = "",
    ) -> Template:
        in_category = await forums.get_category(db, tenant.id, category) if category else None
        items = await moderation.open_items(
            db,
            tenant.id,
            member,
            reason=reason,
            category_id=in_category.id if in_category else None,
        )
        histories = await moderation.author_histories(db, [i.post.author for i in items])
        return render(
            request, "moderation/queue.html", items=items, histories=histories, reason=reason,
            category=in_category, reasons=moderation.REASONS,
            categories=await forums.list_categories(db, tenant.id),
            figures=await moderation.queue_figures(db, tenant.id, member),
        )  # fmt: skip

    @post("/mod/queue/{item_id:int}/claim")
    async def claim(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        item_id: FromPath[int],
    ) -> Template | Redirect:
        item = await moderation.claim(db, tenant.id, member, item_id)
        return await _item_or_queue(request, db, item.id, tenant, member)

    @post("/mod/queue/{item_id:int}/release")
    async def release(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        item_id: FromPath[int],
    ) -> Template | Redirect:
        await moderation.release(db, tenant.id, member, item_id)
        return await _item_or_queue(request, db, item_id, tenant, member)

    @post("/mod/queue/{item_id:int}/decide")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        item_id: FromPath[int],
    ) -> Template | Redirect:
        fields = await form_fields(request, "action", "note")
        item = await moderation.decide(
            db, tenant.id, member, item_id, fields["action"], fields["note"]
        )
        if is_htmx(request):
            return render(request, "moderation/partials/decided.html", item=item)
        return see_other("/mod/queue")

    @post("/mod/members/{member_id:int}/ban")
    async def ban(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        member_id: FromPath[int],
    ) -> Redirect:
        fields = await form_fields(request, "days", "reason")
        days = None if fields["days"] in {"", "permanent"} else _days(fields["days"])
        await moderation.ban(db, tenant.id, member, member_id, days=days, reason=fields["reason"])
        return see_other(f"/u/{member_id}")

    @post("/mod/members/{member_id:int}/unban")
    async def unban(
        self,
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        member_id: FromPath[int],
    ) -> Redirect:
        await moderation.unban(db, tenant.id, member, member_id)
        return see_other(f"/u/{member_id}")

    @get("/admin/members")
    async def members(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
    ) -> Template:
        _require(member, Permission.MANAGE_ROLES, "Only admins can change roles.")
        everyone = await db.scalars(
            in_tenant(Member, tenant.id).order_by(Member.role, Member.display_name).limit(500)
        )
        return render(request, "moderation/members.html", members=list(everyone), roles=list(Role))

    @post("/admin/members/{member_id:int}/role")
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        member_id: FromPath[int],
    ) -> Redirect:
        role = (await form_fields(request, "role"))["role"]
        await moderation.change_role(db, tenant.id, member, member_id, role)
        return see_other("/admin/members")

    @get("/admin/audit")
    async def audit(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
        action: FromQuery[str] = "",
        actor: FromQuery[str] = "",
    ) -> Template:
        _require(member, Permission.READ_AUDIT_LOG, "Only admins can read the audit log.")
        actor_id = int(actor) if actor.isdigit() else None  # "" means anyone
        entries = await audit_entries(db, tenant.id, action=action, actor_id=actor_id)
        names = dict(
            (
                await db.execute(
                    select(Member.id, Member.display_name).where(Member.tenant_id == tenant.id)
                )
            ).all()
        )
        return render(
            request,
            "moderation/audit.html",
            entries=entries,
            names=names,
            action=action,
            actor=actor_id,
        )

    @get("/admin/moderation")
    async def settings_form(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
    ) -> Template:
        _require(member, Permission.CONFIGURE_COMMUNITY, MODERATION_ADMINS)
        rules = await moderation.rules_for(db, tenant.id)
        categories = await forums.list_categories(db, tenant.id)
        form = ModerationForm(
            numbers={name: str(getattr(rules, name)) for name in LIMITS},
            blocked_domains="\n".join(rules.blocked_domains),
            abusive_words="\n".join(rules.abusive_words),
            premoderated=[c.id for c in categories if c.premoderated],
        )
        return _moderation_page(request, form, categories, {})

    @post("/admin/moderation")
    async def save_settings(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: NamedDependency[TenantInfo],
        member: NamedDependency[Member],
    ) -> Template | Redirect:
        _require(member, Permission.CONFIGURE_COMMUNITY, MODERATION_ADMINS)
        submitted = await request.form()
        form = ModerationForm(
            numbers={name: str(submitted.get(name, "")) for name in LIMITS},
            blocked_domains=str(submitted.get("blocked_domains", "")),
            abusive_words=str(submitted.get("abusive_words", "")),
            premoderated=[int(v) for v in submitted.getall("premoderated", []) if str(v).isdigit()],
        )
        try:
            await update_moderation(db, tenant.id, member, form)
        except ValidationFailed as exc:
            categories = await forums.list_categories(db, tenant.id)
            return _moderation_page(request, form, categories, exc.errors, status_code=422)
        return see_other("/admin/moderation?saved=1")


MODERATION_ADMINS = "Only community admins can change the moderation rules."


def _moderation_page(
    request: Request[Any, Any, Any],
    form: ModerationForm,
    categories: list[Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return render(
        request, "moderation/admin_moderation.html", status_code=status_code, form=form,
        categories=categories, errors=errors, limits=LIMITS,
        saved=request.query_params.get("saved") == "1",
    )  # fmt: skip


def _require(member: Member, permission: Permission, message: str) -> None:
    if not has_permission(member, permission):
        raise Forbidden(message)


def _days(raw: str) -> int:
    if not raw.strip().isdigit():
        raise ValidationFailed({"days": "A suspension lasts 1 to 3650 days."})
    return int(raw)


async def _item_or_queue(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    item_id: int,
    tenant: TenantInfo,
    member: Member,
) -> Template | Redirect:
    if not is_htmx(request):
        return see_other("/mod/queue")
    item = await moderation.open_item(db, tenant.id, member, item_id)
    if item is None:
        return render(request, "partials/empty.html")
    history = (await moderation.author_histories(db, [item.post.author]))[item.post.author_id]
    return render(request, "moderation/partials/item.html", item=item, history=history)
