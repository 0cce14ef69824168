"""Migrations are the only way the schema is made: they round-trip and match the models."""

import asyncio
import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import make_url

from community.cli import alembic_config
from tests.conftest import PG_URL, _admin


def fresh_database(tmp_path: Path) -> tuple[str, str | None]:
    if not PG_URL:
        return f"sqlite+aiosqlite:///{tmp_path}/migrations.db", None
    name = f"parvis_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(PG_URL, f'CREATE DATABASE "{name}"'))
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


def test_upgrade_downgrade_upgrade_and_no_model_drift(tmp_path: Path) -> None:
    url, pg_name = fresh_database(tmp_path)
    config = alembic_config(url)
    try:
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        command.upgrade(config, "head")
        command.check(config)  # raises if the models hold a change no migration makes
    finally:
        if pg_name:
            asyncio.run(_admin(PG_URL, f'DROP DATABASE "{pg_name}" WITH (FORCE)'))
