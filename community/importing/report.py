"""The import as the `parvis import stackexchange` command shows it: a progress bar per file
with its rate, then what came in, what was skipped and why."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.importing.stackexchange import Report, import_dump


async def import_with_progress(
    sessions: async_sessionmaker[AsyncSession], tenant_slug: str, directory: Path, category: str
) -> Report:
    bars: dict[str, Any] = {}
    started: dict[str, float] = {}

    def progress(name: str, total: int, count: int) -> None:
        if name not in bars:
            for bar in bars.values():
                bar.render_finish()
            started[name] = time.monotonic()
            bars[name] = click.progressbar(
                length=total, label=f"{name:12}", show_pos=True, item_show_func=lambda r: r
            )
        rate = (bars[name].pos + count) / max(time.monotonic() - started[name], 1e-6)
        bars[name].update(count, f"{rate:.0f} rows/s")

    report = await import_dump(sessions, tenant_slug, directory, category, progress)
    for bar in bars.values():
        bar.render_finish()
    click.echo(summary(report))
    return report


def summary(report: Report) -> str:
    lines = [f"{report.site} → category {report.category!r}, {report.seconds:.1f} s"]
    for name, file in report.files.items():
        again = f", {file.already} already imported" if file.already else ""
        rate = f"{file.rate:>7.0f} rows/s" if file.rows else ""
        lines.append(
            f"  {name:16} {file.rows:>8} rows  {file.imported:>8} imported{again}"
            f"  {file.seconds:>6.1f} s {rate}"
        )
        lines += [f"  {'':16} skipped {n}: {why}" for why, n in sorted(file.skipped.items())]
    return "\n".join(lines)
