"""Escalation to the brand's contact centre: rules, the outbox, adapters and callbacks."""
