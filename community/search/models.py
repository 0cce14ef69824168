"""What search keeps in the application database, on every engine: the index queue and
each tenant's search settings (synonyms, stop words)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, TenantOwned, utcnow


class SearchQueueItem(TenantOwned, Base):
    """A thread whose search document may have changed: written in the transaction of the
    change, taken (leased) by the `search_index` job, deleted once the engine has it."""

    __tablename__ = "search_queue"
    __table_args__ = (Index("ix_search_queue_tenant_lease", "tenant_id", "lease_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int]  # no foreign key: a thread deleted for good is removed from search
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)


class SearchSettingsRow(TenantOwned, Base):
    __tablename__ = "search_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # [["wifi", "wi-fi"], …] and ["the", …]
    synonyms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    stop_words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
