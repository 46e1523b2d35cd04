"""The bundled demo LMS: a real LTI 1.3 platform (lti1p3platform) with one course.

It signs its own id_tokens with its own key, publishes its JWKS and serves the
OIDC authorisation and token endpoints, so the tool validates it exactly like
Moodle or Canvas. Mounted at /demo when PASSEPORT_DEMO is on.
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.request import Request

from .. import services
from . import gradebook
from .accounts import CLIENT_ID, COURSE, DEPLOYMENT_ID, LIS, USERS, issuer, register_demo_platform
from .gradebook import deep_link_data, placed_activities, placed_activity
from .platform import config as _config
from .platform import demo_config, platform_key

__all__ = ["COURSE", "USERS", "bp", "demo_config", "issuer", "platform_key", "register_demo_platform"]

bp = Blueprint("demo", __name__, url_prefix="/demo")
bp.register_blueprint(gradebook.bp)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"

class _FlaskRequest(Request):
    def build_metadata(self, flask_request):
        return {
            "method": flask_request.method,
            "form_data": flask_request.form.to_dict(),
            "get_data": flask_request.args.to_dict(),
            "headers": dict(flask_request.headers),
            "content_type": flask_request.content_type,
            "path": flask_request.path,
            "json": flask_request.get_json(silent=True),
        }


class _DemoLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    storage_target: str | None = None

    def get_redirect(self, url: str):
        """In an iframe with postMessage storage on, the tool is told which frame keeps its data."""
        if self.storage_target:
            url += ("&" if "?" in url else "?") + urlencode({"lti_storage_target": self.storage_target})
        return redirect(url)


class _DemoLaunch(LTIAdvantageMessageLaunchAbstract):

    def render_launch_form(self, launch_data, **kwargs):
        return render_template("demo/autosubmit.html", **launch_data)


@bp.get("/")
def course():
    """The course page; ``container`` (iframe, window, or by default the same window) and ``storage``
    (postMessage storage on/off) as an LMS administrator would set them."""
    catalogue = services.catalogue()
    container = request.args.get("container") if request.args.get("container") in ("iframe", "window") else "self"
    storage = "off" if request.args.get("storage") == "off" else "on"
    base = urlsplit(current_app.config["BASE_URL"])
    return render_template("demo/course.html", course=COURSE, modules=catalogue.modules, users=USERS,
                           activities=placed_activities(), container=container, storage=storage,
                           tool_origin=f"{base.scheme}://{base.netloc}")


@bp.post("/start")
def start():
    """Third-party initiated login, as an LMS does when someone clicks an LTI link (or "select content")."""
    user = USERS.get(request.form.get("user", ""))
    target = _target(request.form.get("module"), request.form.get("activity"), request.form.get("deep_link"))
    locale = request.form.get("locale", "fr")
    if user is None or target is None or locale not in ("fr", "en"):
        abort(400, description="Unknown demo user, module, activity or language. / "
                               "Utilisateur, module, activité ou langue inconnus.")
    container = request.form.get("container", "window")
    login = _DemoLogin(_FlaskRequest(request), _config())
    login.set_lti_message_hint(hint=f"{target}|{locale}|{'iframe' if container == 'iframe' else 'window'}")
    login.storage_target = "_parent" if container == "iframe" and request.form.get("storage") == "on" else None
    return login.initiate_login(user.key)


def _target(module: str | None, activity: str | None, deep_link: str | None) -> str | None:
    """What a launch opens, as the login hint carries it: ``module:<folder>``, ``activity:<id>`` or ``deep_link:``."""
    if deep_link:
        return "deep_link:"
    if activity and activity.isdigit():
        return f"activity:{activity}" if placed_activity(int(activity)) else None
    found = services.catalogue().resolve(module)
    return f"module:{found.folder}" if found else None


@bp.route("/auth", methods=["GET", "POST"])
def auth():
    """OIDC authorisation endpoint: answers the tool's login redirect with a signed id_token."""
    params = request.values
    user = USERS.get(params.get("login_hint", ""))
    target, locale, container = ((params.get("lti_message_hint") or "").split("|") + ["", "", ""])[:3]
    kind, _, reference = target.partition(":")
    activity = placed_activity(int(reference)) if kind == "activity" and reference.isdigit() else None
    deep_link = kind == "deep_link"
    module = None if deep_link else services.catalogue().resolve(activity.module_id if activity else reference)
    if user is None or (not deep_link and module is None):
        abort(400, description="Unknown login_hint or lti_message_hint. / Indications de connexion inconnues.")
    if params.get("redirect_uri") != current_app.config["BASE_URL"] + "/lti/launch":
        abort(400, description="redirect_uri is not the tool's registered launch URL.")
    base = current_app.config["BASE_URL"]
    message = _DemoLaunch(_FlaskRequest(request), _config())
    message.set_user_data(user.sub, list(user.roles), full_name=user.name, email_address=user.email)
    message.set_launch_context_claim(COURSE["id"], [LIS.replace("membership#", "course#CourseOffering")],
                                     COURSE["title"], COURSE["label"])
    message.set_nrps(base + "/demo/memberships")
    if deep_link:
        message.set_dl(base + "/demo/deep-linking/return", title=COURSE["title"], accept_types={"ltiResourceLink"},
                       extra_data=deep_link_data())
    else:
        assert module is not None
        link = f"demo-activity-{activity.id}" if activity else f"demo-rl-{module.folder}"
        message.set_resource_link_claim(link, title=activity.label if activity else module.title["fr"])
        message.set_custom_parameters_claim({"module": module.folder})
        message.set_ags(base + "/demo/lineitems",
                        base + f"/demo/lineitems/{activity.id}" if activity and activity.score_maximum else None)
    message.set_extra_claims({"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
        "document_target": "iframe" if container == "iframe" else "window",
        "return_url": current_app.config["DEMO_URL"] + "/demo/", "locale": locale or "fr"}})
    try:
        return message.lti_launch()
    except Exception as error:  # lti1p3platform signals bad preflight responses with bare exceptions
        abort(400, description=f"Invalid authentication request from the tool: {error!r}")


@bp.get("/jwks")
def jwks():
    return {"keys": [platform_key().jwk]}


@bp.get("/.well-known/openid-configuration")
def openid_configuration():
    """The platform's OpenID configuration, read by the tool during dynamic registration."""
    base = current_app.config["DEMO_URL"]
    return {
        "issuer": issuer(current_app), "authorization_endpoint": base + "/demo/auth",
        "token_endpoint": base + "/demo/token", "jwks_uri": base + "/demo/jwks",
        "registration_endpoint": base + "/demo/registrations",
        "scopes_supported": ["openid"], "response_types_supported": ["id_token"],
        "id_token_signing_alg_values_supported": ["RS256"], "claims_supported": ["sub", "iss", "name", "email"],
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": "passeport-demo", "version": "1",
            "messages_supported": [{"type": "LtiResourceLinkRequest"}]},
    }


@bp.post("/registrations")
def registrations():
    """Dynamic registration endpoint: accepts the tool's client registration with the current token."""
    expected = services.services().demo_registration_token
    if not expected or request.headers.get("Authorization") != f"Bearer {expected}":
        return {"error": "invalid_token"}, 401
    posted = request.get_json(silent=True)
    if not isinstance(posted, dict) or posted.get("redirect_uris") != [current_app.config["BASE_URL"] + "/lti/launch"]:
        return {"error": "invalid_redirect_uri"}, 400
    tool = dict(posted.get(TOOL_CONFIGURATION) or {}, deployment_id=DEPLOYMENT_ID)
    return {**posted, "client_id": CLIENT_ID, TOOL_CONFIGURATION: tool}


@bp.post("/token")
def token():
    """OAuth 2 client-credentials endpoint for the tool's LTI Advantage service calls."""
    try:
        return demo_config().get_access_token(request.form.to_dict())
    except Exception as error:  # bad assertions surface as library exceptions
        return {"error": "invalid_request", "error_description": str(error)}, 400
