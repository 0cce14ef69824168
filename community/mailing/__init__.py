"""Notification email: members' preferences, the outbox, digests and unsubscribing."""
