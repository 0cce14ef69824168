"""Page arithmetic shared by every paginated list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_count(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


def page_of(position: int, page_size: int) -> int:
    """The page (from 1) on which the item at `position` (from 1) appears."""
    return (position - 1) // page_size + 1


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return page_count(self.total, self.size)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size
