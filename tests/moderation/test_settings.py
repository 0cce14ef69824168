"""A community admin sets the moderation rules from /admin/moderation."""

import pytest

from community.identity.models import Role
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

RULES = {
    "flag_threshold": "2",
    "premoderate_first_posts": "0",
    "new_member_posts": "0",
    "posts_per_minute": "100",
    "claim_minutes": "30",
    "review_hours": "6",
    "abusive_words": "Gredin\nmalandrin",
    "blocked_domains": "www.spam.example",
}


async def test_admin_sets_words_domains_and_premoderated_categories(
    app, client: Client, world: World
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await world.member("acme", "ann@example.com")
    await client.login("boss@example.com")
    form = await client.get("/admin/moderation")
    billing_id = form.text.split('name="premoderated" value="')[2].split('"')[0]
    saved = await client.submit("/admin/moderation", RULES | {"premoderated": billing_id})
    assert saved.status_code == 303
    shown = await client.get("/admin/moderation")
    assert "gredin\nmalandrin" in shown.text and "spam.example" in shown.text
    app.state.tenants.forget()

    await client.submit("/logout", {})
    await client.login("ann@example.com")
    ann = client
    await ann.submit("/ask", {"category": "general", "kind": "question",
                              "title": "Which router do you use?", "body": "Quel g-r-e-d-i-n... GREDIN!"})  # fmt: skip
    await ann.submit("/ask", {"category": "general", "kind": "question",
                              "title": "Where do I buy spare cables?", "body": "See https://shop.spam.example/x"})  # fmt: skip
    await ann.submit("/ask", {"category": "billing", "kind": "question",
                              "title": "Why is my invoice late?", "body": "It usually comes on the 1st."})  # fmt: skip
    await ann.submit("/logout", {})
    await client.login("boss@example.com")
    queue = (await client.get("/mod/queue")).text
    assert "Abusive language" in queue and "Blocked domain" in queue
    assert "Pre-moderated category" in queue


async def test_bad_settings_are_shown_with_the_problem(client: Client, world: World) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await client.login("boss@example.com")
    response = await client.submit(
        "/admin/moderation", RULES | {"flag_threshold": "0", "blocked_domains": "not a domain"}
    )
    assert response.status_code == 422
    assert "Enter a whole number from 1 to 100." in response.text
    assert "One domain per line, such as spam.example." in response.text
    assert "not a domain" in response.text, "what was typed is kept"


async def test_only_admins_change_moderation_rules(client: Client, world: World) -> None:
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    await client.login("mod@example.com")
    assert (await client.get("/admin/moderation")).status_code == 403
    assert (await client.submit("/admin/moderation", RULES)).status_code == 403
