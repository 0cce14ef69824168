"""Per-tenant scoring rules: points per reason, the daily cap, ranks, voting options.

Defaults live here; a tenant admin's changes are stored in `tenants.preferences` and
merged over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from community.l10n import N_, gettext
from community.scoring.models import Reason

DEFAULT_POINTS: dict[Reason, int] = {
    Reason.ANSWER_UPVOTED: 10,
    Reason.QUESTION_UPVOTED: 5,
    Reason.DOWNVOTE_RECEIVED: -2,
    Reason.ANSWER_ACCEPTED: 15,
    Reason.ACCEPTED_AN_ANSWER: 2,
    Reason.ANSWER_CERTIFIED: 25,
    Reason.FIRST_POST_OF_DAY: 1,
    Reason.IDEA_PLANNED: 10,
    Reason.IDEA_DONE: 20,
}
REASON_LABELS: dict[Reason, str] = {
    Reason.ANSWER_UPVOTED: N_("Answer upvoted"),
    Reason.QUESTION_UPVOTED: N_("Question upvoted"),
    Reason.DOWNVOTE_RECEIVED: N_("Downvote received"),
    Reason.ANSWER_ACCEPTED: N_("Answer accepted"),
    Reason.ACCEPTED_AN_ANSWER: N_("Accepting an answer"),
    Reason.ANSWER_CERTIFIED: N_("Answer certified"),
    Reason.FIRST_POST_OF_DAY: N_("First post of the day"),
    Reason.IDEA_PLANNED: N_("Idea planned"),
    Reason.IDEA_DONE: N_("Idea done"),
}
DEFAULT_DAILY_VOTE_CAP = 200
# Named in the tenant's language until its admin renames them.
DEFAULT_RANKS: list[tuple[int, str]] = [
    (0, N_("New member")),
    (50, N_("Contributor")),
    (500, N_("Expert")),
    (2000, N_("Legend")),
]


@dataclass(frozen=True)
class ScoringRules:
    points: dict[Reason, int]
    daily_vote_cap: int
    ranks: list[tuple[int, str]]
    allow_downvotes: bool
    discussions_by_date: bool

    @classmethod
    def from_preferences(cls, preferences: dict[str, Any], locale: str) -> ScoringRules:
        scoring = preferences.get("scoring", {})
        points = DEFAULT_POINTS | {Reason(k): int(v) for k, v in scoring.get("points", {}).items()}
        ranks = [(int(t), str(n)) for t, n in scoring.get("ranks", [])] or [
            (threshold, gettext(locale, name)) for threshold, name in DEFAULT_RANKS
        ]
        return cls(
            points=points,
            daily_vote_cap=int(scoring.get("daily_vote_cap", DEFAULT_DAILY_VOTE_CAP)),
            ranks=sorted(ranks),
            allow_downvotes=bool(preferences.get("allow_downvotes", True)),
            discussions_by_date=bool(preferences.get("discussions_by_date", True)),
        )

    def rank(self, reputation: int) -> str:
        """The name of the highest rank whose threshold the reputation reaches."""
        name = self.ranks[0][1]
        for threshold, rank_name in self.ranks:
            if reputation >= threshold:
                name = rank_name
        return name


def scoring_preferences(
    points: dict[Reason, int], daily_vote_cap: int, ranks: list[tuple[int, str]]
) -> dict[str, Any]:
    """The `scoring` part of tenant preferences, as stored."""
    return {
        "points": {reason.value: value for reason, value in points.items()},
        "daily_vote_cap": daily_vote_cap,
        "ranks": [[threshold, name] for threshold, name in sorted(ranks)],
    }
