"""The registered platforms, cached per process, and pylti1p3's tool configuration over them."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..db import Database
from ..models import Deployment, Platform
from .tool_keys import KeyRing


@dataclass(frozen=True)
class PlatformRecord:
    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: frozenset[str]


class PlatformRegistry:
    """Every registration, read in one query and kept per process: a launch reads it 2–3 times.

    A change committed through an ORM session of this process is seen at once (see ``_registrations_changed``);
    one made by another process (the CLI, another worker) within ``ttl`` seconds, or at once when a launch
    names an issuer, client or deployment the cached copy lacks (reloaded at most every ``miss_interval``).
    """

    def __init__(self, database: Database, ttl: float = 30.0, miss_interval: float = 1.0):
        self.database, self.ttl, self.miss_interval = database, ttl, miss_interval
        self._loaded: tuple[float, int, dict[str, list[PlatformRecord]]] | None = None
        self._lock = threading.Lock()

    def platforms_for(self, iss: str) -> list[PlatformRecord]:
        return self._current().get(iss, [])

    def origins(self) -> frozenset[str]:
        """The issuer and login URLs of every registration (framing and postMessage checks)."""
        return frozenset(url for records in self._current().values() for p in records
                         for url in (p.issuer, p.auth_login_url))

    def reload_on_miss(self) -> bool:
        """Reload now if the cached copy is older than ``miss_interval``; True when it was reloaded."""
        loaded = self._loaded
        if loaded and time.monotonic() - loaded[0] < self.miss_interval:
            return False
        self._load()
        return True

    def _current(self) -> dict[str, list[PlatformRecord]]:
        loaded = self._loaded
        if loaded is None or loaded[1] != _generation or time.monotonic() - loaded[0] >= self.ttl:
            return self._load()
        return loaded[2]

    def _load(self) -> dict[str, list[PlatformRecord]]:
        with self._lock:
            generation = _generation
            with self.database.read() as connection:
                rows = connection.execute(_ALL_REGISTRATIONS).all()
            found: dict[int, tuple[Any, set[str]]] = {}
            for row in rows:
                found.setdefault(row.id, (row, set()))[1].add(row.deployment_id)
            by_issuer: dict[str, list[PlatformRecord]] = {}
            for r, deployments in found.values():
                by_issuer.setdefault(r.issuer, []).append(PlatformRecord(
                    r.id, r.issuer, r.client_id, r.auth_login_url, r.auth_token_url, r.jwks_url,
                    frozenset(d for d in deployments if d)))
            self._loaded = (time.monotonic(), generation, by_issuer)
            return by_issuer


_ALL_REGISTRATIONS = (
    select(Platform.id, Platform.issuer, Platform.client_id, Platform.auth_login_url, Platform.auth_token_url,
           Platform.jwks_url, Deployment.deployment_id)
    .outerjoin(Deployment, Deployment.platform_id == Platform.id)
    .order_by(Platform.id)
)
_generation = 0
"""Bumped when a session of this process commits a change to a registration or a deployment."""


@event.listens_for(Session, "after_flush")
def _note_registration_change(session: Session, _context) -> None:
    if any(isinstance(o, Platform | Deployment) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info["registrations_changed"] = True


@event.listens_for(Session, "after_commit")
def _registrations_changed(session: Session) -> None:
    global _generation
    if session.info.pop("registrations_changed", False):
        _generation += 1


class DatabaseToolConf(ToolConfAbstract):
    """pylti1p3's view of the registry. Every issuer may have several client ids (Canvas Cloud,
    multi-tenant Moodle)."""

    def __init__(self, registry: PlatformRegistry, database: Database, key_ring: KeyRing):
        self.registry, self.database, self.key_ring = registry, database, key_ring

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platforms_for(self, iss: str) -> list[PlatformRecord]:
        found = self.registry.platforms_for(iss)
        if not found and self.registry.reload_on_miss():
            found = self.registry.platforms_for(iss)
        return found

    def platform(self, iss: str, client_id: str | None) -> PlatformRecord | None:
        """The registration for (iss, client id); without a client id, the issuer's only one."""
        candidates = self.platforms_for(iss)
        if client_id is None:
            return candidates[0] if len(candidates) == 1 else None
        found = next((p for p in candidates if p.client_id == client_id), None)
        if found is None and candidates and self.registry.reload_on_miss():
            found = next((p for p in self.registry.platforms_for(iss) if p.client_id == client_id), None)
        return found

    def deployment_known(self, platform: PlatformRecord, deployment_id: str) -> PlatformRecord | None:
        """The platform's current record if it has the deployment, reloading once when the cached copy lacks it."""
        if deployment_id in platform.deployment_ids:
            return platform
        if self.registry.reload_on_miss():
            fresh = self.platform(platform.issuer, platform.client_id)
            if fresh and deployment_id in fresh.deployment_ids:
                return fresh
        return None

    # pylti1p3 declares these as never None but handles None as "not registered"
    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:  # type: ignore[override]
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(  # type: ignore[override]
            self, iss: str, client_id: str | None, *args, **kwargs) -> Registration | None:
        platform = self.platform(iss, client_id)
        return self.registration(platform) if platform else None

    def registration(self, platform: PlatformRecord) -> Registration:
        _kid, private_key, public_pem = self.key_ring.active(self.database)
        return (
            Registration()
            .set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.jwks_url)
            .set_tool_private_key(private_key)  # type: ignore[arg-type]  # a loaded key: no PEM parse per launch
            .set_tool_public_key(public_pem)
        )

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None, *args, **kwargs):
        platform = self.platform(iss, client_id)
        if platform and self.deployment_known(platform, deployment_id):
            return LtiDeployment().set_deployment_id(deployment_id)
        return None
