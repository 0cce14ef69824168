"""Settings from PARVIS_* variables: every bad value is one line that names its variable."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from community.config import ConfigError, Settings

KEY = "k" * 40


def problems(tmp_path: Path, **variables: str) -> list[str]:
    environ = {"PARVIS_DATA_DIR": str(tmp_path), **variables}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    assert all("\n" not in line for line in caught.value.problems)
    return caught.value.problems


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PARVIS_DEBUG", "ture", "expected one of true, false, 1, 0, yes, no, got 'ture'"),
        ("PARVIS_SECURE_COOKIES", "on", "expected one of true, false, 1, 0, yes, no"),
        ("PARVIS_DATABASE_URL", "mysql://db/parvis", "must be sqlite+aiosqlite or postgresql"),
        ("PARVIS_DATABASE_URL", "postgresql://db/parvis", "not postgresql"),
        ("PARVIS_DATABASE_URL", "not a url", "not a database URL"),
        ("PARVIS_REDIS_URL", "http://127.0.0.1:6379", "must be redis:// or rediss://"),
        ("PARVIS_REDIS_URL", "redis://127.0.0.1:port", "not a Redis URL"),
        ("PARVIS_REDIS_URL", "redis://127.0.0.1/zero", "must be a number"),
        ("PARVIS_PAGE_SIZE", "twenty", "integer"),
        ("PARVIS_PAGE_SIZE", "0", "greater than or equal to 1"),
        ("PARVIS_SWEEP_SECONDS", "-5", "greater than or equal to 1"),
        ("PARVIS_DELIVERY_TIMEOUT", "0", "greater than 0"),
        ("PARVIS_WORKER_METRICS_PORT", "70000", "less than or equal to 65535"),
        ("PARVIS_ENV", "prod", "expected 'development' or 'production'"),
        ("PARVIS_LOG_FORMAT", "xml", "expected 'json' or 'text'"),
        ("PARVIS_LOG_LEVEL", "loud", "expected 'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
        ("PARVIS_SMTP_URL", "http://mail.example:25", "must be smtp:// or smtps://"),
        ("PARVIS_SMTP_URL", "smtp://mail.example:port", "not an SMTP URL"),
        ("PARVIS_MAIL_FROM", "nobody", "expected an address such as Parvis <no-reply@"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_variable(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    [line] = problems(tmp_path, **{variable: value})
    assert line.startswith(f"{variable}: ")
    assert says in line


def test_every_bad_value_is_reported_at_once(tmp_path: Path) -> None:
    lines = problems(tmp_path, PARVIS_DEBUG="maybe", PARVIS_PAGE_SIZE="x")
    assert [line.split(":")[0] for line in lines] == ["PARVIS_DEBUG", "PARVIS_PAGE_SIZE"]


def test_a_password_in_a_bad_url_is_not_shown(tmp_path: Path) -> None:
    [line] = problems(tmp_path, PARVIS_DATABASE_URL="mysql://bob:hunter2@db/parvis")
    assert "hunter2" not in line
    assert "mysql://***@db/parvis" in line


def test_a_password_in_a_bad_smtp_url_is_not_shown(tmp_path: Path) -> None:
    [line] = problems(tmp_path, PARVIS_SMTP_URL="smtp://bob:hunter2@mail.example:port")
    assert "hunter2" not in line


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    assert problems(tmp_path, PARVIS_ENV="production") == [
        "PARVIS_SECRET_KEY: required when PARVIS_ENV=production"
    ]


def test_production_refuses_a_short_key_plain_cookies_and_debug(tmp_path: Path) -> None:
    short = problems(tmp_path, PARVIS_ENV="production", PARVIS_SECRET_KEY="short")
    assert short == ["PARVIS_SECRET_KEY: must be 32 characters or more in production"]
    unsafe = problems(
        tmp_path,
        PARVIS_ENV="production",
        PARVIS_SECRET_KEY=KEY,
        PARVIS_SECURE_COOKIES="false",
        PARVIS_DEBUG="yes",
    )
    assert [line.split(":")[0] for line in unsafe] == ["PARVIS_SECURE_COOKIES", "PARVIS_DEBUG"]


def test_production_defaults_to_secure_cookies_and_json_logs(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PARVIS_DATA_DIR": str(tmp_path), "PARVIS_ENV": "production", "PARVIS_SECRET_KEY": KEY}
    )
    assert settings.is_production
    assert settings.secure_cookies
    assert settings.log_format == "json"
    assert not (tmp_path / "secret_key").exists()


def test_development_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({"PARVIS_DATA_DIR": str(tmp_path), "PARVIS_DEBUG": "Yes"})
    assert settings.debug
    assert settings.is_sqlite
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'parvis.db'}"
    assert settings.log_format == "text"
    # the development key is kept so the web and the worker share it
    assert settings.secret_key == (tmp_path / "secret_key").read_text()
    assert Settings.from_env({"PARVIS_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key


def test_delivery_options_come_from_their_variables(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "PARVIS_DATA_DIR": str(tmp_path),
            "PARVIS_DELIVERY_TIMEOUT": "2.5",
            "PARVIS_BASE_URL_FORMAT": "http://{domain}:8000",
            "PARVIS_SMTP_URL": "smtps://bob:hunter2@mail.example:465",
            "PARVIS_MAIL_FROM": "Acme <help@acme.example>",
        }
    )
    assert settings.delivery.smtp_url == "smtps://bob:hunter2@mail.example:465"
    assert settings.delivery.mail_from == "Acme <help@acme.example>"
    assert "hunter2" not in repr(settings)
    assert settings.delivery.timeout == 2.5
    assert settings.delivery.base_url_format == "http://{domain}:8000"
    assert settings.delivery.retry_base_seconds == 30.0


def test_settings_built_in_code_are_validated_too(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db", secret_key=KEY)
    with pytest.raises(ValueError, match="page_size"):
        replace(settings, page_size=0)


def test_a_comma_list_reads_from_one_variable() -> None:
    from pydantic import TypeAdapter

    from community.config import CommaList

    assert TypeAdapter(CommaList).validate_python(" 10.0.0.1, cc.internal:8443,,") == (
        "10.0.0.1",
        "cc.internal:8443",
    )
