"""Input bounds and text hygiene on the forum's pages and API: a clear 4xx, never a 500."""

import pytest

from community.inputs import MAX_ID
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

CONTROL = "Remove the control characters (such as NUL) from this text."
NO_WORDS = "Write a title with words in it."
ASK = {"category": "general", "kind": "question", "body": "Kept text"}


@pytest.mark.parametrize(
    "title", ["\u200b\u200c\u200d\u2060\ufeff" * 3, "\u202e\u2066\u200f" * 4, "!!! ??? ***"]
)
async def test_a_title_without_words_is_refused(client: Client, world: World, title: str) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    page = await client.submit("/ask", ASK | {"title": title})
    assert page.status_code == 422
    assert NO_WORDS in page.text and "Kept text" in page.text
    api = await client.api_post("/api/v1/threads", ASK | {"title": title})
    assert api.status_code == 422
    assert api.json()["errors"] == {"title": NO_WORDS}


async def test_a_title_is_stored_as_a_reader_sees_it(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    typed = "\u202eＲｅｓｅｔ\u200b my\trouter\u2066 please\u2069"
    created = await client.api_post("/api/v1/threads", ASK | {"title": typed})
    assert created.status_code == 201, created.text
    assert created.json()["title"] == "Reset my router please"
    assert "/reset-my-router-please" in created.json()["url"]


@pytest.mark.parametrize("field", ["title", "body"])
async def test_a_nul_in_a_post_is_refused_by_name(client: Client, world: World, field: str) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    values = ASK | {"title": "A title long enough", field: "Reset my\x00 router"}
    page = await client.submit("/ask", values)
    assert page.status_code == 422 and CONTROL in page.text
    api = await client.api_post("/api/v1/threads", values)
    assert api.status_code == 422
    assert api.json()["errors"] == {field: CONTROL}


async def test_a_nul_in_a_reply_is_refused(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await client.login("ann@example.com")
    page = await client.submit(f"/t/{thread.id}/reply", {"body": "Thanks\x00"})
    assert page.status_code == 422 and CONTROL in page.text
    api = await client.api_post(f"/api/v1/threads/{thread.id}/posts", {"body": "Thanks\x07"})
    assert api.status_code == 422 and api.json()["errors"] == {"body": CONTROL}
    assert (
        await client.api_post(f"/api/v1/threads/{thread.id}/posts", {"body": "Fine\n\tthanks"})
    ).status_code == 201


async def test_a_control_character_in_a_filter_or_the_address_is_refused(
    client: Client, world: World
) -> None:
    api = await client.get("/api/v1/threads", params={"category": "general\x00"})
    assert api.status_code == 400
    assert api.json()["errors"] == {"category": CONTROL}
    page = await client.get("/c/general", params={"status": "\x00"})
    assert page.status_code == 400 and CONTROL in page.text
    path = await client.get("/c/gen%00eral")
    assert path.status_code == 400 and CONTROL in path.text


@pytest.mark.parametrize("thread_id", [0, -1, MAX_ID + 1, 2**63, 2**64 + 1])
async def test_an_id_beyond_the_columns_is_no_such_page(
    client: Client, world: World, thread_id: int
) -> None:
    page = await client.get(f"/t/{thread_id}/anything")
    assert page.status_code == 404 and "Page not found" in page.text
    api = await client.get(f"/api/v1/threads/{thread_id}")
    assert api.status_code == 404 and api.json()["detail"] == "Page not found"


@pytest.mark.parametrize("page", [MAX_ID + 1, 2**63])
async def test_a_page_beyond_the_bound_is_refused_naming_it(
    client: Client, world: World, page: int
) -> None:
    api = await client.get("/api/v1/threads", params={"page": page})
    assert api.status_code == 400
    assert set(api.json()["errors"]) == {"page"}
    html = await client.get("/c/general", params={"page": page})
    assert html.status_code == 400 and "page:" in html.text
    # The largest page number is only past the last page: no such page, not a bad request.
    assert (await client.get("/api/v1/threads", params={"page": MAX_ID})).status_code == 404


async def test_the_openapi_description_shows_the_bounds(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    parameters = schema["paths"]["/api/v1/threads/{thread_id}"]["get"]["parameters"]
    bounds = {
        p["name"]: (p["schema"].get("minimum"), p["schema"].get("maximum")) for p in parameters
    }
    assert bounds["thread_id"] == (1, MAX_ID)
    assert bounds["page"] == (1, MAX_ID)
