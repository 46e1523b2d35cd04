"""pylti1p3 tool configuration backed by the ``platforms`` and ``deployments`` tables."""
from __future__ import annotations

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select

from ..db import Database
from ..models import Deployment, Platform
from .keys import KeyRing


class DatabaseToolConf(ToolConfAbstract):
    """Every issuer may have several client ids (Canvas Cloud, multi-tenant Moodle)."""

    def __init__(self, database: Database, key_ring: KeyRing):
        self.database, self.key_ring = database, key_ring

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platforms_for(self, iss: str) -> list[Platform]:
        with self.database.sessions() as session:
            return list(session.scalars(select(Platform).where(Platform.issuer == iss)))

    def platform(self, iss: str, client_id: str | None) -> Platform | None:
        """The registration for (iss, client id); without a client id, the issuer's only one."""
        candidates = self.platforms_for(iss)
        if client_id is None:
            return candidates[0] if len(candidates) == 1 else None
        return next((p for p in candidates if p.client_id == client_id), None)

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs) -> Registration | None:
        platform = self.platform(iss, client_id)
        return self.registration(platform) if platform else None

    def registration(self, platform: Platform) -> Registration:
        with self.database.sessions() as session:
            _kid, private_key, public_pem = self.key_ring.active(session)
        return (
            Registration()
            .set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.jwks_url)
            .set_tool_private_key(private_key)
            .set_tool_public_key(public_pem)
        )

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None, *args, **kwargs):
        with self.database.sessions() as session:
            found = session.scalars(
                select(Deployment.id)
                .join(Platform)
                .where(Platform.issuer == iss, Deployment.deployment_id == deployment_id)
                .where(Platform.client_id == client_id if client_id is not None else True)
            ).first()
        return LtiDeployment().set_deployment_id(deployment_id) if found else None
