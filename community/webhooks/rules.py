"""Back-office rules: what customers write that a brand's other systems should hear of.

A customer's new post (a member's, not staff's) in a chosen category (or any) raises
`complaint.detected` when it holds one of the complaint keywords or scores below the
sentiment threshold, and `interest.detected` (a lead for the CRM) when it holds one of the
product-interest keywords. Keywords match as the escalation rules' do
(`community.escalation.keywords`: whole words, accents and case ignored, `*` for a prefix);
the sentiment is the one escalation scored the post with. Stored in tenants.preferences
under "webhook_rules".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from community.escalation.keywords import DEFAULT_COMPLAINT_KEYWORDS

# Phrases rather than single words: "buy" or "achat" alone are as often in a complaint about
# a purchase ("mon achat est arrivé cassé") as in a lead.
DEFAULT_INTEREST_KEYWORDS: tuple[str, ...] = (
    # French
    "je voudrais acheter",
    "je souhaite acheter",
    "où acheter",
    "devis",
    "tarif*",
    "combien coûte",
    "combien ça coûte",
    "quel prix",
    "abonnement pro",
    "offre entreprise",
    "passer à l'offre",
    "intéressé par",
    "intéressée par",
    "disponible en magasin",
    "revendeur*",
    # English
    "want to buy",
    "looking to buy",
    "pricing",
    "quote",
    "how much does",
    "how much is",
    "upgrade to",
    "enterprise plan",
    "interested in buying",
    "where can i buy",
    "reseller*",
    "in stock",
)


@dataclass(frozen=True)
class WebhookRules:
    complaint_enabled: bool = True
    complaint_keywords: list[str] = field(default_factory=lambda: list(DEFAULT_COMPLAINT_KEYWORDS))
    sentiment_enabled: bool = True
    sentiment_threshold: float = -0.5  # a post scoring below this is a complaint (-1 … 1)
    interest_enabled: bool = True
    interest_keywords: list[str] = field(default_factory=lambda: list(DEFAULT_INTEREST_KEYWORDS))
    category_ids: list[int] = field(default_factory=list)  # empty: every category

    @classmethod
    def from_preferences(cls, preferences: dict[str, Any]) -> WebhookRules:
        stored = preferences.get("webhook_rules", {})
        return cls(**{k: v for k, v in stored.items() if k in cls.__dataclass_fields__})

    def watches(self, category_id: int) -> bool:
        return not self.category_ids or category_id in self.category_ids
