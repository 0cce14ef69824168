"""What a tenant's pages show of its brand besides colours: links in the header and footer.

Pure data read out of `tenants.theme` (no database, no request), so the cached tenant can
carry it and templates can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from community.l10n import N_

# The font stacks a brand may choose: each only names fonts already on the reader's device.
FONTS: dict[str, tuple[str, str]] = {
    "system": (N_("System (the device's own)"), "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"),
    "humanist": (N_("Humanist sans-serif"), "Seravek, 'Gill Sans Nova', Ubuntu, Calibri, 'DejaVu Sans', sans-serif"),
    "geometric": (N_("Geometric sans-serif"), "Avenir, Montserrat, Corbel, 'URW Gothic', sans-serif"),
    "serif": (N_("Serif"), "Charter, 'Bitstream Charter', 'Sitka Text', Cambria, Georgia, serif"),
    "rounded": (N_("Rounded"), "ui-rounded, 'Hiragino Maru Gothic ProN', Quicksand, Comfortaa, sans-serif"),
    "mono": (N_("Monospace"), "ui-monospace, 'Cascadia Code', Menlo, Consolas, 'DejaVu Sans Mono', monospace"),
}  # fmt: skip


def font_key(stack: str) -> str:
    """The choice a stored font stack is (a stack set before the choices existed: system)."""
    return next((key for key, (_, value) in FONTS.items() if value == stack), "system")


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Look:
    header_links: tuple[Link, ...] = ()
    footer_links: tuple[Link, ...] = ()

    @classmethod
    def of(cls, theme: dict[str, Any]) -> Look:
        return cls(_links(theme.get("header_links")), _links(theme.get("footer_links")))


def _links(stored: Any) -> tuple[Link, ...]:
    if not isinstance(stored, list):
        return ()
    return tuple(
        Link(str(item[0]), str(item[1]))
        for item in stored
        if isinstance(item, list) and len(item) == 2
    )
