"""Community admins set up categories and idea boards on /admin/categories."""

import re

import pytest

from community.forums import services as forums
from community.forums.models import Category, ThreadKind
from community.identity.models import Role
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def admin_client(client: Client, world: World, tenant: str = "acme") -> Client:
    await world.member(tenant, f"boss@{tenant}.test", Role.ADMIN)
    await client.login(f"boss@{tenant}.test")
    return client


async def category_id(world: World, slug: str, tenant: str = "acme") -> int:
    async with world.unit() as session:
        scope = await world.scope(session, tenant)
        return (await forums.get_category(scope, slug)).id


def home_order(html: str) -> list[str]:
    sidebar = html[html.index('id="categories-heading"') :]
    return re.findall(r'<a href="/c/([a-z0-9-]+)">', sidebar)


async def test_an_admin_creates_a_category_and_an_idea_board(client: Client, world: World) -> None:
    await admin_client(client, world)
    made = await client.submit(
        "/admin/categories",
        {"name": "Announcements", "description": "News from Acme", "kind": "discussions",
         "posting": "staff", "premoderated": "1"},
    )  # fmt: skip
    assert made.status_code == 303 and made.headers["location"] == "/admin/categories?saved=created"
    board = await client.submit("/admin/categories", {"name": "Product ideas", "kind": "ideas"})
    assert board.status_code == 303
    page = await client.get("/admin/categories?saved=created")
    assert "The category was created." in page.text
    assert "/c/announcements" in page.text and "staff only" in page.text
    assert "pre-moderated" in page.text and "/c/product-ideas" in page.text
    ideas = await client.get("/ideas?board=product-ideas")
    assert ideas.status_code == 200 and "Product ideas" in ideas.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Give the category a name."),
        ({"name": "x" * 121}, "name", "The name is 120 characters at most."),
        ({"name": "General again", "slug": "general"}, "slug", "Another category already has"),
        ({"name": "Bad", "slug": "Not a slug!"}, "slug", "lowercase letters, digits and dashes"),
        ({"name": "Bad", "kind": "chat"}, "kind", "Choose questions, discussions"),
        ({"name": "Bad", "description": "d" * 501}, "description", "500 characters at most"),
    ],
)
async def test_bad_input_shows_the_form_again_with_the_field_marked(
    client: Client, world: World, fields: dict[str, str], field: str, message: str
) -> None:
    await admin_client(client, world)
    page = await client.submit("/admin/categories", fields)
    assert page.status_code == 422
    assert message in page.text
    assert f'id="new-category-{field}-error"' in page.text
    assert 'aria-invalid="true"' in page.text
    if fields.get("name"):
        assert f'value="{fields["name"]}"' in page.text  # what was typed stays


async def test_editing_changes_the_category_and_keeps_its_threads(
    client: Client, world: World
) -> None:
    await admin_client(client, world)
    member = await world.member("acme", "ann@acme.test")
    thread = await world.thread("acme", member)
    billing = await category_id(world, "general")
    edit = await client.get(f"/admin/categories/{billing}")
    assert 'value="General"' in edit.text
    saved = await client.submit(
        f"/admin/categories/{billing}", {"name": "Help", "slug": "help", "kind": "questions"}
    )
    assert saved.status_code == 303
    category = await client.get("/c/help")
    assert category.status_code == 200 and thread.title in category.text
    refused = await client.submit(f"/admin/categories/{billing}", {"name": "Help", "kind": "ideas"})
    assert refused.status_code == 422 and "cannot become an idea board" in refused.text


async def test_reordering_changes_the_home_page_order(client: Client, world: World) -> None:
    await admin_client(client, world)
    assert home_order((await client.get("/")).text) == ["general", "billing"]
    billing = await category_id(world, "billing")
    moved = await client.submit(f"/admin/categories/{billing}/move", {"step": "up"})
    assert moved.status_code == 303
    assert home_order((await client.get("/")).text) == ["billing", "general"]


async def test_an_archived_category_is_readable_but_takes_no_new_threads(
    client: Client, world: World, client_for
) -> None:
    await admin_client(client, world)
    member = await world.member("acme", "ann@acme.test")
    thread = await world.thread("acme", member)
    general = await category_id(world, "general")
    await client.submit(f"/admin/categories/{general}/archive", {"archived": "1"})
    reader = client_for("acme.test")
    page = await reader.get("/c/general")
    assert page.status_code == 200 and thread.title in page.text
    assert "takes no new threads" in page.text and "/ask?category=general" not in page.text
    assert (await reader.get(thread_url := f"/t/{thread.id}/{thread.slug}")).status_code == 200
    await reader.login("ann@acme.test")
    ask = await reader.get("/ask")
    assert 'value="general"' not in ask.text and 'value="billing"' in ask.text
    refused = await reader.submit(
        "/ask", {"category": "general", "kind": "question", "title": "Is it archived?",
                 "body": "Tell me."},
    )  # fmt: skip
    assert refused.status_code == 422 and "archived" in refused.text
    reply = await reader.submit(f"/t/{thread.id}/reply", {"body": "Replies still go in."})
    assert reply.status_code == 303 and thread_url in reply.headers["location"]
    await client.submit(f"/admin/categories/{general}/archive", {"archived": ""})
    reopened = await reader.submit(
        "/ask", {"category": "general", "kind": "question", "title": "Open again now?",
                 "body": "Yes."},
    )  # fmt: skip
    assert reopened.status_code == 303


async def test_staff_only_categories_take_threads_from_staff_alone(
    client: Client, world: World, client_for
) -> None:
    await admin_client(client, world)
    await client.submit(
        "/admin/categories", {"name": "News", "kind": "discussions", "posting": "staff"}
    )
    member = await world.member("acme", "ann@acme.test")
    expert = await world.member("acme", "eve@acme.test", Role.EXPERT)
    with pytest.raises(Exception, match="Only the community's staff"):
        await world.thread("acme", member, "Can members post here?", category="news",
                           kind=ThreadKind.DISCUSSION)  # fmt: skip
    news = await world.thread("acme", expert, "Our spring release is out", category="news",
                              kind=ThreadKind.DISCUSSION)  # fmt: skip
    ann = client_for("acme.test")
    await ann.login("ann@acme.test")
    assert "/ask?category=news" not in (await ann.get("/c/news")).text
    assert 'value="news"' not in (await ann.get("/ask")).text
    refused = await ann.submit(
        "/ask", {"category": "news", "kind": "discussion", "title": "Members post here?",
                 "body": "Try."},
    )  # fmt: skip
    assert refused.status_code == 403
    comment = await ann.submit(f"/t/{news.id}/reply", {"body": "Great news!"})
    assert comment.status_code == 303


async def test_question_and_discussion_categories_take_their_kind(world: World) -> None:
    member = await world.member("acme", "ann@acme.test")
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        session.add(Category(slug="help", name="Help", kind="questions"))
        session.add(Category(slug="lounge", name="Lounge", kind="discussions"))
    with pytest.raises(Exception, match="takes questions, not discussions"):
        await world.thread("acme", member, "Let us chat about it", category="help",
                           kind=ThreadKind.DISCUSSION)  # fmt: skip
    with pytest.raises(Exception, match="takes discussions, not questions"):
        await world.thread("acme", member, "How do I do this?", category="lounge")
    asked = await world.thread("acme", member, "How do I do this?", category="help")
    assert asked.kind == ThreadKind.QUESTION
    assert scope.tenant.slug == "acme"


async def test_members_and_moderators_cannot_set_up_categories(
    client: Client, world: World
) -> None:
    await world.member("acme", "mod@acme.test", Role.MODERATOR)
    await client.login("mod@acme.test")
    assert (await client.get("/admin/categories")).status_code == 403
    refused = await client.submit("/admin/categories", {"name": "Sneaky"})
    assert refused.status_code == 403
    assert "/c/sneaky" not in (await client.get("/")).text


async def test_an_admin_cannot_touch_another_communitys_category(
    client: Client, world: World
) -> None:
    await admin_client(client, world)
    theirs = await category_id(world, "general", tenant="globex")
    assert (await client.get(f"/admin/categories/{theirs}")).status_code == 404
    renamed = await client.submit(f"/admin/categories/{theirs}", {"name": "Mine now"})
    assert renamed.status_code == 404
    archived = await client.submit(f"/admin/categories/{theirs}/archive", {"archived": "1"})
    assert archived.status_code == 404
    assert "Mine now" not in (await client.get("/")).text


async def test_every_change_is_in_the_audit_log(client: Client, world: World) -> None:
    await admin_client(client, world)
    await client.submit("/admin/categories", {"name": "Announcements"})
    made = await category_id(world, "announcements")
    await client.submit(f"/admin/categories/{made}", {"name": "News", "slug": "news"})
    await client.submit(f"/admin/categories/{made}/move", {"step": "up"})
    await client.submit(f"/admin/categories/{made}/archive", {"archived": "1"})
    await client.submit(f"/admin/categories/{made}/archive", {"archived": ""})
    log = (await client.get("/admin/audit?action=category")).text
    for action in ("category.create", "category.update", "category.reorder",
                   "category.archive", "category.unarchive"):  # fmt: skip
        assert f"<code>{action}</code>" in log
    assert '"name": "Announcements"' in log and '"name": "News"' in log
