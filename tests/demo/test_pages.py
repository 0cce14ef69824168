"""Every page of the French demo community, as its guests and staff see it: no English
message left, no plural mistake, no error.

The crawl starts at the home page and follows the links of each page (the community's own
pages, not the API, the schema or the log-out link) as a guest, the moderator and the
admin, so a new page is checked as soon as something links to it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from community.demo.seed import DEMO_PASSWORD
from tests.conftest import Client
from tests.test_i18n import english_patterns, problems_on

pytestmark = pytest.mark.anyio

HOST = "localhost"  # Horizon Télécom, the French demo community
SKIPPED = ("/api/", "/schema", "/static/", "/logout", "/embed")
MOST_PAGES = 400


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(href)


def _own_pages(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    pages = []
    for href in parser.found:
        url = urldefrag(href)[0]
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED):
            continue
        pages.append(url)
    return pages


async def _crawl(client: Client) -> dict[str, list[str]]:
    """Problems found on each page reached from the home page (status problems included)."""
    patterns = english_patterns()
    seen, queue, problems = {"/"}, ["/"], {}
    while queue and len(seen) <= MOST_PAGES:
        url = queue.pop(0)
        response = await client.get(url)
        if response.status_code in {301, 302, 303, 307}:
            location = urldefrag(response.headers["location"])[0]
            if location not in seen and not location.startswith(("http", "/login")):
                seen.add(location)
                queue.append(location)
            continue
        if response.status_code != 200:
            problems[url] = [f"HTTP {response.status_code}"]
            continue
        if found := problems_on(response.text, patterns):
            problems[url] = found
        for link in _own_pages(response.text):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert len(seen) > 30, f"the crawl reached only {sorted(seen)}"
    return problems


@pytest.mark.parametrize(
    "email", ["", "julien.moderation@horizon.example", "admin@horizon.example"]
)
async def test_the_french_demo_shows_no_english_and_no_plural_mistakes(
    client_for: Any, email: str
) -> None:
    client: Client = client_for(HOST)
    if email:
        await client.login(email, DEMO_PASSWORD)
    assert await _crawl(client) == {}
