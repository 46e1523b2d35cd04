"""An independent LTI 1.3 platform: the `lti1p3platform` library (PyPI) behind a small Flask app.

It is not Passeport's demo LMS: it has its own keys, issuer and client id, and
can be told (through ``lti_message_hint``) to send a faulty id_token, so the
tool's refusals are tested over real HTTP.
"""
from __future__ import annotations

import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, redirect, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def _pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _public_pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class _Request(Request):
    def build_metadata(self, r):
        return {"method": r.method, "form_data": r.form.to_dict(), "get_data": r.args.to_dict(),
                "headers": dict(r.headers), "content_type": r.content_type, "path": r.path, "json": None}


# A scenario changes the signed message, or the key and header it is signed with.
def _expired(message):
    message.update(iat=int(time.time()) - 3600, exp=int(time.time()) - 1800)


SCENARIOS = {
    "ok": lambda message: None,
    "expired": _expired,
    "wrong_aud": lambda message: message.update(aud="another-tool", azp="another-tool"),
    "unknown_deployment": lambda message: message.update({CLAIM + "deployment_id": "not-registered"}),
    "unknown_issuer": lambda message: message.update(iss="https://unknown-lms.example.org"),
    "missing_resource_link": lambda message: message.pop(CLAIM + "resource_link"),
    "missing_sub": lambda message: message.pop("sub"),
    "wrong_message_type": lambda message: message.update({CLAIM + "message_type": "LtiStartProctoring"}),
    "wrong_version": lambda message: message.update({CLAIM + "version": "1.1.0"}),
}


class PeerPlatform:
    issuer = "https://peer-lms.example.org"
    client_id = "peer-client-42"
    deployment_id = "peer-deployment-1"

    def __init__(self, tool_url: str):
        self.tool_url = tool_url
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = Registration.get_jwk(_public_pem(self.key))["kid"]
        self.url = None  # set once served
        self.app = self._build_app()

    def registration(self) -> Registration:
        return (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(self.client_id)
            .set_deployment_id(self.deployment_id)
            .set_oidc_login_url(self.tool_url + "/lti/login")
            .set_launch_url(self.tool_url + "/lti/launch")
            .set_platform_public_key(_public_pem(self.key))
            .set_platform_private_key(_pem(self.key))
            .set_tool_key_set_url(self.tool_url + "/.well-known/jwks.json")
        )

    def launch_form(self, browser, scenario: str = "ok", user: str = "learner-1", locale: str = "fr") -> dict:
        """Platform start → tool /lti/login → platform /auth: the form a browser would post to the tool."""
        response = browser.get(f"{self.url}/start", params={"scenario": scenario, "user": user, "locale": locale})
        assert response.status_code == 200, response.text
        return response.json()

    def launch(self, browser, scenario: str = "ok", user: str = "learner-1", locale: str = "fr"):
        """A whole launch in ``browser`` (a requests.Session); returns the tool's answer, unfollowed."""
        form = self.launch_form(browser, scenario, user, locale)
        return browser.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]},
                            allow_redirects=False)

    def cli_args(self) -> list[str]:
        return ["--issuer", self.issuer, "--client-id", self.client_id,
                "--auth-login-url", self.url + "/auth", "--auth-token-url", self.url + "/token",
                "--jwks-url", self.url + "/jwks", "--deployment-id", self.deployment_id]

    def _build_app(self) -> Flask:
        peer = self
        app = Flask("peer-platform")

        class Config(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **kwargs):
                pass

            def get_registration_by_params(self, **kwargs):
                return peer.registration()

        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs):
                self._lti_message_hint = kwargs["hint"]

            def get_redirect(self, url):
                return redirect(url)

        class Launch(LTIAdvantageMessageLaunchAbstract):
            scenario = "ok"

            def generate_launch_request(self):
                message, state = self.get_launch_data()
                message.update(iat=int(time.time()), exp=int(time.time()) + 300)
                SCENARIOS.get(self.scenario, SCENARIOS["ok"])(message)
                key, kid = peer.key, peer.kid
                if self.scenario == "forged_signature":
                    key = peer.stranger_key
                elif self.scenario == "unknown_kid":
                    key, kid = peer.stranger_key, "kid-the-platform-never-published"
                return {"state": state, "id_token": Registration.encode_and_sign(message, key, {"kid": kid})}

            def render_launch_form(self, launch_data, **kwargs):
                return {"launch_url": launch_data["launch_url"], "id_token": launch_data["id_token"],
                        "state": launch_data["state"]}

        @app.get("/jwks")
        def jwks():
            return {"keys": peer.registration().get_jwks()}

        @app.get("/start")
        def start():
            login = Login(_Request(request), Config())
            login.set_lti_message_hint(hint=f"{request.args.get('scenario', 'ok')}|{request.args.get('locale', 'fr')}")
            return login.initiate_login(request.args.get("user", "learner-1"))

        @app.get("/auth")
        def auth():
            launch = Launch(_Request(request), Config())
            launch.scenario, _, locale = request.args.get("lti_message_hint", "ok|fr").partition("|")
            user = request.args["login_hint"]
            roles = ([INSTRUCTOR] if user.startswith("trainer") else
                     [INSTITUTION_ADMIN, INSTRUCTOR] if user.startswith("admin") else [LEARNER])
            launch.set_user_data(user, roles, full_name=f"Peer {user}")
            launch.set_resource_link_claim("peer-rl-1", title="Module 5")
            launch.set_launch_context_claim("peer-course-1", context_title="Peer course")
            launch.set_custom_parameters_claim({"module": "05-vendre-sur-internet"})
            launch.set_extra_claims({CLAIM + "launch_presentation": {"document_target": "iframe", "locale": locale}})
            return launch.lti_launch()

        return app
