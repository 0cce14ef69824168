"""A tenant admin sets the moderation rules: thresholds, word lists, pre-moderated categories."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from community.errors import Forbidden, require
from community.forums.models import Category
from community.identity.models import Member
from community.identity.permissions import Permission, has_permission
from community.moderation.audit import record
from community.moderation.rules import ModerationRules
from community.tenancy.models import Tenant

LIMITS = {
    "flag_threshold": (1, 100),
    "premoderate_first_posts": (0, 100),
    "new_member_posts": (0, 1000),
    "posts_per_minute": (1, 1000),
    "claim_minutes": (1, 1440),
}


@dataclass(frozen=True)
class ModerationForm:
    """The admin form as submitted: numbers as strings, lists one item per line."""

    numbers: dict[str, str]
    blocked_domains: str
    abusive_words: str
    premoderated: list[int]


def _lines(text: str) -> list[str]:
    return sorted({line.strip().lower() for line in text.splitlines() if line.strip()})


def parse_moderation_form(form: ModerationForm) -> tuple[ModerationRules, dict[str, str]]:
    errors: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for name, (low, high) in LIMITS.items():
        raw = form.numbers.get(name, "").strip()
        if raw.isdigit() and low <= int(raw) <= high:
            numbers[name] = int(raw)
        else:
            errors[name] = f"Enter a whole number from {low} to {high}."
    domains = [d.removeprefix("www.") for d in _lines(form.blocked_domains)]
    if any("/" in d or " " in d or "." not in d for d in domains):
        errors["blocked_domains"] = "One domain per line, such as spam.example."
    defaults = ModerationRules()
    rules = ModerationRules(
        **{name: numbers.get(name, getattr(defaults, name)) for name in LIMITS},
        blocked_domains=domains,
        abusive_words=_lines(form.abusive_words),
    )
    return rules, errors


async def update_moderation(
    session: AsyncSession, tenant_id: int, actor: Member, form: ModerationForm
) -> ModerationRules:
    if not has_permission(actor, Permission.CONFIGURE_COMMUNITY):
        raise Forbidden("Only community admins can change the moderation rules.")
    rules, errors = parse_moderation_form(form)
    require(errors)
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    before = dict(tenant.preferences)
    tenant.preferences = before | {"moderation": asdict(rules)}
    await session.execute(
        update(Category)
        .where(Category.tenant_id == tenant_id)
        .values(premoderated=Category.id.in_(form.premoderated or [0]))
    )
    record(session, actor, "settings.moderation", ("tenant", tenant_id),
           before=before.get("moderation"), after=asdict(rules))  # fmt: skip
    await session.flush()
    return rules
