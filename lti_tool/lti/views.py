"""LTI endpoints: /lti/login, /lti/launch, /.well-known/jwks.json, /lti/config."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, current_app, make_response, redirect, render_template, request, session, url_for
from pylti1p3.contrib.flask import FlaskCookieService, FlaskOIDCLogin
from pylti1p3.exception import OIDCException
from sqlalchemy.exc import IntegrityError

from .. import launch_session, services
from ..domain.catalogue import Module
from ..domain.learning import EventKind, Learner, LearningEvent, Resume, module_progress
from ..domain.people import LaunchFacts, save_launch
from ..domain.roles import Role, is_platform_administrator
from ..player import module_page
from ..player.resume import resume_url
from ..web_session import remember_launch, supported_locale
from .admin_views import grant_admin
from .cookieless import PendingLogin, pending_login, remember_login, storage_key
from .dynamic_registration import DESCRIPTION, NAME, SCOPES, deep_linking_supported, icon_url
from .errors import LaunchError, bad_request, not_registered, platform_add_command, unauthorized
from .launch import Launch, PasseportMessageLaunch, StateNotInCookie, cookie_request
from .storage import DatabaseLaunchDataStorage, SingleUseNonceSessionService
from .tool_keys import public_jwks
from .toolconf import DatabaseToolConf

log = logging.getLogger(__name__)
bp = Blueprint("lti", __name__)


def _tool_conf() -> DatabaseToolConf:
    return DatabaseToolConf(services.registry(), services.database(), services.tool_keys())


def launch_url() -> str:
    return current_app.config["BASE_URL"] + "/lti/launch"


@bp.errorhandler(LaunchError)
def refused(error: LaunchError):
    log.warning("LTI message refused (%s, reference %s): %s%s", error.code, error.reference, error.en,
                f" — to register: {error.hint}" if error.hint else "")
    # The registration command is for administrators (a Passeport session launched as one); anyone
    # else sees a reference to quote, which finds the command in the log.
    administrator = (session.get("passeport") or {}).get("role") == Role.ADMINISTRATOR.value
    return render_template("lti_error.html", error=error, show_hint=administrator), error.status


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
            platform_add_command(str(iss), str(client), deployment_id=str(deployment)),
        )
    flask_request = cookie_request()
    nonces = SingleUseNonceSessionService(flask_request)
    oidc = FlaskOIDCLogin(
        flask_request,
        tool_conf,
        session_service=nonces,
        cookie_service=FlaskCookieService(flask_request),
        launch_data_storage=DatabaseLaunchDataStorage(services.database()),
    )
    try:
        auth_url = oidc._prepare_redirect_url(launch_url())  # pylti1p3: validates, sets the state cookie and nonce
    except OIDCException as error:
        raise bad_request("invalid_login", f"Demande de connexion refusée : {error}.",
                          f"Login refused: {error}.") from error
    state = parse_qs(urlsplit(auth_url).query)["state"][0]
    target = params.get("lti_storage_target")
    pending = remember_login(DatabaseLaunchDataStorage(services.database()), state, params, target, auth_url,
                             nonces.unsaved)
    if pending.binding:
        platform = tool_conf.platform(iss, params.get("client_id"))
        response = make_response(render_template(
            "lti_storage.html", mode="put", target=target, origin=_origin(platform.auth_login_url) if platform else "",
            key=storage_key(state), value=pending.binding, next_url=auth_url))
    elif request.headers.get("Sec-Fetch-Dest") == "iframe":  # will the state cookie come back to this frame?
        response = make_response(redirect(url_for("lti.login_check", state=state), 303))
    else:
        response = make_response(redirect(auth_url))
    oidc._cookie_service.update_response(response)  # the state cookie (partitioned over HTTPS)
    return response


@bp.get("/lti/login/check")
def login_check():
    """The login's second step in a frame: on to the platform if the state cookie came back, else the new tab,
    whose login is then the first to use the platform's ``lti_message_hint`` (Moodle's serves once)."""
    state = request.args.get("state", "")
    pending = pending_login(DatabaseLaunchDataStorage(services.database()), state) if state else None
    if pending is None or not pending.auth_url:
        raise unauthorized(
            "invalid_state",
            "Cette connexion est inconnue ou a expiré : relancez l'activité depuis votre plateforme.",
            "This login is unknown or has expired: launch the activity again from your platform.")
    if FlaskCookieService(cookie_request()).get_cookie(state) == state:
        return redirect(pending.auth_url)
    return _new_tab(pending)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.post("/lti/launch")
def launch():
    message = PasseportMessageLaunch(
        _tool_conf(),
        DatabaseLaunchDataStorage(services.database()),
        services.platform_keys(),
    )
    try:
        message.validate()
    except StateNotInCookie as missing:
        return _launch_without_cookie(missing)
    lti = message.to_launch()
    module = services.catalogue().resolve(lti.requested_module())
    locale = supported_locale(lti.locale or "fr")
    try:
        learner, resume = _record_launch(message, lti, module, locale)
    except IntegrityError:  # a row this process remembered writing was removed since: write everything again
        services.database().recent_writes.forget()
        learner, resume = _record_launch(message, lti, module, locale)
    learner_lands_on = resume_url(module.id, resume) if module and resume else url_for("player.catalogue")
    remember_launch(learner, lti.role, lti.launch_id, locale)
    if message.state_from_storage:  # no cookie comes back to this frame: its pages carry a session token
        launch_session.start(current_app, lti.launch_id, dict(session))
    if module and resume and resume.on_module_page and lti.role is Role.LEARNER:  # the launch recorded its opening
        return module_page(module, resume.progress, locale, address=launch_session.carry(learner_lands_on))
    if lti.message_type == "LtiDeepLinkingRequest":
        return redirect(launch_session.carry(url_for("deep_linking.picker")), 303)
    if is_platform_administrator(lti.roles):
        grant_admin("launch")
        return redirect(url_for("lti_admin.platforms"), 303)
    if lti.role in (Role.INSTRUCTOR, Role.ADMINISTRATOR):
        return redirect(url_for("dashboards.trainer_home"), 303)
    return redirect(launch_session.carry(learner_lands_on), 303)


def _record_launch(message: PasseportMessageLaunch, lti: Launch, module: Module | None, locale: str
                   ) -> tuple[Learner, Resume | None]:
    """One transaction: the nonce, the people, the launch's learning events."""
    database = services.database()
    with database.begin() as db:
        message.commit(db, keep_launch_data=lti.message_type == "LtiDeepLinkingRequest")
        learner = save_launch(db, LaunchFacts(
            platform_id=message.platform.id, issuer=lti.issuer, sub=lti.sub, role=lti.role, roles=lti.roles,
            name=lti.name, email=lti.email, context=lti.context, resource_link=lti.resource_link,
            module_id=module.id if module else None,
        ), database.recent_writes)
        services.advantage().remember_services(db, message.platform.id, learner.context_id, lti.resource_link.get("id"),
                                               module.id if module else None, lti.services)
        return learner, _resume(db, lti.role, learner, module, locale) if module else None


def _resume(db, role: Role, learner: Learner, module: Module, locale: str) -> Resume:
    """Where the launched user resumes the module; a learner's launch is recorded on the way."""
    if role is Role.LEARNER:
        return services.learning().launch(db, LearningEvent(
            kind=EventKind.MODULE_LAUNCHED, learner=learner, module_id=module.id, locale=locale))
    return Resume.of(module_progress(db, learner.user_id, module.id))


def _launch_without_cookie(missing: StateNotInCookie):
    """Read the state's binding back from the platform's frame, or offer a new tab."""
    pending = missing.pending
    if pending.binding and not request.form.get("lti_storage_checked"):
        platform = _tool_conf().platform(pending.parameters.get("iss") or "", pending.parameters.get("client_id"))
        return render_template(
            "lti_storage.html", mode="get", target=pending.target or "_parent",
            origin=_origin(platform.auth_login_url) if platform else "", key=storage_key(missing.state),
            form={"id_token": request.form.get("id_token", ""), "state": missing.state}, next_url=launch_url())
    return _new_tab(pending)


def _new_tab(pending: PendingLogin):
    login_url = current_app.config["BASE_URL"] + "/lti/login"
    return render_template("lti_new_tab.html", url=pending.new_tab_login_url(login_url))


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
