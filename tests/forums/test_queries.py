"""The thread page costs the same number of SQL statements however long the thread is."""

from dataclasses import replace

import pytest

from community.config import Settings
from community.db import count_statements
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Pages long enough to hold all 51 posts, so every reply is rendered; the web process's
    sweep of kept jobs (every 10 s by default) must not run while statements are counted."""
    return replace(settings, page_size=100, job_sweep_seconds=3600)


async def statements_for_thread_page(app, client: Client, world: World, replies: int) -> int:
    ann = await world.member("acme", f"ann{replies}@example.com")
    thread = await world.thread("acme", ann, replies=replies)
    url = f"/t/{thread.id}/{thread.slug}"
    await client.get(url)  # warm caches (tenant resolution, templates)
    counted = count_statements(app.state.engine.sync_engine)
    before = counted()
    page = await client.get(url)
    assert page.status_code == 200
    assert page.text.count('<article class="post') == replies + 1
    return counted() - before


async def test_thread_page_queries_do_not_grow_with_replies(
    app, client: Client, world: World
) -> None:
    short = await statements_for_thread_page(app, client, world, replies=5)
    long = await statements_for_thread_page(app, client, world, replies=50)
    assert short == long
    # Four before tags, one for the thread's tags (the tags extra of THREAD_PAGE), and one
    # for whether the thread is a pinned announcement (notify's extra).
    assert short <= 6, f"{short} statements for one thread page"


async def test_logged_in_thread_page_is_also_constant(app, client: Client, world: World) -> None:
    await world.member("acme", "reader@example.com")
    await client.login("reader@example.com")
    short = await statements_for_thread_page(app, client, world, replies=5)
    long = await statements_for_thread_page(app, client, world, replies=50)
    assert short == long
