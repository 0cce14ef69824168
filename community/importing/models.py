"""What an import brought in: one row per imported source row, keyed by where it came from.

The key (tenant, site, kind, source id) makes an import idempotent and resumable: a row
already recorded is never written again. The record also carries what the licence asks to
show with the content (its original author and licence) and the source's notices (closed,
duplicate of), which the thread page reads instead of new columns on posts and threads.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, string_enum, utcnow


class SourceKind(enum.StrEnum):
    USER = "user"
    QUESTION = "question"  # target: the thread; post_id: its opening post
    ANSWER = "answer"  # target: the post
    COMMENT = "comment"  # target: the post (a reply marked as a comment)
    VOTE = "vote"  # target: the vote, or none when it counted no score (favourites…)
    TAG = "tag"
    BADGE = "badge"
    LINK = "link"  # a duplicate link: details name the thread it duplicates


class ImportRecord(TenantOwned, Base):
    __tablename__ = "import_records"
    __table_args__ = (
        UniqueConstraint("tenant_id", "site", "kind", "source_id"),
        Index("ix_import_records_post", "post_id"),
        Index("ix_import_records_source", "tenant_id", "kind", "source_id"),  # old URLs
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(200))  # "french.meta.stackexchange.com"
    kind: Mapped[SourceKind] = mapped_column(string_enum(SourceKind))
    source_id: Mapped[int]
    target_id: Mapped[int | None] = mapped_column(default=None)
    # The post the record shows on (questions, answers and comments), for attribution.
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), default=None
    )
    author_name: Mapped[str] = mapped_column(String(120), default="")
    licence: Mapped[str] = mapped_column(String(40), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
