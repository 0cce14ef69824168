"""Labels shown for escalation states, rules, priorities and history events."""

from community.l10n import N_

STATE_LABELS = {
    "pending": N_("Waiting to be sent"),
    "sent": N_("Sent, awaiting a case number"),
    "acknowledged": N_("Case open"),
    "resolved": N_("Resolved"),
    "failed": N_("Delivery failed"),
}
RULE_LABELS = {
    "unresolved": N_("Unresolved past the SLA"),
    "sentiment": N_("Negative sentiment"),
    "complaint": N_("Complaint keywords"),
    "manual": N_("Escalated by hand"),
}
PRIORITY_LABELS = {
    "urgent": N_("Urgent"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
}
EVENT_LABELS = {
    "created": N_("Escalation opened"),
    "rule:unresolved": N_("Unresolved past the SLA"),
    "rule:sentiment": N_("Negative sentiment"),
    "rule:complaint": N_("Complaint keywords"),
    "rule:manual": N_("Escalated by hand"),
    "attempt_failed": N_("Attempt failed"),
    "delivered": N_("Delivered"),
    "acknowledged": N_("Case opened"),
    "agent_reply": N_("Agent replied"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "failed": N_("Delivery failed"),
    "retried": N_("Retried"),
}
