"""Contact-centre adapters: each turns a CasePayload into a case in one kind of target.

An adapter's `create_case` either returns a CaseReceipt or raises DeliveryFailed, saying
whether a later attempt may succeed. Every adapter sends the payload's idempotency key the
way its target documents, so a retry after a timeout never opens a second case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from community.escalation.payload import CasePayload


@dataclass(frozen=True)
class CaseReceipt:
    case_id: str = ""  # empty: the target took the case and will acknowledge it later
    case_url: str = ""


class DeliveryFailed(Exception):
    def __init__(
        self, message: str, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class Adapter(Protocol):
    async def create_case(self, payload: CasePayload) -> CaseReceipt: ...
