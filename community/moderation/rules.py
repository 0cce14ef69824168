"""Per-tenant moderation settings, with their defaults (stored in tenants.preferences)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from community.moderation.checks import DEFAULT_ABUSIVE_WORDS


@dataclass(frozen=True)
class ModerationRules:
    flag_threshold: int = 3  # open flags that hide a post pending review
    premoderate_first_posts: int = 1  # a member's first N posts wait for approval
    new_member_posts: int = 3  # below this many published posts, links go to review
    posts_per_minute: int = 5  # more than this from one member goes to review
    claim_minutes: int = 15
    # What a held post's author is told to expect while the queue has too few decisions
    # of its own to measure (fewer than MEASURED_AFTER in 30 days).
    review_hours: int = 24
    blocked_domains: list[str] = field(default_factory=list)
    abusive_words: list[str] = field(default_factory=lambda: list(DEFAULT_ABUSIVE_WORDS))

    @classmethod
    def from_preferences(cls, preferences: dict[str, Any]) -> ModerationRules:
        stored = preferences.get("moderation", {})
        known = {k: v for k, v in stored.items() if k in cls.__dataclass_fields__}
        return cls(**known)
