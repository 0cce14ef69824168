"""Settings, read once from the environment (PARVIS_* variables) and validated at start.

`Settings` is a pydantic dataclass: every construction is validated (from the environment,
directly in tests, or through `dataclasses.replace`), and a bad value becomes a `ConfigError`
whose lines each name the variable, say what is expected and what was given.

Production is `PARVIS_ENV=production`: it requires `PARVIS_SECRET_KEY` (32 characters or
more), secure cookies (the default there) and no debug; logs default to JSON.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import field
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "PARVIS_"
DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
REDIS_SCHEMES = ("redis", "rediss")
SMTP_SCHEMES = ("smtp", "smtps")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
_STRICT = ConfigDict(extra="forbid")
_HIDDEN = {"secret_key", "metrics_token", "smtp_url", "meilisearch_key"}


class ConfigError(ValueError):
    """Invalid settings: one line per problem, each naming the variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _boolean(raw: object) -> object:
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise ValueError("expected one of true, false, 1, 0, yes, no")
    return raw


def _database_url(raw: str) -> str:
    try:
        driver = make_url(raw).drivername
    except ArgumentError:
        raise ValueError("not a database URL") from None
    if driver not in DATABASE_DRIVERS:
        raise ValueError(f"the scheme must be {' or '.join(DATABASE_DRIVERS)}, not {driver}")
    return raw


def _service_url(raw: str, schemes: tuple[str, ...], unparsed: str) -> SplitResult:
    """`raw` split, once it parses, has one of `schemes` and names a host."""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise ValueError(unparsed) from None
    if parts.scheme not in schemes:
        raise ValueError(f"the scheme must be {' or '.join(f'{s}://' for s in schemes)}")
    if not parts.hostname:
        raise ValueError("the URL names no host")
    return parts


def _redis_url(raw: str) -> str:
    if not raw:
        return raw  # no Redis: the app and jobs run without it
    parts = _service_url(raw, REDIS_SCHEMES, "not a Redis URL")
    if parts.path.strip("/") and not parts.path.strip("/").isdigit():
        raise ValueError("the database after the host must be a number, as in /0")
    return raw


def _smtp_url(raw: str) -> str:
    if raw:  # else no SMTP server: mail is written to the log
        _service_url(raw, SMTP_SCHEMES, "not an SMTP URL")
    return raw


def _mail_from(raw: str) -> str:
    _, address = parseaddr(raw)
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        raise ValueError("expected an address such as Parvis <no-reply@example.com>") from None
    if "@" not in address:
        raise ValueError("expected an address such as Parvis <no-reply@example.com>")
    return raw


def _comma_list(raw: object) -> object:
    return (
        tuple(part.strip() for part in raw.split(",") if part.strip())
        if isinstance(raw, str)
        else raw
    )


Boolean = Annotated[bool, BeforeValidator(_boolean), Field(strict=True)]
# "a, b,c" in the environment, a tuple in code: for lists such as trusted proxies or hosts.
CommaList = Annotated[tuple[str, ...], BeforeValidator(_comma_list)]
DatabaseURL = Annotated[str, AfterValidator(_database_url)]
RedisURL = Annotated[str, AfterValidator(_redis_url)]
SmtpURL = Annotated[str, AfterValidator(_smtp_url)]
MailFrom = Annotated[str, AfterValidator(_mail_from)]
Positive = Annotated[int, Field(ge=1)]
Seconds = Annotated[float, Field(gt=0)]
Port = Annotated[int, Field(ge=0, le=65535)]


def _env(name: str) -> dict[str, str]:
    """The field's environment variable name (when it is not PARVIS_<FIELD>)."""
    return {"env": name}


def _default_data_dir() -> Path:
    return PROJECT_ROOT / "var"


@dataclass(frozen=True, config=_STRICT)
class DeliveryOptions:
    """How what leaves Parvis is delivered: escalations to contact centres, mail to members
    (tests shorten the waits)."""

    # seconds per HTTP/SMTP exchange
    timeout: Seconds = field(default=10.0, metadata=_env("DELIVERY_TIMEOUT"))
    # first retry delay; doubles each attempt, with jitter
    retry_base_seconds: Seconds = field(default=30.0, metadata=_env("RETRY_BASE_SECONDS"))
    retry_cap_seconds: Seconds = field(default=3600.0, metadata=_env("RETRY_CAP_SECONDS"))
    # a delivery under way holds its row this long at most
    lease_seconds: Seconds = field(default=60.0, metadata=_env("DELIVERY_LEASE_SECONDS"))
    # a tenant's public address, for links
    base_url_format: str = field(default="https://{domain}", metadata=_env("BASE_URL_FORMAT"))
    # smtp://user:pass@host:587?starttls=1, smtps://… (implicit TLS); unset: mail is logged
    smtp_url: SmtpURL = field(default="", repr=False, metadata=_env("SMTP_URL"))
    # the sender of mail to members; its name is replaced by the community's
    mail_from: MailFrom = field(default="Parvis <no-reply@localhost>", metadata=_env("MAIL_FROM"))


@dataclass(frozen=True, config=_STRICT)
class Settings:
    database_url: DatabaseURL
    secret_key: Annotated[str, Field(min_length=1)]
    env: Literal["development", "production"] = "development"
    redis_url: RedisURL = ""
    default_tenant: str = ""
    data_dir: Path = field(default_factory=_default_data_dir)
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    debug: Boolean = False
    secure_cookies: Boolean = False
    page_size: Annotated[int, Field(ge=1, le=500)] = 20
    view_flush_threshold: Positive = 50
    view_flush_seconds: Positive = 5
    sweep_seconds: Positive = 60
    # How often an open page asks for the notification bell's count.
    bell_poll_seconds: Positive = 30
    # How often kept jobs that are overdue are handed on again (worker cron, web sweeper).
    job_sweep_seconds: Positive = 10
    # How long a job being run holds its row: a worker that dies mid-job delays it this long.
    job_lease_seconds: Seconds = 300.0
    log_format: Literal["json", "text"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Bearer token for /metrics; without one, /metrics answers only on loopback in development.
    metrics_token: str = ""
    # Requests one API key may make per minute (429 with Retry-After beyond).
    api_key_requests_per_minute: Positive = 600
    # Jobs one `parvis worker` runs at once.
    worker_concurrency: Annotated[int, Field(ge=1, le=1000)] = 10
    # On SIGTERM a worker takes no new job and waits this long for those under way; any
    # still running then are cancelled (rolled back) and run again by the next worker.
    worker_drain_seconds: Annotated[int, Field(ge=0, le=3600)] = 25
    # The worker serves its own /metrics on this address and port (0: none).
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: Port = 0
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)
    # Internal hosts tenants' targets may reach ("cc.internal:8443", "10.0.0.5"): see README.
    outbound_allowed_hosts: CommaList = ()
    # Proxies (CIDRs) whose X-Forwarded-For is believed; none: the socket peer is the client.
    trusted_proxies: CommaList = ()
    # Search on Meilisearch (see README, Search engines in production); empty: the database's.
    meilisearch_url: str = ""
    meilisearch_key: str = ""

    def __post_init__(self) -> None:
        if self.env != "production":
            return
        problems = []
        if len(self.secret_key) < 32:
            problems.append("secret_key: must be 32 characters or more in production")
        if not self.secure_cookies:
            problems.append("secure_cookies: must be true in production (cookies over HTTPS only)")
        if self.debug:
            problems.append("debug: must be false in production (it shows tracebacks)")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from PARVIS_* variables; `ConfigError` names every bad one."""
        values = _read(cls, os.environ if environ is None else environ)
        try:
            return cls(**_with_defaults(values))
        except ValidationError as exc:
            raise ConfigError(_problems(exc, cls)) from None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.env == "production"


# Settings fields that group others, each read from its own variables (PARVIS_DELIVERY_TIMEOUT…).
_NESTED: dict[str, type[Any]] = {"delivery": DeliveryOptions}


def env_name(owner: type[Any], name: str) -> str:
    """The variable that sets `owner.name`, e.g. PARVIS_DELIVERY_TIMEOUT."""
    for each in dataclasses.fields(owner):
        if each.name == name:
            return PREFIX + str(each.metadata.get("env", name.upper()))
    return PREFIX + name.upper()


def _read(owner: type[Any], env: Mapping[str, str]) -> dict[str, Any]:
    """The fields of `owner` set in `env` (empty variables count as unset)."""
    values: dict[str, Any] = {}
    for each in dataclasses.fields(owner):
        nested = _NESTED.get(each.name)
        if nested is not None:
            if inner := _read(nested, env):
                values[each.name] = inner
            continue
        raw = env.get(env_name(owner, each.name), "").strip()
        if raw:
            values[each.name] = raw.upper() if each.name == "log_level" else raw
    return values


def _with_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Defaults that depend on other settings: the data directory, production, the key."""
    data_dir = Path(values.get("data_dir") or _default_data_dir())
    values.setdefault("database_url", f"sqlite+aiosqlite:///{data_dir / 'parvis.db'}")
    production = values.get("env") == "production"
    if production:
        values.setdefault("secure_cookies", "true")
        values.setdefault("log_format", "json")
        if "secret_key" not in values:
            raise ConfigError([f"{PREFIX}SECRET_KEY: required when {PREFIX}ENV=production"])
    if "secret_key" not in values:
        values["secret_key"] = _kept_secret_key(data_dir)
    return values


def _kept_secret_key(data_dir: Path) -> str:
    """A key kept in the data directory so every process of a development install shares it."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _problems(exc: ValidationError, owner: type[Any]) -> list[str]:
    lines = []
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        if not location:  # __post_init__: the message already names the fields
            lines.extend(_post_init_lines(error["msg"]))
            continue
        shown = "" if location[-1] in _HIDDEN else f", got {_without_password(error['input'])!r}"
        lines.append(f"{_name_of(owner, location)}: {_message(error)}{shown}")
    return lines


def _without_password(value: object) -> object:
    return re.sub(r"://[^@/]*@", "://***@", value) if isinstance(value, str) else value


def _post_init_lines(message: str) -> list[str]:
    message = message.removeprefix("Value error, ")
    lines = []
    for part in message.split("; "):
        name, _, rest = part.partition(": ")
        lines.append(f"{env_name(Settings, name)}: {rest}")
    return lines


def _name_of(owner: type[Any], location: list[str]) -> str:
    nested = _NESTED.get(location[0])
    if nested is not None and len(location) > 1:
        return env_name(nested, location[1])
    return env_name(owner, location[0])


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ").replace("Input should be", "expected")
