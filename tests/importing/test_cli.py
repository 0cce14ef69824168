"""`parvis import stackexchange` as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from community.cli import main
from tests.importing.dumps import small_site, write_dump


def test_the_command_says_what_it_imported_skipped_and_found_already_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARVIS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PARVIS_DATA_DIR", str(tmp_path))
    dump = write_dump(tmp_path / "se.example.com", small_site())
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("db", "upgrade")
    run("tenant", "create", "--slug", "acme", "--name", "Acme")
    first = run("import", "stackexchange", str(dump), "--tenant", "acme", "--category", "help")
    assert "se.example.com → category 'help'" in first
    assert "skipped 1: vote on a post not in the dump (deleted)" in first
    again = run("import", "stackexchange", str(dump), "--tenant", "acme", "--category", "help")
    assert "3 already imported" in again  # the users

    missing = runner.invoke(main, ["import", "stackexchange", str(tmp_path), "--tenant", "acme"])
    assert missing.exit_code == 1
    assert "No Stack Exchange dump in" in missing.output
    nobody = runner.invoke(main, ["import", "stackexchange", str(dump), "--tenant", "nope"])
    assert "no tenant with slug 'nope'" in nobody.output
