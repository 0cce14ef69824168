"""Notification mail tests send to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from community.config import Settings
from community.jobs import InProcessQueue
from community.tasks import TASKS
from tests.conftest import TEST_OUTBOUND, World
from tests.mail_server import MailServer, smtp_settings


@pytest.fixture
def settings(settings: Settings, mail_server: MailServer) -> Settings:
    return smtp_settings(settings, mail_server)


@pytest.fixture
def mailing(world: World, settings: Settings) -> World:
    """The world, its jobs run in process and sending to the test SMTP server (with Redis
    too: the burst test is the one that runs arq workers)."""
    world.jobs = InProcessQueue(world.sessions, TASKS, settings.delivery, TEST_OUTBOUND)
    return world
