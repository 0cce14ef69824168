"""Reading a Stack Exchange data dump: one `<row …/>` at a time, whatever the file's size.

The dump's files are `<root><row Attr="…"/>…</root>`, UTF-8, often with a byte-order mark
(expat reads it). Attributes differ between sites and years (`ContentLicense`, `Age`,
`BountyAmount`…): rows are plain dicts, and every reader asks for what it needs by name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from community.errors import ValidationFailed
from community.l10n import N_

Row = dict[str, str]

FILES = ("Users", "Tags", "Posts", "PostHistory", "Comments", "Votes", "PostLinks", "Badges")
BROKEN_FILE = N_("%(file)s is not a readable dump file: %(problem)s")


class BrokenDump(ValidationFailed):
    """A dump file that is not well-formed XML: nothing of it is trusted."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__({"dir": BROKEN_FILE % {"file": path.name, "problem": problem}})


def rows(path: Path) -> Iterator[Row]:
    """The rows of one dump file in file order; none when the site's dump lacks the file."""
    if not path.is_file():
        return
    root = None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = element
            elif event == "end" and element.tag == "row":
                yield dict(element.attrib)
                root.clear()  # keep memory flat: drop each row once read
    except ET.ParseError as exc:
        raise BrokenDump(path, str(exc)) from exc


def number(row: Row, name: str) -> int | None:
    """An integer attribute, or None when absent or not a number."""
    value = row.get(name, "")
    try:
        return int(value)
    except ValueError:
        return None


def moment(row: Row, name: str) -> datetime | None:
    """A dump date ("2011-08-17T20:18:56.507", UTC without a zone) as an aware datetime."""
    value = row.get(name, "")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def tag_names(value: str) -> list[str]:
    """A post's tags, in either spelling the dumps use: `<a><b>` (old) or `|a|b|` (2023+)."""
    if value.startswith("<"):
        return [name for name in value.strip("<>").split("><") if name]
    return [name for name in value.split("|") if name]
