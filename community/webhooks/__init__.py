"""Outgoing event webhooks: subscriptions, the delivery outbox and the back-office rules."""
