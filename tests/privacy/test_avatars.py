"""Avatars: uploads are checked and re-encoded (square WebP, no metadata), served as
immutable files; members without one get their initials in the brand's colour."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from community.colours import contrast, luminance_of
from community.identity.models import Member
from community.imaging import MAX_UPLOAD_BYTES
from community.privacy.avatars import initials, ink_on
from tests.conftest import Client, World
from tests.privacy import EMAIL, build_life

pytestmark = pytest.mark.anyio
AVATAR_SRC = re.compile(r'src="/avatars/([0-9a-f]{32})(-64)?\.webp"')


def image(fmt: str, size: tuple[int, int] = (300, 200), **save: object) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, (200, 30, 30))
    picture.paste((20, 160, 60), (size[0] // 2, 0, size[0], size[1]))
    picture.save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)  # where the photo was taken
    content = image("JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif().get_ifd(0x8825), "the upload does carry a location"
    return content


async def upload(client: Client, content: bytes, name: str = "me.png") -> object:
    token = await client.ensure_csrf()
    return await client.post(
        "/account/avatar", data={"_csrf_token": token}, files={"avatar": (name, content)}
    )


async def test_an_upload_is_cropped_resized_stripped_and_served_immutable(
    world: World, client: Client, tmp_path: Path
) -> None:
    life = await build_life(world)
    await client.login(EMAIL)
    saved = await upload(client, jpeg_with_location(), "holiday.jpg")
    assert saved.status_code == 303 and saved.headers["location"] == "/account/avatar?saved=1"
    async with world.unit() as session:
        digest = (await session.get(Member, life.member.id)).avatar
    assert re.fullmatch(r"[0-9a-f]{32}", digest)
    for suffix, side in (("", 256), ("-64", 64)):
        served = await client.get(f"/avatars/{digest}{suffix}.webp")
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/webp"
        assert "immutable" in served.headers["cache-control"]
        assert "max-age=31536000" in served.headers["cache-control"]
        with Image.open(io.BytesIO(served.content)) as got:
            assert (got.format, got.size) == ("WEBP", (side, side))
            assert not got.info.get("exif") and not got.getexif()
            # Cropped to the centre: red on the left half, green on the right.
            rgb = got.convert("RGB")
            assert rgb.getpixel((side // 8, side // 2))[0] > 150
            assert rgb.getpixel((side - side // 8, side // 2))[1] > 120
    assert sorted(p.name for p in (tmp_path / "avatars").iterdir()) == [
        f"{digest}-64.webp", f"{digest}.webp",
    ]  # fmt: skip
    thread = await client.get(f"/t/{life.answered.id}/{life.answered.slug}")
    assert f"/avatars/{digest}-64.webp" in thread.text
    profile = await client.get(f"/u/{life.member.id}")
    assert f"/avatars/{digest}-64.webp" in profile.text
    assert (await client.get(f"/avatars/{'0' * 32}.webp")).status_code == 404
    assert (await client.get("/avatars/..%2Fsecret_key")).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a but not really", "Upload a PNG, JPEG, WebP or GIF image."),
        (image("BMP"), "Upload a PNG, JPEG, WebP or GIF image."),
        (image("TIFF"), "Upload a PNG, JPEG, WebP or GIF image."),
        (b"\x89PNG" + b"\0" * (MAX_UPLOAD_BYTES + 1), "The image is larger than 2 MB"),
    ],
)
async def test_what_is_not_an_accepted_image_is_refused_clearly(
    world: World, client: Client, content: bytes, message: str
) -> None:
    await build_life(world)
    await client.login(EMAIL)
    refused = await upload(client, content)
    assert refused.status_code == 422 and message in refused.text  # type: ignore[attr-defined]


async def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    world: World, client: Client
) -> None:
    await build_life(world)
    await client.login(EMAIL)
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # 144 megapixels in a few kilobytes
    assert len(out.getvalue()) < MAX_UPLOAD_BYTES
    refused = await upload(client, out.getvalue())
    assert refused.status_code == 422 and "too many pixels" in refused.text  # type: ignore[attr-defined]


async def test_an_animated_gif_gives_its_first_frame(world: World, client: Client) -> None:
    life = await build_life(world)
    await client.login(EMAIL)
    frames = [Image.new("RGB", (80, 80), colour) for colour in ((0, 0, 255), (255, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert (await upload(client, out.getvalue(), "wave.gif")).status_code == 303  # type: ignore[attr-defined]
    async with world.unit() as session:
        digest = (await session.get(Member, life.member.id)).avatar
    served = await client.get(f"/avatars/{digest}.webp")
    with Image.open(io.BytesIO(served.content)) as got:
        assert getattr(got, "n_frames", 1) == 1
        assert got.convert("RGB").getpixel((128, 128))[2] > 200, "the first, blue frame"


async def test_removing_the_avatar_brings_back_initials_and_erasure_removes_the_file(
    world: World, client: Client, tmp_path: Path
) -> None:
    life = await build_life(world)
    await client.login(EMAIL)
    page = await client.get("/account/avatar")
    assert page.status_code == 200 and ">ZQ</text>" in page.text and 'fill="#2f5bea"' in page.text
    await upload(client, image("PNG"))
    removed = await client.submit("/account/avatar/remove", {})
    assert removed.status_code == 303
    assert list((tmp_path / "avatars").iterdir()) == [], "nobody else uses it: the file goes"
    assert ">ZQ</text>" in (await client.get(f"/u/{life.member.id}")).text
    await upload(client, image("WEBP"))
    erased = await client.submit("/account/privacy/erase", {"password": "correct horse battery"})
    assert erased.status_code == 200
    assert list((tmp_path / "avatars").iterdir()) == []
    guest_view = await client.get(f"/u/{life.member.id}")
    assert AVATAR_SRC.search(guest_view.text) is None and ">DM</text>" in guest_view.text


async def test_initials_are_in_the_brand_colour_with_readable_ink(
    world: World, client_for: object
) -> None:
    await world.tenant("sunny", domain="sunny.test", primary="#ffd400")
    await world.member("sunny", "ana.lima@example.com")
    sunny: Client = client_for("sunny.test")  # type: ignore[operator]
    await sunny.login("ana.lima@example.com")
    page = await sunny.get("/account/avatar")
    assert 'fill="#ffd400"' in page.text and 'fill="#111827"' in page.text, "dark ink on yellow"
    assert initials("Ana Lima") == "AL" and initials("bob") == "B" and initials("  ") == "?"


def test_the_ink_chosen_reads_on_any_brand_colour() -> None:
    for red in range(0, 256, 51):
        for green in range(0, 256, 51):
            for blue in range(0, 256, 51):
                colour = f"#{red:02x}{green:02x}{blue:02x}"
                ink = ink_on(colour)
                ratio = contrast(luminance_of(colour) or 0, luminance_of(ink) or 0)
                assert ratio >= 3.0, (colour, ink, ratio)  # WCAG AA for large bold text
