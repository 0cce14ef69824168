"""JSON API of tags, under /api/v1/tags."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from community.scope import Scope
from community.tags import services as tags
from community.tags.models import Tag
from community.web.openapi import PUBLIC_READ


class TagOut(msgspec.Struct):
    slug: str
    name: str
    description: str
    thread_count: int
    url: str

    @classmethod
    def of(cls, tag: Tag) -> TagOut:
        return cls(tag.slug, tag.name, tag.description, tag.thread_count, f"/tags/{tag.slug}")


class TagList(msgspec.Struct):
    items: list[TagOut]


class TagsApi(Controller):
    path = "/api/v1/tags"
    tags = ["tags"]

    @get("/", **PUBLIC_READ)
    async def list_tags(self, here: NamedDependency[Scope]) -> TagList:
        """Every tag of this community, by name, with how many threads carry it."""
        return TagList([TagOut.of(tag) for tag in await tags.list_tags(here)])
