"""What the rest of the site asks of an import: where an old Stack Exchange URL now lives,
and what to show with imported content (its author, its licence, its source's notices)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from community.errors import NotFound
from community.forums.models import Thread
from community.importing.models import ImportRecord, SourceKind
from community.l10n import N_
from community.scope import Scope

NOT_IMPORTED = N_("Nothing imported has this address.")
LICENCES = {
    "CC BY-SA 2.5": "https://creativecommons.org/licenses/by-sa/2.5/",
    "CC BY-SA 3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}
# Dumps without ContentLicense predate 2018: their content was under CC BY-SA 3.0.
DEFAULT_LICENCE = "CC BY-SA 3.0"
SOURCE_PATHS = {
    SourceKind.QUESTION: "q",
    SourceKind.ANSWER: "a",
    SourceKind.COMMENT: "posts/comments",
}


@dataclass(frozen=True)
class Origin:
    """Where an imported post came from, as its licence asks it to be credited."""

    author_name: str  # as the source named its author ("" : the post's member's name)
    licence: str
    licence_url: str
    original_url: str
    comment_on: int | None  # a comment: the number of the post it comments on
    comment_on_post: int | None  # … and that post's id


@dataclass(frozen=True)
class ThreadNotices:
    closed_at: str = ""
    duplicate_of: Thread | None = None


def origin_of(record: ImportRecord) -> Origin:
    licence = record.licence or DEFAULT_LICENCE
    comment = record.kind == SourceKind.COMMENT
    on, on_post = (record.details.get(k) if comment else None for k in ("on", "on_post"))
    return Origin(
        author_name=record.author_name,
        licence=licence,
        licence_url=LICENCES.get(licence, LICENCES[DEFAULT_LICENCE]),
        original_url=f"https://{record.site}/{SOURCE_PATHS[record.kind]}/{record.source_id}",
        comment_on=on if isinstance(on, int) else None,
        comment_on_post=on_post if isinstance(on_post, int) else None,
    )


IMPORTED = "imported"  # tenants.preferences: the community holds imported content


def holds_imports(scope: Scope) -> bool:
    """Whether the community imported anything: the others' thread pages ask nothing more."""
    return bool(scope.tenant.preferences.get(IMPORTED))


@dataclass(frozen=True)
class ImportedPage:
    origins: dict[int, Origin]  # post id -> where the post came from
    notices: ThreadNotices | None


async def imported_page(scope: Scope, thread: Thread, post_ids: Sequence[int]) -> ImportedPage:
    """The origins of a thread page's imported posts and the thread's notices, read at once."""
    records = list(
        await scope.db.scalars(
            select(ImportRecord).where(
                (ImportRecord.post_id.in_(post_ids) & ImportRecord.kind.in_(tuple(SOURCE_PATHS)))
                | (
                    (ImportRecord.target_id == thread.id)
                    & ImportRecord.kind.in_((SourceKind.QUESTION, SourceKind.LINK))
                )
            )
        )
    )
    origins = {
        r.post_id: origin_of(r)
        for r in records
        if r.post_id in post_ids and r.kind in SOURCE_PATHS and r.post_id is not None
    }
    return ImportedPage(origins, await _notices(scope, thread, records))


async def _notices(
    scope: Scope, thread: Thread, records: list[ImportRecord]
) -> ThreadNotices | None:
    """What the source said of the thread: closed (when), duplicate of (which thread)."""
    mine = [r for r in records if r.target_id == thread.id]
    questions = (r for r in mine if r.kind == SourceKind.QUESTION)
    closed = next((str(r.details.get("closed_at", "")) for r in questions), "")
    duplicates = (r.details.get("duplicate_of") for r in mine if r.kind == SourceKind.LINK)
    original_id = next(duplicates, None)
    original = await scope.get(Thread, original_id) if isinstance(original_id, int) else None
    if not closed and original is None:
        return None
    return ThreadNotices(closed_at=closed[:10], duplicate_of=original)


async def old_address(scope: Scope, kind: SourceKind, source_id: int) -> str:
    """Where the Stack Exchange question, answer or comment `source_id` is now."""
    record = await scope.db.scalar(
        select(ImportRecord)
        .where(ImportRecord.kind == kind, ImportRecord.source_id == source_id)
        .order_by(ImportRecord.id)
        .limit(1)
    )
    if record is None or record.target_id is None:
        raise NotFound(NOT_IMPORTED)
    if kind == SourceKind.QUESTION:
        thread = await scope.one(Thread, record.target_id, NOT_IMPORTED)
        return f"/t/{thread.id}/{thread.slug}"
    return f"/p/{record.target_id}"
