"""The admin of acme, signed in: who manages the webhooks in these tests."""

import pytest

from community.identity.models import Role
from tests.conftest import Client, World


@pytest.fixture
async def admin(client: Client, world: World) -> Client:
    await world.member("acme", "boss@acme.test", Role.ADMIN)
    await client.login("boss@acme.test")
    return client
