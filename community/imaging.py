"""Uploaded images, checked before anything keeps them: avatars, brand logos and favicons.

An upload is opened with Pillow only as PNG, JPEG, WebP or GIF (its first frame), refused
above `MAX_UPLOAD_BYTES` or `MAX_PIXELS` (a small file can decode to a huge bitmap), and
turned upright; callers then write it again in a format of their own, so nothing of the
original file (metadata, location, extra frames, a script in a polyglot) survives.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from community.errors import ValidationFailed
from community.l10n import N_

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 24_000_000  # 6000 × 4000; beyond, decoding alone would cost too much memory
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
MEDIA_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}

TOO_LARGE = N_("The image is larger than 2 MB: choose a smaller one.")
TOO_MANY_PIXELS = N_("The image has too many pixels: choose one under 24 megapixels.")
NOT_AN_IMAGE = N_("Upload a PNG, JPEG, WebP or GIF image.")
NO_SVG = N_(
    "SVG images are not accepted (they can carry scripts): upload a PNG, JPEG, WebP or GIF image."
)
LIES = N_(
    "The file says it is one type of image but holds another: export it again as PNG, JPEG, WebP or GIF."
)
EMPTY = N_("Choose an image to upload.")


def decoded(data: bytes, field: str, declared_type: str = "") -> Image.Image:
    """The upload's first frame, upright and fully decoded (RGBA); ValidationFailed on `field`
    for what is not a small enough PNG, JPEG, WebP or GIF, or not the type it was sent as."""
    if not data:
        raise ValidationFailed({field: EMPTY})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({field: TOO_LARGE})
    if _looks_like_svg(data) or declared_type.startswith("image/svg"):
        raise ValidationFailed({field: NO_SVG})
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationFailed({field: TOO_MANY_PIXELS})
                claimed = MEDIA_TYPES.get(declared_type.lower())
                if claimed is not None and claimed != image.format:
                    raise ValidationFailed({field: LIES})
                image.seek(0)  # a GIF's or an animated WebP's first frame
                return (ImageOps.exif_transpose(image) or image).convert("RGBA")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationFailed({field: TOO_MANY_PIXELS}) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ValidationFailed({field: NOT_AN_IMAGE}) from exc


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def square(image: Image.Image) -> Image.Image:
    """The centred square of the image."""
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()
