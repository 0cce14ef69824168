"""Ideas through the JSON API: the same rules as the pages, JSON errors with the right 4xx."""

import pytest

from community.identity.models import Role
from tests.conftest import Client, World
from tests.ideas import (
    BOARD,
    counted_votes,
    make_board,
    make_idea,
    merge,
    reload,
    set_status,
    vote,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def board(world: World) -> str:
    await make_board(world)
    return BOARD


def titles(listing: dict) -> list[str]:
    return [i["title"] for i in listing["items"]]


async def test_list_ideas_paginated_like_the_pages(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    for n in range(7):
        await make_idea(world, ann, f"Numbered idea number {n}")
    first = (await client.get("/api/v1/ideas?sort=newest")).json()
    assert first["pagination"] == {"page": 1, "pages": 2, "total": 7}, "page size is 5 in tests"
    assert titles(first) == [f"Numbered idea number {n}" for n in (6, 5, 4, 3, 2)]
    second = (await client.get("/api/v1/ideas?sort=newest&page=2")).json()
    assert titles(second) == ["Numbered idea number 1", "Numbered idea number 0"]
    item = first["items"][0]
    assert item["board"] == board and item["status"] == "new" and item["votes"] == 0
    assert item["author_id"] == ann.id and item["merged_into"] is None
    assert item["url"] == f"/ideas/{item['id']}"
    assert (await client.get("/api/v1/ideas?page=3")).status_code == 404
    assert (await client.get("/api/v1/ideas?page=0")).status_code == 400


async def test_sort_and_filter(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    popular = await make_idea(world, ann, "Popular idea with votes")
    planned = await make_idea(world, ann, "Planned idea of the lot")
    duplicate = await make_idea(world, ann, "Duplicate of the popular")
    for voter in (ann, bob):
        await vote(world, voter, popular)
    await vote(world, bob, planned)
    await set_status(world, mod, planned, "planned")
    await merge(world, mod, duplicate, popular)
    top = (await client.get("/api/v1/ideas?sort=top")).json()
    assert titles(top) == ["Popular idea with votes", "Planned idea of the lot"]
    assert [i["votes"] for i in top["items"]] == [2, 1]
    newest = (await client.get("/api/v1/ideas?sort=newest")).json()
    assert titles(newest) == ["Planned idea of the lot", "Popular idea with votes"]
    only = (await client.get("/api/v1/ideas?status=planned")).json()
    assert titles(only) == ["Planned idea of the lot"] and only["items"][0]["status"] == "planned"
    merged = (await client.get("/api/v1/ideas?status=merged")).json()
    assert [(i["id"], i["merged_into"]) for i in merged["items"]] == [(duplicate.id, popular.id)]
    bad_sort = await client.get("/api/v1/ideas?sort=loudest")
    assert bad_sort.status_code == 400 and "sort" in str(bad_sort.json())
    bad_status = await client.get("/api/v1/ideas?status=shipped")
    assert bad_status.status_code == 400 and "status" in str(bad_status.json())
    missing_board = await client.get("/api/v1/ideas?board=nope")
    assert missing_board.status_code == 404


async def test_submit_an_idea(client: Client, world: World, board: str) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    created = await client.api_post(
        "/api/v1/ideas", {"board": board, "title": "Dark mode for the dashboard", "body": "Please"}
    )
    assert created.status_code == 201, created.text
    idea = created.json()
    assert idea["title"] == "Dark mode for the dashboard" and idea["status"] == "new"
    assert idea["votes"] == 0 and idea["board"] == board
    fetched = await client.get(f"/api/v1/ideas/{idea['id']}")
    assert fetched.status_code == 200 and fetched.json() == idea
    page = await client.get(idea["url"])
    assert page.status_code == 200 and "Dark mode for the dashboard" in page.text


async def test_guests_cannot_write(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    response = await client.api_post(
        "/api/v1/ideas", {"board": board, "title": "Anonymous idea here", "body": "x"}
    )
    assert response.status_code == 401
    assert response.json() == {"status_code": 401, "detail": "Please log in first."}
    assert (await client.api_post(f"/api/v1/ideas/{idea.id}/vote", {})).status_code == 401
    assert (await reload(world, idea)).vote_count == 0


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"board": BOARD, "body": "no title"}, 400, "title"),
        ({"board": BOARD, "title": "A fine title here", "body": ""}, 400, "body"),
        ({"board": BOARD, "title": 12, "body": "x"}, 400, "title"),
        ({"board": BOARD, "title": "Short", "body": "fine body"}, 422, "title"),
        ({"board": "general", "title": "A fine title here", "body": "x"}, 422, "board"),
    ],
)
async def test_bad_input_gets_a_json_error_naming_the_field(
    client: Client, world: World, board: str, payload: dict, status: int, field: str
) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    response = await client.api_post("/api/v1/ideas", payload)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["detail"] and field in str(body.get("errors", "")) + body["detail"]
    assert (await client.get("/api/v1/ideas")).json()["pagination"]["total"] == 0


async def test_vote_and_withdraw(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await vote(world, ann, idea)
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    for _ in range(2):
        voted = await client.api_post(f"/api/v1/ideas/{idea.id}/vote", {})
        assert voted.status_code == 200 and voted.json()["votes"] == 2
    assert (await client.get(f"/api/v1/ideas/{idea.id}")).json()["votes"] == 2
    token = await client.ensure_csrf()
    withdrawn = await client.delete(f"/api/v1/ideas/{idea.id}/vote", headers={"x-csrftoken": token})
    assert withdrawn.status_code == 200 and withdrawn.json()["votes"] == 1
    again = await client.delete(f"/api/v1/ideas/{idea.id}/vote", headers={"x-csrftoken": token})
    assert again.status_code == 200 and again.json()["votes"] == 1
    assert await counted_votes(world, idea) == 1


async def test_voting_on_a_merged_idea_is_a_422(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    original = await make_idea(world, ann, "Dark mode for the dashboard")
    duplicate = await make_idea(world, ann, "Night theme please")
    await merge(world, mod, duplicate, original)
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    response = await client.api_post(f"/api/v1/ideas/{duplicate.id}/vote", {})
    assert response.status_code == 422
    assert "merged" in response.json()["detail"]
    fetched = (await client.get(f"/api/v1/ideas/{duplicate.id}")).json()
    assert fetched["status"] == "merged" and fetched["merged_into"] == original.id
    assert fetched["votes"] == 0


async def test_ideas_of_another_community_are_404(client_for, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await world.member("globex", "gus@example.com", Role.ADMIN)
    globex: Client = client_for("globex.test")
    await globex.login("gus@example.com")
    assert (await globex.get(f"/api/v1/ideas/{idea.id}")).status_code == 404
    assert (await globex.api_post(f"/api/v1/ideas/{idea.id}/vote", {})).status_code == 404
    status = await globex.api_post(
        f"/api/v1/ideas/{idea.id}/status", {"status": "done", "response": "Done elsewhere"}
    )
    assert status.status_code == 404
    assert (await globex.get("/api/v1/ideas")).json()["items"] == []
    fresh = await reload(world, idea)
    assert fresh.vote_count == 0 and fresh.status == "new"


async def test_status_is_set_by_experts_only(client_for, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await world.member("acme", "eve@example.com", Role.EXPERT)
    member: Client = client_for("acme.test")
    await member.login("ann@example.com")
    refused = await member.api_post(
        f"/api/v1/ideas/{idea.id}/status", {"status": "done", "response": "Did it myself."}
    )
    assert refused.status_code == 403
    expert: Client = client_for("acme.test")
    await expert.login("eve@example.com")
    changed = await expert.api_post(
        f"/api/v1/ideas/{idea.id}/status", {"status": "planned", "response": "In the spring."}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "planned"
    assert (await expert.get(f"/api/v1/ideas/{idea.id}")).json()["status"] == "planned"
    empty = await expert.api_post(
        f"/api/v1/ideas/{idea.id}/status", {"status": "done", "response": " "}
    )
    assert empty.status_code == 422 and "response" in empty.json()["errors"]
    merged = await expert.api_post(
        f"/api/v1/ideas/{idea.id}/status", {"status": "merged", "response": "Elsewhere."}
    )
    assert merged.status_code == 422 and "status" in merged.json()["errors"]
    unknown = await expert.api_post(
        f"/api/v1/ideas/{idea.id}/status", {"status": "shipped", "response": "Shipped."}
    )
    assert unknown.status_code == 400
    assert (await reload(world, idea)).status == "planned"


async def test_merge_through_the_api(client_for, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    original = await make_idea(world, ann, "Dark mode for the dashboard")
    duplicate = await make_idea(world, bob, "Night theme please")
    for voter in (ann, bob):
        await vote(world, voter, duplicate)
    await vote(world, ann, original)
    await world.member("acme", "eve@example.com", Role.EXPERT)
    expert: Client = client_for("acme.test")
    await expert.login("eve@example.com")
    refused = await expert.api_post(f"/api/v1/ideas/{duplicate.id}/merge", {"into": original.id})
    assert refused.status_code == 403
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    moderator: Client = client_for("acme.test")
    await moderator.login("mod@example.com")
    itself = await moderator.api_post(f"/api/v1/ideas/{original.id}/merge", {"into": original.id})
    assert itself.status_code == 422
    merged = await moderator.api_post(f"/api/v1/ideas/{duplicate.id}/merge", {"into": original.id})
    assert merged.status_code == 200, merged.text
    assert merged.json()["id"] == original.id and merged.json()["votes"] == 2
    again = await moderator.api_post(f"/api/v1/ideas/{duplicate.id}/merge", {"into": original.id})
    assert again.status_code == 422
    schema_error = await moderator.api_post(f"/api/v1/ideas/{original.id}/merge", {"into": "two"})
    assert schema_error.status_code == 400
    assert (await reload(world, duplicate)).merged_into_id == original.id
    assert await counted_votes(world, original) == 2


async def test_openapi_documents_the_idea_endpoints(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {"/api/v1/ideas", "/api/v1/ideas/{idea_id}", "/api/v1/ideas/{idea_id}/vote"} <= set(
        paths
    )
    assert {"post", "delete"} <= set(paths["/api/v1/ideas/{idea_id}/vote"])
