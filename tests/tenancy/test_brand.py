"""The brand page: what an admin sets shows on every page at once (the cached tenant is
forgotten), unreadable colours and bad links are refused on the form, uploads are checked,
files are served immutable and only to their own community, and every change is audited."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from community.identity.models import Role
from community.moderation.models import AuditEntry
from community.tenancy.models import Tenant
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio
ADMIN = "boss@acme.example"
GOOD = {
    "name": "Acme Help", "locale": "fr", "primary": "#1a4fd6", "accent": "#f29d38",
    "background": "#ffffff", "text": "#1d2330", "font": "serif",
    "header_label_0": "Shop", "header_url_0": "https://shop.acme.example/",
    "footer_label_0": "Status", "footer_url_0": "https://status.acme.example/",
    "terms_url": "https://acme.example/terms", "privacy_url": "https://acme.example/privacy",
    "custom_css": ".post { border-radius: 0 } @import url(https://evil.example/x.css);",
}  # fmt: skip
IMMUTABLE = "public, max-age=31536000, immutable"


def png(size: tuple[int, int] = (300, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 200)).save(out, "PNG")
    return out.getvalue()


async def admin(world: World, client: Client) -> Client:
    await world.member("acme", ADMIN, Role.ADMIN)
    await client.login(ADMIN)
    return client


async def save(client: Client, **changes: str) -> Any:
    return await client.submit("/admin/brand", GOOD | changes)


async def test_the_new_look_shows_on_every_page_at_once(world: World, client: Client) -> None:
    await admin(world, client)
    await client.get("/")  # the tenant is now cached
    saved = await save(client)
    assert saved.status_code == 303 and "dropped=1" in saved.headers["location"]
    home = (await client.get("/")).text
    assert "--brand-primary: #1a4fd6" in home and "Acme Help" in home and 'lang="fr"' in home
    assert "Charter" in home  # the serif stack
    assert 'href="https://shop.acme.example/"' in home and "Status" in home
    assert 'href="https://acme.example/terms"' in home and 'class="brand-scope"' in home
    css_url = re.search(r'<link rel="stylesheet" href="(/brand/[0-9a-f]{32}\.css)"', home)
    assert css_url is not None
    css = await client.get(css_url.group(1))
    assert css.headers["cache-control"] == IMMUTABLE and css.headers["content-type"].startswith(
        "text/css"
    )
    assert ".brand-scope .post" in css.text and "evil" not in css.text
    register = (await client_for_guest(client, "/register")).text
    assert 'href="https://acme.example/terms"' in register and "privacy" in register


async def client_for_guest(client: Client, path: str) -> Any:
    async with Client(transport=client._transport, base_url="http://acme.test") as guest:
        return await guest.get(path)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text": "#777777", "background": "#888888"}, "text", "1.2"),
        ({"primary": "#ffcc00"}, "primary", ":1"),
        ({"name": "  "}, "name", "cannot be empty"),
        ({"primary": "blue"}, "primary", "#rrggbb"),
        ({"header_url_0": "javascript:alert(1)"}, "header_0", "https://"),
        ({"footer_label_0": ""}, "footer_0", "label"),
        ({"terms_url": "ftp://acme.example/terms"}, "terms_url", "https://"),
        ({"font": "comic"}, "font", "fonts listed"),
        ({"locale": "de"}, "locale", "English or French"),
        ({"custom_css": "a{}" * 7000}, "custom_css", "20,000"),
    ],
)
async def test_bad_input_is_marked_on_the_form_and_nothing_changes(
    world: World, client: Client, changes: dict[str, str], field: str, message: str
) -> None:
    await admin(world, client)
    refused = await save(client, **changes)
    assert refused.status_code == 422
    assert message in refused.text and 'aria-invalid="true"' in refused.text
    assert f'id="{field}-error"' in refused.text
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant.name == "Acme Community" and "primary" not in tenant.theme


async def test_the_ratio_is_shown_when_text_is_unreadable(world: World, client: Client) -> None:
    await admin(world, client)
    refused = await save(client, text="#777777", background="#888888")
    assert "contrast of 1.26:1" in refused.text and "4.5:1" in refused.text


async def upload(client: Client, kind: str, content: bytes, name: str, media: str) -> Any:
    token = await client.ensure_csrf()
    return await client.post(
        f"/admin/brand/{kind}", data={"_csrf_token": token}, files={kind: (name, content, media)}
    )


async def test_a_logo_and_favicon_are_re_encoded_and_served_immutable(
    world: World, client: Client, client_for: Any
) -> None:
    await admin(world, client)
    assert (
        await upload(client, "logo", png((1200, 400)), "logo.png", "image/png")
    ).status_code == 303
    assert (
        await upload(client, "favicon", png((100, 100)), "f.png", "image/png")
    ).status_code == 303
    home = (await client.get("/")).text
    logo = re.search(r'<img src="(/brand/[0-9a-f]{32}\.png)" alt="" class="brand-logo"', home)
    favicon = re.search(
        r'<link rel="icon" type="image/png" href="(/brand/[0-9a-f]{32}\.png)"', home
    )
    assert logo and favicon
    served = await client.get(logo.group(1))
    assert served.headers["cache-control"] == IMMUTABLE
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "PNG" and image.size == (600, 200)
    with Image.open(io.BytesIO((await client.get(favicon.group(1))).content)) as image:
        assert image.size == (64, 64)
    other = client_for("globex.test")
    assert (await other.get(logo.group(1))).status_code == 404  # another community's file


def bomb() -> bytes:
    """A tiny PNG whose header says 30000 × 30000 pixels (900 megapixels)."""
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = (30000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    chunk = len(ihdr).to_bytes(4, "big") + b"IHDR" + ihdr
    chunk += zlib.crc32(b"IHDR" + ihdr).to_bytes(4, "big")
    return header + chunk + b"\x00\x00\x00\x00IEND\xaeB`\x82"


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'
SVG_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
)


@pytest.mark.parametrize(
    ("content", "name", "media", "message"),
    [
        (b"\x89PNG" + b"0" * (2 * 1024 * 1024), "big.png", "image/png", "larger than 2 MB"),
        (b"%PDF-1.7 not an image", "doc.pdf", "application/pdf", "Upload a PNG, JPEG"),
        (b"<html><script>alert(1)</script></html>", "logo.png", "image/png", "Upload a PNG, JPEG"),
        (png(), "logo.gif", "image/gif", "holds another"),  # a PNG sent as a GIF
        (SVG, "logo.svg", "image/svg+xml", "SVG images are not accepted"),
        (SVG_SCRIPT, "logo.png", "image/png", "SVG images are not accepted"),
        (bomb(), "bomb.png", "image/png", "too many pixels"),
        (b"", "empty.png", "image/png", "Choose an image"),
    ],
)
async def test_refused_uploads_say_why(
    world: World, client: Client, content: bytes, name: str, media: str, message: str
) -> None:
    await admin(world, client)
    refused = await upload(client, "logo", content, name, media)
    assert refused.status_code == 422 and message in refused.text
    assert 'data-testid="logo-error"' in refused.text
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert not tenant.theme.get("logo_url")


async def test_changes_are_audited(world: World, client: Client) -> None:
    await admin(world, client)
    await save(client)
    await upload(client, "logo", png(), "logo.png", "image/png")
    async with world.unit() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    actions = [entry.action for entry in entries]
    assert actions[-2:] == ["brand.update", "brand.logo"]
    assert (
        entries[-2].before["name"] == "Acme Community" and entries[-2].after["name"] == "Acme Help"
    )
    assert "brand.update" in (await client.get("/admin/audit")).text


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.MEMBER])
async def test_only_admins_change_the_brand(world: World, client: Client, role: Role) -> None:
    await world.member("acme", "someone@acme.example", role)
    await client.login("someone@acme.example")
    assert (await client.get("/admin/brand")).status_code == 403
    assert (await save(client)).status_code == 403
    assert (await upload(client, "logo", png(), "l.png", "image/png")).status_code == 403


async def test_the_api_reads_and_changes_the_brand(world: World, client: Client) -> None:
    await admin(world, client)
    body = {
        "name": "Acme API", "locale": "en", "primary": "#1a4fd6", "accent": "#f29d38",
        "background": "#ffffff", "text": "#111111", "font": "mono",
        "header_links": [{"label": "Shop", "url": "https://shop.acme.example/"}],
        "custom_css": "body { color: red } .x { background: url(https://evil.example/) }",
    }  # fmt: skip
    token = await client.ensure_csrf()
    changed = await client.put("/api/v1/admin/brand/", json=body, headers={"x-csrftoken": token})
    assert changed.status_code == 200, changed.text
    assert changed.json()["dropped_css"] == ["background: url(https://evil.example/)"]
    read = (await client.get("/api/v1/admin/brand/")).json()
    assert read["name"] == "Acme API" and read["font"] == "mono"
    unreadable = body | {"text": "#eeeeee"}
    refused = await client.put(
        "/api/v1/admin/brand/", json=unreadable, headers={"x-csrftoken": token}
    )
    assert refused.status_code == 422 and "text" in refused.json()["errors"]
    logo = await client.post(
        "/api/v1/admin/brand/logo", files={"data": ("l.png", png(), "image/png")},
        headers={"x-csrftoken": token},
    )  # fmt: skip
    assert logo.status_code == 201 and logo.json()["url"].startswith("/brand/")


async def test_an_upload_that_is_not_multipart_is_refused_not_a_server_error(
    world: World, client: Client
) -> None:
    await admin(world, client)
    token = await client.ensure_csrf()
    for kind in ("logo", "nothing"):
        as_json = await client.post(
            f"/api/v1/admin/brand/{kind}", json={"data": "x"}, headers={"x-csrftoken": token}
        )
        as_form = await client.post(
            f"/api/v1/admin/brand/{kind}",
            data={"_csrf_token": token},
            headers={"x-csrftoken": token},
        )
        for sent in (as_json, as_form):
            assert 400 <= sent.status_code < 500, (kind, sent.status_code, sent.text[:200])
