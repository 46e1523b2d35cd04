"""LTI endpoints: /lti/login, /lti/launch, /.well-known/jwks.json, /lti/config."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from pylti1p3.contrib.flask import FlaskCookieService, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import OIDCException

from .. import services
from ..domain.learning import EventKind, LearningEvent
from ..domain.people import LaunchFacts, save_launch
from ..domain.roles import Role, is_platform_administrator
from ..player.resume import resume_url
from ..web_session import remember_launch
from .admin_views import grant_admin
from .dynamic_registration import DESCRIPTION, NAME, SCOPES, deep_linking_supported, icon_url
from .errors import LaunchError, bad_request, not_registered
from .tool_keys import public_jwks
from .launch import PasseportMessageLaunch
from .storage import DatabaseLaunchDataStorage, SingleUseNonceSessionService
from .toolconf import DatabaseToolConf

log = logging.getLogger(__name__)
bp = Blueprint("lti", __name__)


def _tool_conf() -> DatabaseToolConf:
    return DatabaseToolConf(services.database(), services.tool_keys())


def launch_url() -> str:
    return current_app.config["BASE_URL"] + "/lti/launch"


@bp.errorhandler(LaunchError)
def refused(error: LaunchError):
    log.warning("LTI message refused (%s): %s", error.code, error.en)
    return render_template("lti_error.html", error=error), error.status


@bp.route("/lti/login", methods=["GET", "POST"])
def login():
    """OIDC third-party initiated login: check the issuer, then redirect to the platform."""
    params = request.values
    iss, login_hint = params.get("iss"), params.get("login_hint")
    if not iss or not login_hint:
        raise bad_request(
            "missing_login_parameter",
            "La demande de connexion doit contenir « iss » et « login_hint ».",
            "The login request must contain 'iss' and 'login_hint'.",
        )
    tool_conf = _tool_conf()
    if tool_conf.platform(iss, params.get("client_id")) is None:
        client = params.get("client_id") or "CLIENT_ID"
        deployment = params.get("lti_deployment_id") or "DEPLOYMENT_ID"
        raise not_registered(
            "unknown_issuer",
            f"La plateforme « {iss} » (client « {client} ») n'est pas enregistrée dans Passeport.",
            f"Platform '{iss}' (client '{client}') is not registered with Passeport.",
            f"passeport platform add --issuer {iss} --client-id {client} --auth-login-url URL "
            f"--auth-token-url URL --jwks-url URL --deployment-id {deployment}",
        )
    flask_request = FlaskRequest()
    oidc = FlaskOIDCLogin(
        flask_request,
        tool_conf,
        session_service=SingleUseNonceSessionService(flask_request),
        cookie_service=FlaskCookieService(flask_request),
        launch_data_storage=DatabaseLaunchDataStorage(services.database()),
    )
    try:
        return oidc.redirect(launch_url())
    except OIDCException as error:
        raise bad_request("invalid_login", f"Demande de connexion refusée : {error}.", f"Login refused: {error}.") from error


@bp.post("/lti/launch")
def launch():
    message = PasseportMessageLaunch(
        _tool_conf(),
        DatabaseLaunchDataStorage(services.database()),
        services.platform_keys(),
    )
    message.validate()
    lti = message.to_launch()
    module = services.catalogue().resolve(lti.requested_module())
    with services.database().begin() as db:  # one transaction: nonce, launch data, people, the launch event
        message.commit(db)
        learner = save_launch(db, LaunchFacts(
            platform_id=message.platform.id, issuer=lti.issuer, sub=lti.sub, role=lti.role, roles=lti.roles, name=lti.name,
            email=lti.email, context=lti.context, resource_link=lti.resource_link,
            module_id=module.id if module else None,
        ))
        locale = (lti.locale or "fr")[:2].lower()
        if module and lti.role is Role.LEARNER:
            services.learning().record(db, LearningEvent(kind=EventKind.MODULE_LAUNCHED, learner=learner,
                                                         module_id=module.id, locale=locale))
        learner_lands_on = resume_url(db, learner.user_id, module) if module else url_for("player.catalogue")
    remember_launch(learner, lti.role, lti.launch_id, locale)
    if is_platform_administrator(lti.roles):
        grant_admin("launch")
        return redirect(url_for("lti_admin.platforms"), 303)
    if lti.role in (Role.INSTRUCTOR, Role.ADMINISTRATOR):
        return redirect(url_for("dashboards.trainer_home"), 303)
    return redirect(learner_lands_on, 303)


@bp.get("/.well-known/jwks.json")
def jwks():
    with services.database().sessions() as db:
        return public_jwks(db)


@bp.get("/lti/config")
def config():
    """Everything an LMS administrator needs: automatic registration, or every value for a manual one."""
    base = current_app.config["BASE_URL"]
    return render_template(
        "lti_config.html",
        name=NAME, description=DESCRIPTION, icon_url=icon_url(base), https=base.startswith("https://"),
        deep_linking=deep_linking_supported(current_app.view_functions),
        modules=services.catalogue().modules,
        settings={
            "register_url": base + "/lti/register",
            "canvas_url": base + "/lti/canvas.json",
            "tool_url": base + "/lti/launch",
            "login_url": base + "/lti/login",
            "redirect_uri": base + "/lti/launch",
            "jwks_url": base + "/.well-known/jwks.json",
            "domain": urlsplit(base).netloc,
        },
        scopes=SCOPES,
    )
