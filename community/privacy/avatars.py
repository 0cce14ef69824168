"""Members' avatars: an uploaded image, checked and re-encoded, or their initials.

An upload is checked by `community.imaging` (type, size, pixels), cropped to a centred
square and written again as WebP at 256 and 64 px: nothing of the original file survives. Files are named by the hash
of what was written, so a name never changes content and is served as immutable.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from community.colours import HEX_COLOUR, contrast, luminance_of
from community.db import ALL_TENANTS, after_commit
from community.identity.models import Member
from community.imaging import decoded, encoded, square
from community.scope import Scope

SIZES = (256, 64)
FILE_NAME = re.compile(r"(?P<hash>[0-9a-f]{32})(?:-(?P<size>64))?\.webp")


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


def re_encode(data: bytes, declared_type: str = "") -> dict[int, bytes]:
    """The avatar files of an uploaded image, by size; ValidationFailed for what is not a
    small enough PNG, JPEG, WebP or GIF."""
    cropped = square(decoded(data, "avatar", declared_type))
    return {size: _webp(cropped, size) for size in SIZES}


def _webp(cropped: Image.Image, size: int) -> bytes:
    return encoded(cropped.resize((size, size), Image.Resampling.LANCZOS), "WEBP", quality=85)


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

DARK_INK, LIGHT_INK = "#111827", "#ffffff"


def initials(name: str) -> str:
    """Up to two letters: the first of the first two words ("Ana Lima" → "AL")."""
    words = [w for w in re.split(r"[\s._-]+", name) if w and w[0].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def ink_on(background: str) -> str:
    """White or near-black letters, whichever reads better on the brand colour (WCAG)."""
    luminance = luminance_of(background)
    if luminance is None:
        return LIGHT_INK
    dark = luminance_of(DARK_INK) or 0.0
    return LIGHT_INK if contrast(luminance, 1.0) >= contrast(luminance, dark) else DARK_INK


def brand_colour(colour: str, fallback: str = "#2f5bea") -> str:
    """The brand colour if it is a hex colour, else the default one (an SVG attribute)."""
    match = HEX_COLOUR.fullmatch(colour.strip())
    return f"#{match.group(1)}" if match else fallback
