"""Members' avatars: an uploaded image, checked and re-encoded, or their initials.

An upload is opened with Pillow only as PNG, JPEG, WebP or GIF (its first frame), refused
above `MAX_UPLOAD_BYTES` or `MAX_PIXELS` (a small file can decode to a huge bitmap), turned
upright, cropped to a centred square and written again as WebP at 256 and 64 px: nothing of
the original file (metadata, location, extra frames) survives. Files are named by the hash
of what was written, so a name never changes content and is served as immutable.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from community.db import ALL_TENANTS, after_commit
from community.errors import ValidationFailed
from community.identity.models import Member
from community.l10n import N_
from community.scope import Scope

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 24_000_000  # 6000 × 4000; beyond, decoding alone would cost too much memory
SIZES = (256, 64)
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
FILE_NAME = re.compile(r"(?P<hash>[0-9a-f]{32})(?:-(?P<size>64))?\.webp")

TOO_LARGE = N_("The image is larger than 2 MB: choose a smaller one.")
TOO_MANY_PIXELS = N_("The image has too many pixels: choose one under 24 megapixels.")
NOT_AN_IMAGE = N_("Upload a PNG, JPEG, WebP or GIF image.")
EMPTY = N_("Choose an image to upload.")


@dataclass(frozen=True)
class AvatarStore:
    """Where avatar files are kept: `settings.data_dir / "avatars"`."""

    directory: Path

    def path(self, digest: str, size: int) -> Path:
        return self.directory / file_name(digest, size)

    def write(self, digest: str, images: dict[int, bytes]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for size, content in images.items():
            target = self.path(digest, size)
            if not target.exists():
                partial = target.with_suffix(".part")
                partial.write_bytes(content)
                partial.replace(target)  # readers never see half a file

    def delete(self, digest: str) -> None:
        for size in SIZES:
            self.path(digest, size).unlink(missing_ok=True)

    def read(self, name: str) -> bytes | None:
        """The content of a served file name, or None for a name that is not one."""
        if not FILE_NAME.fullmatch(name):
            return None
        try:
            return (self.directory / name).read_bytes()
        except FileNotFoundError:
            return None


def file_name(digest: str, size: int) -> str:
    return f"{digest}.webp" if size == SIZES[0] else f"{digest}-{size}.webp"


def avatar_url(digest: str, size: int = 64) -> str:
    return f"/avatars/{file_name(digest, SIZES[0] if size > SIZES[1] else SIZES[1])}"


def re_encode(data: bytes) -> dict[int, bytes]:
    """The avatar files of an uploaded image, by size; ValidationFailed for what is not a
    small enough PNG, JPEG, WebP or GIF."""
    if not data:
        raise ValidationFailed({"avatar": EMPTY})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({"avatar": TOO_LARGE})
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationFailed({"avatar": TOO_MANY_PIXELS})
                image.seek(0)  # a GIF's or an animated WebP's first frame
                square = _square(ImageOps.exif_transpose(image) or image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationFailed({"avatar": TOO_MANY_PIXELS}) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ValidationFailed({"avatar": NOT_AN_IMAGE}) from exc
    return {size: _webp(square, size) for size in SIZES}


def _square(image: Image.Image) -> Image.Image:
    converted = image.convert("RGBA")
    side = min(converted.size)
    left, top = (converted.width - side) // 2, (converted.height - side) // 2
    return converted.crop((left, top, left + side, top + side))


def _webp(square: Image.Image, size: int) -> bytes:
    out = io.BytesIO()
    square.resize((size, size), Image.Resampling.LANCZOS).save(out, "WEBP", quality=85)
    return out.getvalue()


async def set_avatar(scope: Scope, store: AvatarStore, data: bytes) -> str:
    """The actor's new avatar; returns its hash. The one it replaces is deleted after the
    commit, unless another member uses the same image."""
    member = scope.actor
    images = re_encode(data)
    digest = hashlib.sha256(images[SIZES[0]]).hexdigest()[:32]
    store.write(digest, images)
    previous, member.avatar = member.avatar, digest
    await _delete_if_unused(scope, store, previous)
    await scope.db.flush()
    return digest


async def remove_avatar(scope: Scope, store: AvatarStore) -> None:
    await forget(scope, scope.actor, store)


async def forget(scope: Scope, member: Member, store: AvatarStore | None) -> None:
    """The member goes back to initials; their file goes once no one uses it."""
    previous, member.avatar = member.avatar, ""
    await scope.db.flush()
    if store is not None:
        await _delete_if_unused(scope, store, previous)


async def _delete_if_unused(scope: Scope, store: AvatarStore, digest: str) -> None:
    if not digest:
        return
    await scope.db.flush()
    users = await scope.db.scalar(
        select(func.count()).select_from(Member).where(Member.avatar == digest),
        execution_options=ALL_TENANTS,  # the same image may serve members of two communities
    )
    if not users:

        async def delete_file() -> None:
            store.delete(digest)

        after_commit(scope.db, delete_file)


# ---- initials -------------------------------------------------------------------------------

HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
DARK_INK, LIGHT_INK = "#111827", "#ffffff"


def initials(name: str) -> str:
    """Up to two letters: the first of the first two words ("Ana Lima" → "AL")."""
    words = [w for w in re.split(r"[\s._-]+", name) if w and w[0].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _luminance(colour: str) -> float | None:
    match = HEX_COLOUR.fullmatch(colour.strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: float, second: float) -> float:
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)


def ink_on(background: str) -> str:
    """White or near-black letters, whichever reads better on the brand colour (WCAG)."""
    luminance = _luminance(background)
    if luminance is None:
        return LIGHT_INK
    dark = _luminance(DARK_INK) or 0.0
    return LIGHT_INK if contrast(luminance, 1.0) >= contrast(luminance, dark) else DARK_INK


def brand_colour(colour: str, fallback: str = "#2f5bea") -> str:
    """The brand colour if it is a hex colour, else the default one (an SVG attribute)."""
    match = HEX_COLOUR.fullmatch(colour.strip())
    return f"#{match.group(1)}" if match else fallback
