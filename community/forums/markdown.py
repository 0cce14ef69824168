"""Markdown to safe HTML, done once at write time; reads only ever serve the stored HTML.

Images load only from the community's own origin (a path such as `/static/…`): any other
image becomes a link to it, so a reader's or a moderator's browser never fetches a remote
image (a tracking pixel) by opening a page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from community.forums.mentions import MENTION, mention_key
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


def _link_mentions(state: StateCore) -> None:
    """Each `@Name` of a member (env "mentions": key to id) in plain text, outside links and
    code, becomes a link to their profile."""
    mentions: Mapping[str, int] = state.env.get("mentions") or {}
    if not mentions:
        return
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _with_mention_links(block.children, mentions)


def _with_mention_links(children: list[Token], mentions: Mapping[str, int]) -> list[Token]:
    out: list[Token] = []
    in_link = 0
    for token in children:
        in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
        if token.type != "text" or in_link:
            out.append(token)
            continue
        out.extend(_split_mentions(token.content, mentions))
    return out


def _split_mentions(text: str, mentions: Mapping[str, int]) -> list[Token]:
    tokens: list[Token] = []
    start = 0
    for match in MENTION.finditer(text):
        key = mention_key(match.group(1))
        if key not in mentions:
            continue
        end = match.start() + 1 + len(match.group(1).rstrip(".-"))
        tokens.append(_text(text[start : match.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": f"/u/{mentions[key]}"}
        tokens += [link, _text(text[match.start() : end]), Token("link_close", "a", -1)]
        start = end
    tokens.append(_text(text[start:]))
    return [t for t in tokens if t.type != "text" or t.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_markdown.core.ruler.push("mentions", _link_mentions)

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


def render_markdown(
    source: str, locale: str = SOURCE_LOCALE, mentions: Mapping[str, int] | None = None
) -> str:
    """Render member-written Markdown to HTML that is safe to store and serve as is; `locale`
    is the community's, for the words written into it (a remote image's link); `mentions`
    (see community.forums.mentions) become links to the members' profiles."""
    env: dict[str, Any] = {"locale": locale, "mentions": mentions or {}}
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
