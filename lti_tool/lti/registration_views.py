"""/lti/register: LTI Dynamic Registration, opened by the platform in a frame or window.

Parse, speak the protocol (dynamic_registration), store through the same domain function as
`passeport platform add`, render. Every failure is a page for the administrator with a 4xx/502.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template, request

from .. import services
from ..domain.registrations import PlatformSettings, RegistrationError, register_platform
from .dynamic_registration import (
    RegistrationFailed,
    canvas_configuration,
    deep_linking_supported,
    discover,
    register,
    tool_registration,
)

log = logging.getLogger(__name__)
bp = Blueprint("lti_registration", __name__)


@bp.errorhandler(RegistrationFailed)
def failed(error: RegistrationFailed):
    log.warning("dynamic registration failed (%s): %s", error.code, error.en)
    return render_template("lti_registration_failed.html", error=error), error.status


@bp.get("/lti/register")
def dynamic_registration():
    configuration_url = request.args.get("openid_configuration", "").strip()
    token = request.args.get("registration_token") or None
    if not configuration_url:
        raise RegistrationFailed(
            "missing_openid_configuration",
            "Cette adresse s'ouvre depuis votre plateforme (« inscrire un outil par URL ») : le paramètre "
            "« openid_configuration » manque.",
            "Open this address from your platform ('register a tool by URL'): the 'openid_configuration' "
            "parameter is missing.")
    timeout = current_app.config["HTTP_TIMEOUT"]
    http = services.platform_keys().http
    platform = discover(http, configuration_url, token, timeout)
    document = tool_registration(current_app.config["BASE_URL"], deep_linking_supported(current_app.view_functions))
    client = register(http, platform, token, document, timeout)
    settings = PlatformSettings(
        issuer=platform.issuer, client_id=client.client_id, auth_login_url=platform.authorization_endpoint,
        auth_token_url=platform.token_endpoint, jwks_url=platform.jwks_uri,
        deployment_ids=(client.deployment_id,) if client.deployment_id else (),
        name=platform.product_family or platform.issuer, deployments_required=False)
    try:
        with services.database().session() as db:
            register_platform(db, settings)
    except RegistrationError as error:
        raise RegistrationFailed("invalid_registration", f"Inscription inutilisable : {error}.",
                                 f"Unusable registration: {error}.", 502) from error
    log.info("registered %s (client %s, deployment %s) by dynamic registration",
             platform.issuer, client.client_id, client.deployment_id)
    return render_template("lti_registered.html", settings=settings)


@bp.get("/lti/canvas.json")
def canvas_json():
    """Canvas developer key, method "Enter URL": this address."""
    return canvas_configuration(current_app.config["BASE_URL"], deep_linking_supported(current_app.view_functions))
