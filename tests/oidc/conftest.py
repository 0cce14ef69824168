"""A real OpenID provider on 127.0.0.1 with a client for each test community."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from community.identity.models import Member, Role
from community.oidc import config
from tests.conftest import TEST_OUTBOUND, World
from tests.oidc.provider import Provider, client, running_provider


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """One provider for a module's tests: each test's browser has its own provider session."""
    clients = [client("acme", "http://acme.test"), client("globex", "http://globex.test")]
    log = tmp_path_factory.mktemp("provider") / "provider.log"
    with running_provider(clients, log) as running:
        yield running


async def configure(
    world: World, tenant: str, admin: Member, issuer: str, client_name: str = "", **extra: object
) -> None:
    """The tenant's admin enters the provider's settings (client `parvis-<client_name>`)."""
    name = client_name or tenant
    form = config.ProviderForm(
        label="Sign in with Northwind ID", issuer=issuer, client_id=f"parvis-{name}",
        client_secret=f"{name}-client-secret", enabled=True, **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.get(Member, admin.id))
        await config.save(scope, form, TEST_OUTBOUND, "test-secret-key-" + "x" * 32)


@pytest.fixture
async def acme_sso(world: World, provider: Provider) -> Provider:
    admin = await world.member("acme", "admin@example.com", Role.ADMIN)
    await configure(world, "acme", admin, provider.issuer)
    return provider
