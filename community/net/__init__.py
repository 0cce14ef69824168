"""Talking to the network on a tenant's behalf (`community.net.outbound`)."""
