"""Configuration from the environment, with safe generated defaults under ``instance/``."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _secret_key(instance: Path) -> str:
    """Read SECRET_KEY, else a key generated once and kept in ``instance/secret_key``."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(48).encode())
    return path.read_text().strip()


def private_directory(path: Path) -> Path:
    """A directory only this account may read (``instance/``: database, keys, secrets)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, content: bytes) -> None:
    """Create ``path`` readable by this account only from its first byte (no chmod window)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    path.chmod(0o600)  # an existing file keeps its mode through os.open


def from_environment(overrides: dict | None = None) -> dict:
    """Build the Flask configuration; ``overrides`` (tests, CLI) win over the environment."""
    overrides = overrides or {}
    instance = Path(overrides.get("INSTANCE_PATH") or os.environ.get("PASSEPORT_INSTANCE", "instance")).resolve()
    os.umask(0o077)  # the SQLite database and anything else written here stays private
    private_directory(instance)
    base_url = (overrides.get("BASE_URL") or os.environ.get("PASSEPORT_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    config: dict[str, Any] = {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'passeport.db'}",
        "SECRET_KEY": _secret_key(instance),
        "BASE_URL": base_url,
        "DEMO": _flag(os.environ.get("PASSEPORT_DEMO"), default=False),
        "HTTP_TIMEOUT": float(os.environ.get("PASSEPORT_HTTP_TIMEOUT", "5")),
        "CONTENT_ROOT": os.environ.get("PASSEPORT_CONTENT") or None,
        "XAPI_LRS_URL": os.environ.get("PASSEPORT_XAPI_LRS_URL") or None,
        "XAPI_LRS_USERNAME": os.environ.get("PASSEPORT_XAPI_LRS_USERNAME") or None,
        "XAPI_LRS_PASSWORD": os.environ.get("PASSEPORT_XAPI_LRS_PASSWORD") or None,
        "JWKS_CACHE_SECONDS": int(os.environ.get("PASSEPORT_JWKS_CACHE_SECONDS", "3600")),
        # A session lasts a training day; a new launch starts a new one (web_session.remember_launch).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("PASSEPORT_SESSION_HOURS", "10"))),
        "ENCRYPTION_KEY": os.environ.get("PASSEPORT_ENCRYPTION_KEY") or None,
    }
    config.update(overrides)
    # The demo LMS may be reached on another site than the tool (cross-site launches, as from a real LMS).
    config.setdefault("DEMO_URL", (os.environ.get("PASSEPORT_DEMO_URL") or str(config["BASE_URL"])).rstrip("/"))
    secure = str(config["BASE_URL"]).startswith("https://")
    # Inside an LMS iframe the tool is a third party: its cookies must be
    # SameSite=None; Secure; Partitioned, which browsers only accept over HTTPS.
    config.setdefault("SESSION_COOKIE_SECURE", secure)
    config.setdefault("SESSION_COOKIE_SAMESITE", "None" if secure else "Lax")
    config.setdefault("SESSION_COOKIE_PARTITIONED", secure)
    config.setdefault("SESSION_COOKIE_NAME", "passeport_session")
    return config
