"""Registers each capability with the hook points of the layers below it.

Called once by everything that runs services (`create_app`, the arq worker, the CLI, the
test fixtures); registering twice is harmless. The order of registration is the order the
hooks run in: moderation screens a post before escalation and scoring look at it.
"""

from __future__ import annotations


def register_all() -> None:
    """Each capability adds its hooks here (e.g. `moderation.hooks.register(POSTS)`)."""
