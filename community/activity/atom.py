"""Atom 1.0 (RFC 4287) documents of a list of threads, built with ElementTree (it escapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from community.forums.models import Post, Thread

NS = "http://www.w3.org/2005/Atom"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text:
        element.text = text
    return element


def feed(
    *, title: str, self_url: str, page_url: str, entries: list[tuple[Thread, Post, str]],
    updated: datetime,
) -> bytes:  # fmt: skip
    """`entries`: each thread with its opening post and its author's name."""
    root = ET.Element("feed", {"xmlns": NS})
    _add(root, "title", title)
    _add(root, "id", self_url)
    _add(root, "updated", _stamp(max([t.created_at for t, _, _ in entries], default=updated)))
    _add(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(root, "link", rel="alternate", type="text/html", href=page_url)
    base = page_url.split("/", 3)[:3]
    for thread, post, author in entries:
        url = "/".join(base) + f"/t/{thread.id}/{thread.slug}"
        entry = _add(root, "entry")
        _add(entry, "title", thread.title)
        _add(entry, "id", url)
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "published", _stamp(thread.created_at))
        _add(entry, "updated", _stamp(thread.last_activity_at))
        _add(_add(entry, "author"), "name", author or "?")
        _add(entry, "content", post.body_html, type="html")
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode")).encode()
