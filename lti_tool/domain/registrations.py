"""Platform registrations (issuer, client id, endpoints, deployments)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Deployment, Platform, User


class RegistrationError(ValueError):
    """A registration the tool cannot use; the message says which field and why."""


@dataclass(frozen=True)
class PlatformSettings:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: tuple[str, ...]
    name: str | None = None
    deployments_required: bool = True  # dynamic registration may come before the platform deploys the tool

    def check(self) -> None:
        for label, url in (("issuer", self.issuer), ("auth-login-url", self.auth_login_url),
                           ("auth-token-url", self.auth_token_url), ("jwks-url", self.jwks_url)):
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise RegistrationError(f"--{label} must be an http(s) URL, got {url!r}")
        if not self.client_id.strip():
            raise RegistrationError("--client-id must not be empty")
        if not all(d.strip() for d in self.deployment_ids) or (self.deployments_required and not self.deployment_ids):
            raise RegistrationError("at least one non-empty --deployment-id is required")
        for label, value, column in (("issuer", self.issuer, Platform.issuer),
                                     ("client-id", self.client_id, Platform.client_id),
                                     ("auth-login-url", self.auth_login_url, Platform.auth_login_url),
                                     ("auth-token-url", self.auth_token_url, Platform.auth_token_url),
                                     ("jwks-url", self.jwks_url, Platform.jwks_url),
                                     ("name", self.name or "", Platform.name),
                                     *(("deployment-id", d, Deployment.deployment_id) for d in self.deployment_ids)):
            if len(value) > column.type.length:
                raise RegistrationError(f"--{label} is {len(value)} characters long; at most "
                                        f"{column.type.length} are kept")


def register_platform(session: Session, settings: PlatformSettings) -> tuple[Platform, bool]:
    """Add or update the (issuer, client id) registration and add any new deployments.

    Returns the platform and whether it was created.
    """
    settings.check()
    platform = session.scalars(
        select(Platform).where(Platform.issuer == settings.issuer, Platform.client_id == settings.client_id)
    ).first()
    created = platform is None
    if platform is None:
        platform = Platform(issuer=settings.issuer, client_id=settings.client_id)
        session.add(platform)
    platform.auth_login_url = settings.auth_login_url
    platform.auth_token_url = settings.auth_token_url
    platform.jwks_url = settings.jwks_url
    platform.name = settings.name or platform.name
    known = {d.deployment_id for d in platform.deployments}
    for deployment_id in settings.deployment_ids:
        if deployment_id not in known:
            platform.deployments.append(Deployment(deployment_id=deployment_id))
            known.add(deployment_id)
    session.flush()
    return platform, created


def remove_platform(session: Session, issuer: str, client_id: str, delete_learner_data: bool = False) -> bool:
    """Remove a registration; refuses while learners' data depends on it unless told to delete it."""
    platform = session.scalars(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    ).first()
    if platform is None:
        return False
    users = session.scalar(select(func.count()).select_from(User).where(User.platform_id == platform.id))
    if users and not delete_learner_data:
        raise RegistrationError(
            f"{users} user(s) launched from this platform; their data would be deleted. "
            "Pass --delete-learner-data to remove the platform anyway."
        )
    session.delete(platform)
    return True


def list_platforms(session: Session) -> list[Platform]:
    return list(session.scalars(select(Platform).order_by(Platform.id)))
