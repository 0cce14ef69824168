"""The `parvis` command, as an operator runs it."""

import re
import socket
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


# ---- start-up problems: one line each, exit code 2, no traceback ---------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there once the probe is closed


def fails_to_start(run, *args: str) -> str:
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",), ("worker",), ("demo",)])
def test_an_unreachable_database_is_one_line(run, monkeypatch, command) -> None:
    url = f"postgresql+asyncpg://parvis:secret@127.0.0.1:{closed_port()}/parvis"
    monkeypatch.setenv("PARVIS_DATABASE_URL", url)
    line = fails_to_start(run, *command)
    assert line.startswith("parvis: cannot reach the database at postgresql+asyncpg://parvis:***@")
    assert "secret" not in line


def test_a_database_file_that_cannot_be_opened_is_one_line(run, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PARVIS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/no/such/dir.db")
    assert "unable to open database file" in fails_to_start(run, "db", "current")


def test_a_bad_setting_is_one_line_naming_it(run, monkeypatch) -> None:
    monkeypatch.setenv("PARVIS_DEBUG", "ture")
    line = fails_to_start(run, "db", "upgrade")
    assert line == "parvis: PARVIS_DEBUG: expected one of true, false, 1, 0, yes, no, got 'ture'"
    monkeypatch.delenv("PARVIS_DEBUG")
    monkeypatch.setenv("PARVIS_DATABASE_URL", "mysql://db/parvis")
    assert "PARVIS_DATABASE_URL: the scheme must be" in fails_to_start(run, "serve")


def test_the_worker_needs_redis_to_start(run, monkeypatch) -> None:
    assert "PARVIS_REDIS_URL is not set" in fails_to_start(run, "worker")
    monkeypatch.setenv("PARVIS_REDIS_URL", f"redis://127.0.0.1:{closed_port()}/0")
    assert "cannot reach Redis at redis://127.0.0.1:" in fails_to_start(run, "worker")


def test_a_new_tenant_opens_with_a_starter_set_of_categories(run) -> None:
    run("db", "upgrade")
    created = run("tenant", "create", "--slug", "acme", "--name", "Acme", "--locale", "fr")
    assert created.exit_code == 0, created.output
    assert "categories: 4" in created.output
    assert "/c/announcements  Annonces  (discussions, staff post)" in created.output
    assert "/c/ideas  Idées  (ideas, members post)" in created.output
    bare = run("tenant", "create", "--slug", "bare", "--name", "Bare", "--no-starter")
    assert "categories: 0" in bare.output
    assert run("category", "list", "--tenant", "bare").output == "no categories\n"


def test_category_commands(run) -> None:
    run("db", "upgrade")
    run("tenant", "create", "--slug", "acme", "--name", "Acme", "--no-starter")
    made = run("category", "create", "--tenant", "acme", "Help & support", "--premoderated")
    assert made.exit_code == 0, made.output
    assert (
        "category created: /c/help-support  Help & support  (forum, members post, premoderated)"
        in made.output
    )
    board = run("category", "create", "--tenant", "acme", "Wishes", "--kind", "ideas",
                "--slug", "wishes", "--staff-only")  # fmt: skip
    assert board.exit_code == 0 and "/c/wishes" in board.output
    again = run("category", "create", "--tenant", "acme", "Help & support")
    assert again.exit_code == 1 and "Another category already has this address." in again.output
    listed = run("category", "list", "--tenant", "acme").output.splitlines()
    assert [line.split()[0] for line in listed] == ["/c/help-support", "/c/wishes"]
    nobody = run("category", "list", "--tenant", "nope")
    assert nobody.exit_code == 1 and "no tenant with slug 'nope'" in nobody.output


def test_an_api_key_is_made_for_an_admin_and_printed_once(run) -> None:
    run("db", "upgrade")
    run("tenant", "create", "--slug", "acme", "--name", "Acme", "--no-starter")
    run("member", "create", "--tenant", "acme", "--email", "boss@acme.test", "--role", "admin")
    run("member", "create", "--tenant", "acme", "--email", "ann@acme.test")
    made = run("apikey", "create", "--tenant", "acme", "--admin", "boss@acme.test",
               "--name", "CRM", "--scope", "read", "--scope", "write", "--expires", "2099-12-31")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert re.fullmatch(r"pvk_[0-9a-f]{12}_[\w-]{43}\n", made.output)
    member = run("apikey", "create", "--tenant", "acme", "--admin", "ann@acme.test",
                 "--name", "CRM", "--scope", "read")  # fmt: skip
    assert member.exit_code == 1 and "Only community admins manage API keys." in member.output
    past = run("apikey", "create", "--tenant", "acme", "--admin", "boss@acme.test",
               "--name", "Old", "--scope", "read", "--expires", "2001-01-01")  # fmt: skip
    assert past.exit_code == 1 and "The expiry must be in the future." in past.output
