"""Community admins choose the domains that serve their community, and the canonical one."""

import pytest

from community.identity.models import Role
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def domain_ids(admin: Client) -> dict[str, int]:
    listed = await admin.get("/api/v1/admin/domains")
    assert listed.status_code == 200
    return {d["domain"]: d["id"] for d in listed.json()}


async def test_an_admin_adds_a_domain_that_then_serves_the_community(
    admin: Client, client_for
) -> None:
    added = await admin.submit("/admin/domains", {"domain": " Help.Acme.Example. "})
    assert added.status_code == 303
    page = await admin.get("/admin/domains?saved=added")
    assert "The domain was added." in page.text and "<code>help.acme.example</code>" in page.text
    served = await client_for("help.acme.example").get("/")
    assert served.status_code == 200 and "Acme Community" in served.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Write a domain"),
        ("https://help.acme.example/forum", "without http://, a port or a path"),
        ("help.acme.example:8443", "without http://, a port or a path"),
        ("192.0.2.7", "not an IP address"),
        ("nodots", "names of letters, digits and dashes joined by dots"),
        ("bad_name.example", "names of letters, digits and dashes joined by dots"),
        ("-bad.example", "names of letters, digits and dashes joined by dots"),
        ("shop.localhost", "cannot be a community"),
        ("globex.test", "Another community already uses this domain."),
        ("acme.test", "This community already answers at this domain."),
    ],
)
async def test_a_domain_that_cannot_be_added_is_refused_clearly(
    admin: Client, typed: str, message: str
) -> None:
    page = await admin.submit("/admin/domains", {"domain": typed})
    assert page.status_code == 422
    assert message in page.text
    assert 'aria-invalid="true"' in page.text


async def test_the_last_domain_and_the_canonical_one_stay(admin: Client, client_for) -> None:
    only = (await domain_ids(admin))["acme.test"]
    last = await admin.submit(f"/admin/domains/{only}/delete", {})
    assert last.status_code == 422 and "at least one domain" in last.text
    await admin.submit("/admin/domains", {"domain": "help.acme.example"})
    ids = await domain_ids(admin)
    await admin.submit(f"/admin/domains/{ids['help.acme.example']}/canonical", {})
    canonical = await admin.submit(f"/admin/domains/{ids['help.acme.example']}/delete", {})
    assert canonical.status_code == 422 and "Choose another canonical domain" in canonical.text
    removed = await admin.submit(f"/admin/domains/{ids['acme.test']}/delete", {})
    assert removed.status_code == 303
    gone = await admin.get("/")
    assert gone.status_code == 404 and "no community at this address" in gone.text
    assert (await client_for("help.acme.example").get("/")).status_code == 200


async def test_other_domains_redirect_to_the_canonical_one(
    admin: Client, client_for, world: World
) -> None:
    await admin.submit("/admin/domains", {"domain": "help.acme.example"})
    old = client_for("acme.test")
    assert (await old.get("/c/general")).status_code == 200  # no canonical chosen yet
    ids = await domain_ids(admin)
    chosen = await admin.submit(f"/admin/domains/{ids['help.acme.example']}/canonical", {})
    assert chosen.status_code == 303  # the admin's own next request already redirects:
    moved = await old.get("/c/general?status=resolved&page=1")
    assert moved.status_code == 301
    assert moved.headers["location"] == "http://help.acme.example/c/general?status=resolved&page=1"
    assert (await client_for("help.acme.example").get("/c/general")).status_code == 200
    # What a redirect would break answers where it is asked.
    assert (await old.get("/api/v1/threads")).status_code == 200
    assert (await old.get("/health")).status_code == 200
    assert (await old.get("/auth/oidc/nobody/callback")).status_code != 301
    # A form posted to the old domain is not turned into a GET (its body would be lost).
    member = await world.member("acme", "ann@acme.test")
    thread = await world.thread("acme", member)
    await old.get("/login")  # the CSRF cookie, from the old domain's redirect-free answer
    poster = client_for("acme.test")
    login = await poster.post("/login", data={"email": "ann@acme.test", "password": "x"})
    assert login.status_code != 301
    assert (await poster.post(f"/t/{thread.id}/reply", data={"body": "hi"})).status_code != 301


async def test_local_addresses_never_redirect(admin: Client, client_for) -> None:
    await admin.submit("/admin/domains", {"domain": "help.acme.example"})
    ids = await domain_ids(admin)
    await admin.submit(f"/admin/domains/{ids['help.acme.example']}/canonical", {})
    local = await client_for("acme.localhost:8000").get("/")
    assert local.status_code == 200 and "Acme Community" in local.text


async def test_domains_are_for_admins_and_their_own_community(
    client: Client, world: World, client_for
) -> None:
    await world.member("acme", "mod@acme.test", Role.MODERATOR)
    await client.login("mod@acme.test")
    assert (await client.get("/admin/domains")).status_code == 403
    assert (await client.submit("/admin/domains", {"domain": "x.example"})).status_code == 403
    await world.member("globex", "boss@globex.test", Role.ADMIN)
    theirs = client_for("globex.test")
    await theirs.login("boss@globex.test")
    globex_domain = (await domain_ids(theirs))["globex.test"]
    await world.member("acme", "boss@acme.test", Role.ADMIN)
    acme = client_for("acme.test")
    await acme.login("boss@acme.test")
    assert (await acme.submit(f"/admin/domains/{globex_domain}/canonical", {})).status_code == 404
    assert (await acme.submit(f"/admin/domains/{globex_domain}/delete", {})).status_code == 404
    assert "globex.test" in await domain_ids(theirs)


async def test_domain_changes_are_audited(admin: Client, client_for) -> None:
    await admin.submit("/admin/domains", {"domain": "help.acme.example"})
    ids = await domain_ids(admin)
    await admin.submit(f"/admin/domains/{ids['help.acme.example']}/canonical", {})
    await admin.submit("/admin/domains", {"domain": "old.acme.example"})
    await admin.submit(f"/admin/domains/{(await domain_ids(admin))['old.acme.example']}/delete", {})
    canonical = client_for("help.acme.example")  # acme.test's pages now redirect there
    await canonical.login("boss@acme.test")
    log = (await canonical.get("/admin/audit?action=domain")).text
    for action in ("domain.add", "domain.canonical", "domain.remove"):
        assert f"<code>{action}</code>" in log
    assert '"canonical": "help.acme.example"' in log
