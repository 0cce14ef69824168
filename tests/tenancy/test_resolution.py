"""A request's tenant comes from its Host header."""

import pytest

from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def test_each_domain_serves_its_own_branded_community(client_for, world: World) -> None:
    await world.tenant("initech", domain="community.initech.example", primary="#123456")
    page = await client_for("community.initech.example").get("/")
    assert page.status_code == 200
    assert "Initech Community" in page.text
    assert "--brand-primary: #123456" in page.text


async def test_slug_dot_localhost_works_for_local_use(client_for, world: World) -> None:
    page = await client_for("globex.localhost:8000").get("/")
    assert page.status_code == 200
    assert "Globex Community" in page.text


async def test_tenant_locale_translates_the_interface(client_for, world: World) -> None:
    french = await client_for("globex.test").get("/")
    english = await client_for("acme.test").get("/")
    assert 'lang="fr"' in french.text and "Activité récente" in french.text
    assert 'lang="en"' in english.text and "Latest activity" in english.text


async def test_unknown_host_is_not_found(client_for, world: World) -> None:
    page = await client_for("nobody.example").get("/")
    assert page.status_code == 404
    assert "no community at this address" in page.text


async def test_default_tenant_serves_plain_localhost(settings, world: World) -> None:
    from dataclasses import replace

    import httpx

    from community.app import create_app

    app = create_app(replace(settings, default_tenant="globex"))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with Client(transport=transport, base_url="http://localhost:8000") as local:
            page = await local.get("/")
    assert page.status_code == 200
    assert "Globex Community" in page.text


async def test_unknown_page_gets_the_brand_404(client: Client) -> None:
    page = await client.get("/no/such/page")
    assert page.status_code == 404
    assert "Acme Community" in page.text
    assert "Page not found" in page.text


@pytest.mark.parametrize(
    "host",
    ["localhost:99999", "localhost:abc", "localhost:0", "", "garbage!!", "acme..test", "[::1"],
)
@pytest.mark.parametrize("path", ["/", "/health", "/static/app.css", "/api/v1/threads", "/nowhere"])
async def test_a_host_header_that_does_not_parse_gets_a_plain_400(
    client_for, world: World, host: str, path: str
) -> None:
    response = await client_for("acme.test").get(path, headers={"host": host})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "the Host header is not a host name" in response.text


async def test_a_host_with_a_port_still_finds_its_community(client_for, world: World) -> None:
    for host in ("acme.test:8000", "ACME.test", "acme.test:65535"):
        page = await client_for("acme.test").get("/", headers={"host": host})
        assert page.status_code == 200, host
        assert "Acme Community" in page.text
    unknown = await client_for("acme.test").get("/", headers={"host": "nobody.test:8000"})
    assert unknown.status_code == 404
