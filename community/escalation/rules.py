"""Per-tenant escalation rules and their defaults (stored in tenants.preferences)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from community.escalation.calendar import BusinessCalendar
from community.escalation.keywords import DEFAULT_COMPLAINT_KEYWORDS


@dataclass(frozen=True)
class EscalationRules:
    unresolved_enabled: bool = True
    unresolved_hours: int = 24  # business hours without an accepted/certified/staff answer
    # Threads asked before the rule was switched on never breach it: turning the rule on
    # must not flood the contact centre with the whole backlog. ISO 8601; "" = tenant creation.
    unresolved_since: str = ""
    sentiment_enabled: bool = True
    sentiment_threshold: float = -0.5  # the asker's post scores below this (-1 … 1)
    complaint_enabled: bool = True
    complaint_keywords: list[str] = field(default_factory=lambda: list(DEFAULT_COMPLAINT_KEYWORDS))
    max_attempts: int = 8  # deliveries tried before the escalation is marked failed
    case_sla_hours: int = 8  # business hours the contact centre has to resolve a case
    calendar: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_preferences(cls, preferences: dict[str, Any]) -> EscalationRules:
        stored = preferences.get("escalation", {})
        return cls(**{k: v for k, v in stored.items() if k in cls.__dataclass_fields__})

    @property
    def business_calendar(self) -> BusinessCalendar:
        return BusinessCalendar.from_preferences(self.calendar)
