"""What a contact centre receives: everything an agent needs, as one JSON-ready value."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Asker:
    id: int
    name: str
    email: str
    customer_id: str  # the brand's own customer id, from its SSO, when linked
    tier: str  # the brand's segment or tier claim, when known
    reputation: int
    influence: int
    profile_url: str


@dataclass(frozen=True)
class Message:
    number: int
    author: str
    role: str
    created_at: str  # ISO 8601, UTC
    body: str  # Markdown, as written (masked personal data is not masked here: agents see it)
    url: str
    accepted: bool = False
    certified: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    kind: str
    detail: str
    actor: str = ""


@dataclass(frozen=True)
class CasePayload:
    escalation_id: int
    idempotency_key: str
    community: str  # the tenant's name
    tenant: str  # the tenant's slug
    thread_id: int
    thread_title: str
    thread_url: str
    category: str
    priority: int  # 0-100
    priority_label: str  # urgent / high / normal / low
    rules: list[str]
    note: str
    sentiment: float | None  # -1 (very negative) … 1, of the asker's most negative post
    asker: Asker
    question: Message
    answers: list[Message]
    history: list[HistoryEntry] = field(default_factory=list)
    callback_url: str = ""  # where to send signed case updates and agent replies
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def subject(self) -> str:
        return f"[{self.community}] {self.thread_title}"

    def summary(self) -> str:
        """A plain-text case description for ticket bodies and email."""
        lines = [
            self.thread_title,
            self.thread_url,
            "",
            f"Asked by {self.asker.name} <{self.asker.email}>"
            + (f", customer {self.asker.customer_id}" if self.asker.customer_id else "")
            + (f", tier {self.asker.tier}" if self.asker.tier else ""),
            f"Reputation {self.asker.reputation}, influence {self.asker.influence}",
            f"Escalated because: {', '.join(self.rules)}; priority {self.priority_label}"
            + (f"; sentiment {self.sentiment:+.2f}" if self.sentiment is not None else ""),
        ]
        if self.note:
            lines += ["", f"Note: {self.note}"]
        lines += ["", "Question:", self.question.body]
        for answer in self.answers:
            marks = " (accepted)" if answer.accepted else ""
            marks += " (certified)" if answer.certified else ""
            lines += ["", f"#{answer.number} {answer.author}{marks}:", answer.body]
        if self.history:
            lines += ["", "History:"]
            lines += [f"{h.at} {h.kind} {h.detail}".rstrip() for h in self.history]
        lines += ["", f"Escalation key: {self.idempotency_key}"]
        return "\n".join(lines)
