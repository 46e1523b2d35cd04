"""pylti1p3 tool configuration backed by the ``platforms`` and ``deployments`` tables."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select

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


class DatabaseToolConf(ToolConfAbstract):
    """Every issuer may have several client ids (Canvas Cloud, multi-tenant Moodle).

    One instance serves one request and reads each issuer's registrations once.
    """

    def __init__(self, database: Database, key_ring: KeyRing):
        self.database, self.key_ring = database, key_ring
        self._read: dict[str, list[PlatformRecord]] = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platforms_for(self, iss: str) -> list[PlatformRecord]:
        if iss not in self._read:
            self._read[iss] = self._load(iss)
        return self._read[iss]

    def _load(self, iss: str) -> list[PlatformRecord]:
        columns = (Platform.id, Platform.issuer, Platform.client_id, Platform.auth_login_url,
                   Platform.auth_token_url, Platform.jwks_url)
        with self.database.read() as connection:
            rows = connection.execute(
                select(*columns, Deployment.deployment_id)
                .outerjoin(Deployment, Deployment.platform_id == Platform.id)
                .where(Platform.issuer == iss)
                .order_by(Platform.id)
            ).all()
        found: dict[int, tuple[Any, set[str]]] = {}
        for row in rows:
            found.setdefault(row.id, (row, set()))[1].add(row.deployment_id)
        return [PlatformRecord(r.id, r.issuer, r.client_id, r.auth_login_url, r.auth_token_url, r.jwks_url,
                               frozenset(d for d in deps if d)) for r, deps in found.values()]

    def platform(self, iss: str, client_id: str | None) -> PlatformRecord | None:
        """The registration for (iss, client id); without a client id, the issuer's only one."""
        candidates = self.platforms_for(iss)
        if client_id is None:
            return candidates[0] if len(candidates) == 1 else None
        return next((p for p in candidates if p.client_id == client_id), None)

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
        if platform and deployment_id in platform.deployment_ids:
            return LtiDeployment().set_deployment_id(deployment_id)
        return None
