"""A tenant's settings, parsed once from `tenants.preferences` into one typed value.

Each capability owns the dataclass of its own rules (with their defaults); this is the one
place that reads them out of the stored preferences, so no service parses them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from community.escalation.rules import EscalationRules
from community.moderation.rules import ModerationRules
from community.scoring.rules import ScoringRules
from community.tags.rules import TagRules
from community.webhooks.rules import WebhookRules


@dataclass(frozen=True)
class TenantSettings:
    scoring: ScoringRules
    moderation: ModerationRules
    escalation: EscalationRules
    tags: TagRules
    webhooks: WebhookRules

    @classmethod
    def parse(cls, preferences: dict[str, Any], locale: str) -> TenantSettings:
        return cls(
            scoring=ScoringRules.from_preferences(preferences, locale),
            moderation=ModerationRules.from_preferences(preferences),
            escalation=EscalationRules.from_preferences(preferences),
            tags=TagRules.from_preferences(preferences),
            webhooks=WebhookRules.from_preferences(preferences),
        )

    @property
    def allow_downvotes(self) -> bool:
        return self.scoring.allow_downvotes

    @property
    def discussions_by_date(self) -> bool:
        return self.scoring.discussions_by_date
