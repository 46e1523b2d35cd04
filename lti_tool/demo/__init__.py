"""The bundled demo LMS: a real LTI 1.3 platform (lti1p3platform) with one course.

It signs its own id_tokens with its own key, publishes its JWKS and serves the
OIDC authorisation and token endpoints, so the tool validates it exactly like
Moodle or Canvas. Mounted at /demo when PASSEPORT_DEMO is on.
"""
from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Blueprint, abort, current_app, redirect, render_template, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

from .. import services
from .accounts import CLIENT_ID, COURSE, DEPLOYMENT_ID, LIS, USERS, issuer, register_demo_platform

__all__ = ["COURSE", "USERS", "bp", "issuer", "register_demo_platform"]

bp = Blueprint("demo", __name__, url_prefix="/demo")
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"

class _PlatformKey:
    """The demo platform's RSA key, generated once under instance/ and parsed once per process."""

    _lock = threading.Lock()

    def __init__(self, path: Path):
        with self._lock:
            if not path.exists():
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
                path.chmod(0o600)
        pem = path.read_bytes()
        self.private_key = serialization.load_pem_private_key(pem, None)
        self.private_pem = pem.decode()
        self.public_pem = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.jwk = Registration.get_jwk(self.public_pem)


def platform_key() -> _PlatformKey:
    running = services.services()
    key = running.demo_platform_key
    if key is None:
        key = running.demo_platform_key = _PlatformKey(
            Path(current_app.config["INSTANCE_PATH"]) / "demo-platform-key.pem")
    return key


class _DemoRegistration(Registration):
    """Signs with the parsed key object: lti1p3platform re-parses the PEM on every signature."""

    def __init__(self, key: _PlatformKey):
        super().__init__()
        self._key = key

    def get_kid(self):
        return self._key.jwk["kid"]

    def platform_encode_and_sign(self, payload, expiration=None):
        return Registration.encode_and_sign(payload, self._key.private_key, {"kid": self.get_kid()}, expiration)


class _DemoPlatformConfig(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs) -> None:
        self.app = kwargs["app"]

    def get_registration_by_params(self, **kwargs) -> Registration:
        base, key = self.app.config["BASE_URL"], platform_key()
        return (
            _DemoRegistration(key)
            .set_iss(issuer(self.app))
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(base + "/lti/login")
            .set_launch_url(base + "/lti/launch")
            .set_deeplink_launch_url(base + "/lti/launch")
            .set_platform_public_key(key.public_pem)
            .set_platform_private_key(key.private_pem)
            .set_tool_key_set_url(base + "/.well-known/jwks.json")
        )


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


def _config() -> _DemoPlatformConfig:
    return _DemoPlatformConfig(app=current_app._get_current_object())  # type: ignore[attr-defined]  # the proxied app


@bp.get("/")
def course():
    """The course page; ``container`` (iframe, window, or by default the same window) and ``storage``
    (postMessage storage on/off) as an LMS administrator would set them."""
    catalogue = services.catalogue()
    container = request.args.get("container") if request.args.get("container") in ("iframe", "window") else "self"
    storage = "off" if request.args.get("storage") == "off" else "on"
    base = urlsplit(current_app.config["BASE_URL"])
    return render_template("demo/course.html", course=COURSE, modules=catalogue.modules, users=USERS,
                           container=container, storage=storage, tool_origin=f"{base.scheme}://{base.netloc}")


@bp.post("/start")
def start():
    """Third-party initiated login, as an LMS does when someone clicks an LTI link."""
    user = USERS.get(request.form.get("user", ""))
    module = services.catalogue().resolve(request.form.get("module"))
    locale = request.form.get("locale", "fr")
    if user is None or module is None or locale not in ("fr", "en"):
        abort(400, description="Unknown demo user, module or language. / Utilisateur, module ou langue inconnus.")
    container = request.form.get("container", "window")
    login = _DemoLogin(_FlaskRequest(request), _config())
    login.set_lti_message_hint(hint=f"{module.folder}|{locale}|{'iframe' if container == 'iframe' else 'window'}")
    login.storage_target = "_parent" if container == "iframe" and request.form.get("storage") == "on" else None
    return login.initiate_login(user.key)


@bp.route("/auth", methods=["GET", "POST"])
def auth():
    """OIDC authorisation endpoint: answers the tool's login redirect with a signed id_token."""
    params = request.values
    user = USERS.get(params.get("login_hint", ""))
    folder, locale, container = ((params.get("lti_message_hint") or "").split("|") + ["", "", ""])[:3]
    module = services.catalogue().resolve(folder)
    if user is None or module is None:
        abort(400, description="Unknown login_hint or lti_message_hint. / Indications de connexion inconnues.")
    if params.get("redirect_uri") != current_app.config["BASE_URL"] + "/lti/launch":
        abort(400, description="redirect_uri is not the tool's registered launch URL.")
    message = _DemoLaunch(_FlaskRequest(request), _config())
    message.set_user_data(user.sub, list(user.roles), full_name=user.name, email_address=user.email)
    message.set_resource_link_claim(f"demo-rl-{module.folder}", title=module.title["fr"])
    message.set_launch_context_claim(COURSE["id"], [LIS.replace("membership#", "course#CourseOffering")],
                                     COURSE["title"], COURSE["label"])
    message.set_custom_parameters_claim({"module": module.folder})
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
    config = _config()
    config.get_registration()
    try:
        return config.get_access_token(request.form.to_dict())
    except Exception as error:  # bad assertions surface as library exceptions
        return {"error": "invalid_request", "error_description": str(error)}, 400
