"""`parvis dashboard recompute`, as an operator runs it."""

from tests.test_cli import run  # noqa: F401  (the fixture)


def test_the_recompute_command_rolls_a_tenant_up_and_names_a_missing_one(run) -> None:  # noqa: F811
    run("db", "upgrade")
    run("tenant", "create", "--slug", "acme", "--name", "Acme")
    done = run("dashboard", "recompute", "--tenant", "acme")
    assert done.exit_code == 0 and "dashboard rolled up for acme" in done.output
    everyone = run("dashboard", "recompute")
    assert everyone.exit_code == 0 and "for every tenant" in everyone.output
    missing = run("dashboard", "recompute", "--tenant", "nope")
    assert missing.exit_code == 1 and "No tenant has the slug 'nope'." in missing.output
