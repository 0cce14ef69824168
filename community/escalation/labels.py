"""Labels shown for escalation states, rules, priorities and history events."""

STATE_LABELS = {
    "pending": "Waiting to be sent",
    "sent": "Sent, awaiting a case number",
    "acknowledged": "Case open",
    "resolved": "Resolved",
    "failed": "Delivery failed",
}
RULE_LABELS = {
    "unresolved": "Unresolved past the SLA",
    "sentiment": "Negative sentiment",
    "complaint": "Complaint keywords",
    "manual": "Escalated by hand",
}
PRIORITY_LABELS = {"urgent": "Urgent", "high": "High", "normal": "Normal", "low": "Low"}
EVENT_LABELS = {
    "created": "Escalation opened",
    "rule:unresolved": "Unresolved past the SLA",
    "rule:sentiment": "Negative sentiment",
    "rule:complaint": "Complaint keywords",
    "rule:manual": "Escalated by hand",
    "attempt_failed": "Attempt failed",
    "delivered": "Delivered",
    "acknowledged": "Case opened",
    "agent_reply": "Agent replied",
    "resolved": "Resolved",
    "closed": "Closed",
    "failed": "Delivery failed",
    "retried": "Retried",
}
