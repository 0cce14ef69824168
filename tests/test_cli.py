"""The `parvis` command, as an operator runs it."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from community.cli import main


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PARVIS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("PARVIS_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_db_tenant_and_member_commands(run) -> None:
    assert "database at head" in run("db", "upgrade").output
    created = run(
        "tenant", "create", "--slug", "acme", "--name", "Acme", "--domain", "help.acme.example"
    )
    assert created.exit_code == 0 and "tenant acme created" in created.output
    member = run(
        "member", "create", "--tenant", "acme", "--email", "boss@acme.example", "--role", "admin"
    )
    assert member.exit_code == 0 and "role admin" in member.output and "password " in member.output


def test_bad_input_is_a_clear_error(run) -> None:
    run("db", "upgrade")
    run("tenant", "create", "--slug", "acme", "--name", "Acme")
    again = run("tenant", "create", "--slug", "acme", "--name", "Acme again")
    assert again.exit_code == 1 and "already exists" in again.output
    bad_slug = run("tenant", "create", "--slug", "Not A Slug", "--name", "X")
    assert bad_slug.exit_code == 1 and "lowercase letters" in bad_slug.output
    no_tenant = run("member", "create", "--tenant", "nope", "--email", "a@b.example")
    assert no_tenant.exit_code == 1 and "no tenant with slug 'nope'" in no_tenant.output


def test_demo_seeds_two_communities_once(run) -> None:
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "http://localhost:8000/" in first.output
    assert "http://northwind.localhost:8000/" in first.output
    assert "parvis-demo" in first.output
    second = run("demo", "--no-serve")
    assert second.exit_code == 0 and second.output == first.output
