"""Per-tenant tag settings, with their defaults (stored in tenants.preferences["tags"])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_TAGS_PER_THREAD = 5


@dataclass(frozen=True)
class TagRules:
    # Members whose reputation reaches this may create a tag while tagging; None: only
    # the community's managers define tags.
    member_creation_reputation: int | None = None

    @classmethod
    def from_preferences(cls, preferences: dict[str, Any]) -> TagRules:
        stored = preferences.get("tags", {})
        threshold = stored.get("member_creation_reputation") if isinstance(stored, dict) else None
        return cls(threshold if isinstance(threshold, int) and threshold >= 0 else None)
