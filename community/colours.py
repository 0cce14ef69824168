"""Colours as the WCAG reads them: relative luminance and contrast ratio of hex colours."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def normalised(colour: str) -> str | None:
    """`#rrggbb` in lowercase, or None for what is not a hex colour."""
    match = HEX_COLOUR.fullmatch(colour.strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return f"#{digits.lower()}"


def luminance_of(colour: str) -> float | None:
    hex_colour = normalised(colour)
    if hex_colour is None:
        return None
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: float, second: float) -> float:
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two hex colours (1 to 21); 1 when either is not one."""
    a, b = luminance_of(first), luminance_of(second)
    return 1.0 if a is None or b is None else contrast(a, b)
