"""An imported post's body: the dump's HTML made safe, and its Markdown source if known."""

from __future__ import annotations

import re
from html import escape, unescape

from community.forums.markdown import is_own_origin, plain_text, sanitise_html

_IMG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")


def _attributes(text: str) -> dict[str, str]:
    return {name.lower(): unescape(value.strip("\"'")) for name, value in _ATTRIBUTE.findall(text)}


def _image_as_link(match: re.Match[str]) -> str:
    attributes = _attributes(match.group(1))
    source = attributes.get("src", "")
    if not source or is_own_origin(source):
        return match.group(0)  # the sanitiser decides
    label = attributes.get("alt") or source
    return f'<a href="{escape(source)}">{escape(label)}</a>'


def safe_html(html: str) -> str:
    """The dump's HTML through the sanitiser every post goes through; remote images (all of
    a dump's, on imgur and the like) become links to them, as in a member's post."""
    return sanitise_html(_IMG.sub(_image_as_link, html))


def source_text(markdown: str | None, html: str) -> str:
    """What an edit starts from: the post's Markdown from the dump's history, else its
    words (a post the history does not cover loses its formatting when edited)."""
    return markdown if markdown else plain_text(html)
