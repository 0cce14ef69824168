"""The search service: a tenant's settings, and searches bounded by what the viewer sees."""

from __future__ import annotations

import pytest

from community.search import service
from community.search.port import SearchEngine, SearchQuery, SearchSettings
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def test_configured_synonyms_and_stop_words_apply_to_the_tenant_only(
    world: World, engine: SearchEngine
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="The Wi-Fi drops every evening")
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        stored = await service.configure(
            scope,
            SearchSettings(
                synonyms=(("wifi", " Wi-Fi ", "wifi"), ("lonely",)), stop_words=("The", " ", "the")
            ),
        )
    assert stored == SearchSettings(synonyms=(("wifi", "Wi-Fi"),), stop_words=("the",))
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        assert await service.settings(scope) == stored
        found = await service.search(scope, SearchQuery("wifi"))
        assert [hit.thread_id for hit in found.hits] == [thread.id]
        assert (await service.search(scope, SearchQuery("the"))).total == 0
    async with world.unit() as session:
        assert await service.settings(await world.scope(session, "globex")) == SearchSettings()


async def test_a_search_keeps_to_the_tenants_categories(world: World, engine: SearchEngine) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Billing address change", category="billing")
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        found = await service.search(scope, SearchQuery("billing", limit=10_000, offset=-5))
        assert [hit.thread_id for hit in found.hits] == [thread.id]
        nowhere = await service.search(scope, SearchQuery("billing", category_ids=(99_999,)))
        assert nowhere.hits == () and nowhere.total == 0
