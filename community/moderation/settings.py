"""A tenant admin sets the moderation rules: thresholds, word lists, pre-moderated categories."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import update

from community.errors import require
from community.forums import services as forums
from community.forums.models import Category
from community.identity.permissions import Permission
from community.inputs import parse_int
from community.l10n import N_
from community.moderation.audit import record
from community.moderation.rules import ModerationRules
from community.scope import Scope
from community.tenancy.models import Tenant

MODERATION_ADMINS = N_("Only community admins can change the moderation rules.")

LIMITS = {
    "flag_threshold": (1, 100),
    "premoderate_first_posts": (0, 100),
    "new_member_posts": (0, 1000),
    "posts_per_minute": (1, 1000),
    "claim_minutes": (1, 1440),
    "review_hours": (1, 720),
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
        number = parse_int(form.numbers.get(name, ""), low, high)
        if number is not None:
            numbers[name] = number
        else:
            message = N_("Enter a whole number from %(low)s to %(high)s.")
            errors[name] = message % {"low": low, "high": high}
    domains = [d.removeprefix("www.") for d in _lines(form.blocked_domains)]
    if any("/" in d or " " in d or "." not in d for d in domains):
        errors["blocked_domains"] = N_("One domain per line, such as spam.example.")
    defaults = ModerationRules()
    rules = ModerationRules(
        **{name: numbers.get(name, getattr(defaults, name)) for name in LIMITS},
        blocked_domains=domains,
        abusive_words=_lines(form.abusive_words),
    )
    return rules, errors


@dataclass(frozen=True)
class ModerationSettingsPage:
    """What the admin page shows: the form (as stored, or as submitted) and the categories."""

    form: ModerationForm
    categories: list[Category]


async def moderation_settings(
    scope: Scope, submitted: ModerationForm | None = None
) -> ModerationSettingsPage:
    """The admin form, filled with the tenant's rules (or with what was just submitted)."""
    scope.require(Permission.CONFIGURE_COMMUNITY, MODERATION_ADMINS)
    categories = await forums.list_categories(scope)
    if submitted is not None:
        return ModerationSettingsPage(submitted, categories)
    rules = scope.settings.moderation
    form = ModerationForm(
        numbers={name: str(getattr(rules, name)) for name in LIMITS},
        blocked_domains="\n".join(rules.blocked_domains),
        abusive_words="\n".join(rules.abusive_words),
        premoderated=[c.id for c in categories if c.premoderated],
    )
    return ModerationSettingsPage(form, categories)


async def update_moderation(scope: Scope, form: ModerationForm) -> ModerationRules:
    scope.require(Permission.CONFIGURE_COMMUNITY, MODERATION_ADMINS)
    rules, errors = parse_moderation_form(form)
    require(errors)
    tenant = await scope.db.get(Tenant, scope.tenant_id)
    assert tenant is not None
    before = dict(tenant.preferences)
    tenant.preferences = before | {"moderation": asdict(rules)}
    await scope.db.execute(
        update(Category).values(premoderated=Category.id.in_(form.premoderated or [0]))
    )
    record(scope, "settings.moderation", ("tenant", scope.tenant_id),
           before=before.get("moderation"), after=asdict(rules))  # fmt: skip
    await scope.db.flush()
    return rules
