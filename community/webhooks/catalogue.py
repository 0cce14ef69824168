"""The events a subscription may pick, and the envelope every one of them is sent in.

The envelope is versioned: `{"type", "version", "timestamp", "community", "data"}`. A change
that removes or renames a field of `data`, or changes its meaning, raises `VERSION`; adding a
field does not (receivers ignore what they do not know). The README lists every type with an
example of its `data`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from community import events
from community.l10n import N_

VERSION = 1
THREAD_CREATED = "thread.created"
ANSWER_POSTED = "answer.posted"
COMPLAINT_DETECTED = "complaint.detected"
INTEREST_DETECTED = "interest.detected"
TEST_EVENT = "webhook.test"  # sent by the "send test event" button, to one subscription

EVENT_TYPES: dict[str, str] = {
    THREAD_CREATED: N_("A thread was created (question, discussion or idea)"),
    ANSWER_POSTED: N_("An answer or reply was posted"),
    events.ANSWER_ACCEPTED: N_("An answer was accepted by the asker"),
    events.ANSWER_CERTIFIED: N_("An answer was certified by the brand"),
    events.THREAD_RESOLVED: N_("A question was resolved (its first accepted or certified answer)"),
    events.IDEA_STATUS_CHANGED: N_("An idea's status changed"),
    events.ESCALATION_STATE_CHANGED: N_("An escalation to the contact centre changed state"),
    events.MEMBER_JOINED: N_("A member joined"),
    events.FLAG_RAISED: N_("A post was flagged"),
    COMPLAINT_DETECTED: N_("A complaint was detected (back-office rules)"),
    INTEREST_DETECTED: N_("Interest in a product was detected: a lead (back-office rules)"),
}


def iso(moment: datetime) -> str:
    """UTC, to the second, with a Z: `2026-12-04T09:30:00Z`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def envelope(event_type: str, data: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """What is stored and sent, but the `community` part, added at send time."""
    return {"type": event_type, "version": VERSION, "timestamp": iso(moment), "data": data}
