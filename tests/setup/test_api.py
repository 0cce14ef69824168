"""Categories and domains through the JSON API under /api/v1/admin."""

import pytest

from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def send(client: Client, method: str, url: str, payload: dict | None = None):
    token = await client.ensure_csrf()
    return await client.request(method, url, json=payload, headers={"x-csrftoken": token})


async def test_categories_are_created_changed_ordered_and_archived(admin: Client) -> None:
    made = await admin.api_post(
        "/api/v1/admin/categories",
        {"name": "Announcements", "kind": "discussions", "posting": "staff"},
    )
    assert made.status_code == 201, made.text
    news = made.json()
    assert news["slug"] == "announcements" and news["posting"] == "staff"
    assert news["url"] == "/c/announcements" and news["archived"] is False
    changed = await send(
        admin, "PUT", f"/api/v1/admin/categories/{news['id']}",
        {"name": "News", "slug": "news", "kind": "discussions", "posting": "staff",
         "premoderated": True},
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["premoderated"] is True
    archived = await send(
        admin, "PATCH", f"/api/v1/admin/categories/{news['id']}", {"archived": True}
    )
    assert archived.json()["archived"] is True
    listed = (await admin.get("/api/v1/admin/categories")).json()
    assert [c["slug"] for c in listed] == ["general", "billing", "news"]
    ordered = await send(admin, "PUT", "/api/v1/admin/categories/order", {"ids": [news["id"]]})
    assert [c["slug"] for c in ordered.json()] == ["news", "general", "billing"]


async def test_refusals_name_the_field(admin: Client) -> None:
    taken = await admin.api_post("/api/v1/admin/categories", {"name": "General"})
    assert taken.status_code == 422
    assert taken.json()["errors"] == {"slug": "Another category already has this address."}
    unknown = await send(admin, "PUT", "/api/v1/admin/categories/order", {"ids": [999999]})
    assert unknown.status_code == 422 and "order" in unknown.json()["errors"]
    missing = await send(admin, "PATCH", "/api/v1/admin/categories/999999", {"archived": True})
    assert missing.status_code == 404


async def test_domains_through_the_api(admin: Client, client_for) -> None:
    added = await admin.api_post("/api/v1/admin/domains", {"domain": "help.acme.example"})
    assert added.status_code == 201 and added.json()["canonical"] is False
    taken = await admin.api_post("/api/v1/admin/domains", {"domain": "globex.test"})
    assert taken.status_code == 422
    assert taken.json()["errors"]["domain"] == "Another community already uses this domain."
    chosen = await send(admin, "PUT", f"/api/v1/admin/domains/{added.json()['id']}/canonical")
    assert chosen.status_code == 200 and chosen.json()["canonical"] is True
    assert (await client_for("acme.test").get("/")).status_code == 301
    listed = (await admin.get("/api/v1/admin/domains")).json()  # the API is not redirected
    assert [d["domain"] for d in listed] == ["help.acme.example", "acme.test"]
    old = next(d for d in listed if d["domain"] == "acme.test")
    assert (await send(admin, "DELETE", f"/api/v1/admin/domains/{old['id']}")).status_code == 204


async def test_members_are_refused(client: Client, world: World) -> None:
    await world.member("acme", "ann@acme.test")
    await client.login("ann@acme.test")
    assert (await client.get("/api/v1/admin/categories")).status_code == 403
    assert (
        await client.api_post("/api/v1/admin/domains", {"domain": "a.example"})
    ).status_code == 403
