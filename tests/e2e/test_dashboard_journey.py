"""In a browser: a community manager opens the dashboard, reads a chart's figures and
downloads them as CSV."""

import csv
from pathlib import Path

import pytest

from tests.analytics.test_dashboard import recompute, seeded_week
from tests.conftest import World
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.anyio


async def test_the_manager_reads_the_dashboard_and_downloads_a_chart_as_csv(
    browser, live_server: str, world: World, tmp_path: Path
) -> None:
    await seeded_week(world)
    await recompute(world)
    base = f"http://{live_server}"
    page = await log_in(browser, base, "boss@example.com", "/admin/dashboard")
    await page.get_by_text("Choose the days").click()
    await page.get_by_label("From", exact=True).fill("2026-11-20")
    await page.get_by_label("To", exact=True).fill("2026-11-26")
    await page.get_by_role("button", name="Show").last.click()
    await page.wait_for_url(f"{base}/admin/dashboard?from=2026-11-20&to=2026-11-26")

    questions = page.locator('[data-card="questions"]')
    assert await questions.locator(".card-value").inner_text() == "3"
    assert await page.locator('[data-card="answered"] .card-value').inner_text() == "66.7%"
    chart = page.locator('[data-chart="questions"]')
    image = chart.get_by_role("img")
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0"), "the SVG is drawn"
    await chart.get_by_text("The figures").click()
    table = chart.get_by_role("table")
    assert await table.locator("tbody tr").count() == 7

    async with page.expect_download() as waiting:
        await chart.get_by_role("link", name="Download as CSV").click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert download.suggested_filename == "questions-2026-11-20-2026-11-26.csv"
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0] == ["Day", "Questions asked"] and rows[1] == ["2026-11-20", "1"]
    assert sum(int(n) for _, n in rows[1:]) == 3

    await page.set_viewport_size({"width": 375, "height": 800})
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 375, "no horizontal scroll on a phone"
