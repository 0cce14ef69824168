"""Markdown to safe HTML, done once at write time; reads only ever serve the stored HTML.

Images load only from the community's own origin (a path such as `/static/…`): any other
image becomes a link to it, so a reader's or a moderator's browser never fetches a remote
image (a tracking pixel) by opening a page."""

from __future__ import annotations

from collections.abc import Sequence
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from community.l10n import N_, SOURCE_LOCALE, localizer

IMAGE_LINK = N_("image: %(name)s")


def is_own_origin(url: str) -> bool:
    """A relative URL, which the browser resolves on the page's own origin. Backslashes and
    a leading `//` are refused: browsers read `/\\host` and `//host` as another host."""
    try:
        parts = urlsplit(url)
    except ValueError:  # a bracketed host that does not parse: not ours, whatever it is
        return False
    return not (parts.scheme or parts.netloc or url.startswith("//") or "\\" in url)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _image_or_link(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    source = str(token.attrGet("src") or "")
    if is_own_origin(source):
        return renderer.image(tokens, idx, options, env)
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    name = alt or _host(source) or source
    label = localizer(env.get("locale", SOURCE_LOCALE)).gettext(IMAGE_LINK, name=name)
    return f'<a href="{escapeHtml(source)}">{escapeHtml(label)}</a>'


# "js-default" escapes raw HTML instead of passing it through; nh3 then sanitises what remains.
_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_markdown.add_render_rule("image", _image_or_link)

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str, locale: str = SOURCE_LOCALE) -> str:
    """Render member-written Markdown to HTML that is safe to store and serve as is; `locale`
    is the community's, for the words written into it (a remote image's link)."""
    env: dict[str, Any] = {"locale": locale}
    return sanitise_html(_markdown.render(source, env))


def sanitise_html(html: str) -> str:
    """HTML that is safe to store and serve as is: what every post goes through, whether
    rendered from Markdown here or brought in as HTML (an imported post)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
        attribute_filter=_own_images_only,
    )


def _own_images_only(tag: str, attribute: str, value: str) -> str | None:
    """The sanitiser's second check: no image source from elsewhere survives, whatever the
    renderer did."""
    if tag == "img" and attribute == "src" and not is_own_origin(value):
        return None
    return value


def plain_text(html: str) -> str:
    """The words of stored post HTML, without markup: what search indexes and quotes."""
    text = nh3.clean(html, tags=set(), attributes={}, strip_comments=True)
    return " ".join(unescape(text).split())
