"""A tenant admin changes the community's scoring rules and voting options."""

from __future__ import annotations

from dataclasses import dataclass

from community.errors import require
from community.identity.permissions import Permission
from community.inputs import parse_int
from community.l10n import N_
from community.moderation.audit import record
from community.scope import Scope
from community.scoring.models import Reason
from community.scoring.rules import ScoringRules, scoring_preferences
from community.tenancy.models import Tenant

POINTS_LIMIT = 1000
SCORING_ADMINS = N_("Only community admins can change the scoring rules.")


@dataclass(frozen=True)
class ScoringForm:
    """The admin form as submitted: every value still a string."""

    points: dict[str, str]
    daily_vote_cap: str
    ranks: list[tuple[str, str]]
    allow_downvotes: bool
    discussions_by_date: bool


def parse_scoring_form(form: ScoringForm) -> tuple[ScoringRules, dict[str, str]]:
    errors: dict[str, str] = {}
    points: dict[Reason, int] = {}
    for reason in Reason:
        value = parse_int(form.points.get(reason.value, ""), -POINTS_LIMIT, POINTS_LIMIT)
        if value is None:
            errors[f"points_{reason.value}"] = N_(
                "Points must be a whole number from -1000 to 1000."
            )
        else:
            points[reason] = value
    cap = parse_int(form.daily_vote_cap, 0, 100_000)
    if cap is None:
        errors["daily_vote_cap"] = N_("The daily cap must be a whole number, 0 or more.")
    ranks = []
    for threshold, name in form.ranks:
        if not threshold.strip() and not name.strip():
            continue
        value = parse_int(threshold, 0, 10_000_000)
        if value is None or not name.strip():
            errors["ranks"] = N_("Each rank needs a reputation threshold (0 or more) and a name.")
        else:
            ranks.append((value, name.strip()[:40]))
    if not errors.get("ranks") and (not ranks or min(t for t, _ in ranks) != 0):
        errors["ranks"] = N_("One rank must start at 0 reputation.")
    if len({t for t, _ in ranks}) != len(ranks):
        errors["ranks"] = N_("Two ranks cannot start at the same reputation.")
    rules = ScoringRules(
        points, cap or 0, sorted(ranks), form.allow_downvotes, form.discussions_by_date
    )
    return rules, errors


def scoring_form(scope: Scope) -> ScoringForm:
    """The admin form filled with the tenant's rules as they are now."""
    scope.require(Permission.CONFIGURE_COMMUNITY, SCORING_ADMINS)
    rules = scope.settings.scoring
    return ScoringForm(
        points={r.value: str(p) for r, p in rules.points.items()},
        daily_vote_cap=str(rules.daily_vote_cap),
        ranks=[(str(t), n) for t, n in rules.ranks],
        allow_downvotes=rules.allow_downvotes,
        discussions_by_date=rules.discussions_by_date,
    )


async def update_scoring(scope: Scope, form: ScoringForm) -> ScoringRules:
    scope.require(Permission.CONFIGURE_COMMUNITY, SCORING_ADMINS)
    rules, errors = parse_scoring_form(form)
    require(errors)
    tenant = await scope.db.get(Tenant, scope.tenant_id)
    assert tenant is not None
    before = dict(tenant.preferences)
    tenant.preferences = before | {
        "scoring": scoring_preferences(rules.points, rules.daily_vote_cap, rules.ranks),
        "allow_downvotes": rules.allow_downvotes,
        "discussions_by_date": rules.discussions_by_date,
    }
    record(scope, "settings.scoring", ("tenant", scope.tenant_id),
           before=before, after=tenant.preferences)  # fmt: skip
    await scope.db.flush()
    return rules
