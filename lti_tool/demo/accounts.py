"""The demo LMS's registration with the tool, its course and its people."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from .. import services
from ..domain.registrations import PlatformSettings, register_platform

CLIENT_ID = "passeport-demo"
DEPLOYMENT_ID = "demo-deployment-1"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
COURSE = {"id": "demo-course-1", "title": "Session de démonstration — Passeport", "label": "PASS-DEMO"}


@dataclass(frozen=True)
class DemoUser:
    key: str
    sub: str
    name: str
    email: str
    roles: tuple[str, ...]


USERS = {
    "alice": DemoUser("alice", "demo-alice", "Alice Martin", "alice.martin@example.org", (LIS + "Learner",)),
    "bruno": DemoUser("bruno", "demo-bruno", "Bruno Lefèvre", "bruno.lefevre@example.org", (LIS + "Instructor",)),
    # enrolled, never opens Passeport: the roster (NRPS) still lists her
    "chloe": DemoUser("chloe", "demo-chloe", "Chloé Garnier", "chloe.garnier@example.org", (LIS + "Learner",)),
}


def issuer(app: Flask) -> str:
    return app.config["BASE_URL"] + "/demo"


def register_demo_platform(app: Flask) -> None:
    """Register the demo LMS with the tool (idempotent), as an administrator would by CLI."""
    base = app.config["BASE_URL"]
    with services.database(app).session() as db:
        register_platform(db, PlatformSettings(
            issuer=issuer(app), client_id=CLIENT_ID, auth_login_url=base + "/demo/auth",
            auth_token_url=base + "/demo/token", jwks_url=base + "/demo/jwks",
            deployment_ids=(DEPLOYMENT_ID,), name="Demo LMS",
        ))
