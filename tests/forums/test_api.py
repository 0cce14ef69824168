"""The JSON API: same rules as the pages, JSON errors with the right 4xx."""

import pytest

from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def test_list_threads_paginated(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    for n in range(6):
        await world.thread("acme", ann, title=f"API listed question {n}")
    first = (await client.get("/api/v1/threads")).json()
    second = (await client.get("/api/v1/threads?page=2")).json()
    assert first["pagination"] == {"page": 1, "pages": 2, "total": 6}
    assert [t["title"] for t in first["items"]][:2] == [
        "API listed question 5",
        "API listed question 4",
    ]
    assert len(second["items"]) == 1
    item = first["items"][0]
    assert item["author"]["name"] == "Ann" and item["category"] == "general"
    assert item["url"].startswith(f"/t/{item['id']}/")


async def test_filter_by_category(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.thread("acme", ann, title="A general question", category="general")
    await world.thread("acme", ann, title="A billing question", category="billing")
    listed = (await client.get("/api/v1/threads?category=billing")).json()
    assert [t["title"] for t in listed["items"]] == ["A billing question"]
    missing = await client.get("/api/v1/threads?category=nope")
    assert missing.status_code == 404 and missing.json()["detail"] == "No such category."


async def test_create_thread_and_reply(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    created = await client.api_post(
        "/api/v1/threads",
        {
            "category": "billing",
            "title": "Invoice shows two lines",
            "body": "Why **two**?",
            "kind": "question",
        },
    )
    assert created.status_code == 201, created.text
    thread = created.json()
    assert thread["title"] == "Invoice shows two lines" and thread["reply_count"] == 0
    replied = await client.api_post(
        f"/api/v1/threads/{thread['id']}/posts", {"body": "Because *reasons*"}
    )
    assert replied.status_code == 201
    assert replied.json()["number"] == 2
    assert replied.json()["body_html"] == "<p>Because <em>reasons</em></p>\n"
    fetched = (await client.get(f"/api/v1/threads/{thread['id']}")).json()
    assert [p["number"] for p in fetched["posts"]] == [1, 2]
    assert fetched["thread"]["reply_count"] == 1


async def test_writing_needs_a_logged_in_member(client: Client, world: World) -> None:
    response = await client.api_post(
        "/api/v1/threads", {"category": "general", "title": "Anonymous question", "body": "x"}
    )
    assert response.status_code == 401
    assert response.json() == {"status_code": 401, "detail": "Please log in first."}


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"category": "general", "title": "Too short", "body": ""}, 400, "body"),
        ({"category": "general", "body": "no title"}, 400, "title"),
        ({"category": "general", "title": "Short", "body": "fine body"}, 422, "title"),
        (
            {"category": "general", "title": "A fine title here", "body": "x", "kind": "rant"},
            400,
            "kind",
        ),
    ],
)
async def test_bad_input_gets_a_json_error_naming_the_field(
    client: Client, world: World, payload: dict, status: int, field: str
) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    response = await client.api_post("/api/v1/threads", payload)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["detail"]
    assert field in str(body.get("errors", "")) + body["detail"]


async def test_unknown_category_on_create_is_404(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    response = await client.api_post(
        "/api/v1/threads", {"category": "nope", "title": "A fine title here", "body": "x"}
    )
    assert response.status_code == 404 and response.json()["detail"] == "No such category."


async def test_missing_thread_and_bad_page_are_json_errors(client: Client, world: World) -> None:
    missing = await client.get("/api/v1/threads/999999")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "This thread does not exist or was deleted."
    bad_page = await client.get("/api/v1/threads?page=0")
    assert bad_page.status_code == 400 and "page" in str(bad_page.json())
    malformed = await client.post(
        "/api/v1/threads", content=b"{not json", headers={"x-csrftoken": await client.ensure_csrf()}
    )
    assert malformed.status_code in {400, 401}


async def test_openapi_schema_documents_the_api(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert {
        "/api/v1/threads",
        "/api/v1/threads/{thread_id}",
        "/api/v1/threads/{thread_id}/posts",
    } <= set(paths)
    assert "/health" in paths
    assert not any(p.startswith(("/t/", "/login", "/ask")) for p in paths), "HTML pages are not API"
