"""Settings, read once from the environment (PARVIS_* variables)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"PARVIS_{name}", default)


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"PARVIS_{name} must be a whole number, got {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name).strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


def _default_data_dir() -> Path:
    return PROJECT_ROOT / "var"


def _secret_key(data_dir: Path) -> str:
    """PARVIS_SECRET_KEY, or a key kept in the data directory so every worker shares it."""
    if key := _env("SECRET_KEY"):
        return key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"PARVIS_{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class DeliveryOptions:
    """How escalations are delivered to contact centres (tests shorten the waits)."""

    timeout: float = 10.0  # seconds per HTTP/SMTP exchange
    retry_base_seconds: float = 30.0  # first retry delay; doubles each attempt, with jitter
    retry_cap_seconds: float = 3600.0
    lease_seconds: float = 60.0  # a delivery under way holds its row this long at most
    base_url_format: str = "https://{domain}"  # a tenant's public address, for links


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    redis_url: str = ""
    default_tenant: str = ""
    data_dir: Path = field(default_factory=_default_data_dir)
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    debug: bool = False
    secure_cookies: bool = False
    page_size: int = 20
    view_flush_threshold: int = 50
    view_flush_seconds: int = 5
    sweep_seconds: int = 60
    job_sweep_seconds: int = 10
    job_lease_seconds: float = 300.0
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)
    # Internal hosts tenants' targets may reach ("cc.internal:8443", "10.0.0.5"): see README.
    outbound_allowed_hosts: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(_env("DATA_DIR")) if _env("DATA_DIR") else _default_data_dir()
        return cls(
            database_url=_env("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'parvis.db'}",
            secret_key=_secret_key(data_dir),
            redis_url=_env("REDIS_URL"),
            default_tenant=_env("DEFAULT_TENANT"),
            data_dir=data_dir,
            static_dir=Path(_env("STATIC_DIR")) if _env("STATIC_DIR") else PROJECT_ROOT / "static",
            debug=_env_bool("DEBUG", False),
            secure_cookies=_env_bool("SECURE_COOKIES", False),
            page_size=_env_int("PAGE_SIZE", 20),
            view_flush_threshold=_env_int("VIEW_FLUSH_THRESHOLD", 50),
            view_flush_seconds=_env_int("VIEW_FLUSH_SECONDS", 5),
            sweep_seconds=_env_int("SWEEP_SECONDS", 60),
            job_sweep_seconds=_env_int("JOB_SWEEP_SECONDS", 10),
            job_lease_seconds=_env_float("JOB_LEASE_SECONDS", 300.0),
            delivery=DeliveryOptions(
                timeout=_env_float("DELIVERY_TIMEOUT", 10.0),
                retry_base_seconds=_env_float("RETRY_BASE_SECONDS", 30.0),
                lease_seconds=_env_float("DELIVERY_LEASE_SECONDS", 60.0),
                base_url_format=_env("BASE_URL_FORMAT", "https://{domain}"),
            ),
            outbound_allowed_hosts=tuple(_env("OUTBOUND_ALLOWED_HOSTS").split(",")),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
