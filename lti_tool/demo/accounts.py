"""The demo LMS's registration with the tool, its course and its people."""
from __future__ import annotations

import secrets
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
    return app.config["DEMO_URL"] + "/demo"


def register_demo_platform(app: Flask) -> None:
    """Register the demo LMS with the tool (idempotent) by LTI Dynamic Registration, the administrators' path.

    Without the demo LMS mounted (``passeport demo seed`` with the demo off) nothing could answer the
    registration, so the same settings are stored directly, as an administrator would by CLI.
    """
    if "demo" in app.blueprints:
        register_by_dynamic_registration(app)
        return
    base = app.config["DEMO_URL"]
    with services.database(app).session() as db:
        register_platform(db, PlatformSettings(
            issuer=issuer(app), client_id=CLIENT_ID, auth_login_url=base + "/demo/auth",
            auth_token_url=base + "/demo/token", jwks_url=base + "/demo/jwks",
            deployment_ids=(DEPLOYMENT_ID,), name="Demo LMS",
        ))


def register_by_dynamic_registration(app: Flask) -> None:
    """Open the tool's /lti/register as an LMS administrator's browser would, with a fresh registration token."""
    from .inprocess import AppTransport

    demo = app.config["DEMO_URL"]
    running = services.services(app)
    running.demo_registration_token = secrets.token_urlsafe(24)
    running.platform_keys.http.mount(demo + "/demo/", AppTransport(app))
    page = app.test_client().get("/lti/register", base_url=app.config["BASE_URL"], query_string={
        "openid_configuration": demo + "/demo/.well-known/openid-configuration",
        "registration_token": running.demo_registration_token})
    running.demo_registration_token = None  # single use
    if page.status_code != 200:
        raise RuntimeError(f"the demo LMS could not register the tool (HTTP {page.status_code}): "
                           + " ".join(page.get_data(as_text=True).split())[:600])
