"""Two platforms that register Passeport by LTI Dynamic Registration, as Moodle and Canvas do.

Both are the independent peer platform (lti1p3platform) with the registration side added:
- Moodle-like: configuration at /mod/lti/openid-configuration.php readable without a token, the
  registration token checked on the POST only, the answer echoing the tool configuration with a
  numeric deployment id and ``product_family_code`` "moodle".
- Canvas-like: configuration at /api/lti/security/openid-configuration refusing any request without
  the Bearer token (as Canvas does), a long numeric client id, Canvas's extra keys in the answer.
Each keeps what the tool posted, so the test reads it, then launches with the client it issued.
"""
from __future__ import annotations

from flask import jsonify, request

from .lti_platform import PeerPlatform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class RegisteringPlatform(PeerPlatform):
    configuration_path = "/.well-known/openid-configuration"
    registration_path = "/register"
    token_on_configuration = False
    product_family = "peer"

    def __init__(self, tool_url: str, url: str, registration_token: str = "reg-token-1"):
        self.url = url
        self.issuer = url
        self.registration_token = registration_token
        self.client_id = None
        self.deployment_id = None
        self.posted: dict | None = None
        self.configuration_requests: list[dict] = []
        self.faults: set[str] = set()
        super().__init__(tool_url)
        self.url = url
        self._add_registration_routes()

    def registration_url(self, tool_url: str) -> str:
        return (f"{tool_url}/lti/register?openid_configuration={self.url}{self.configuration_path}"
                f"&registration_token={self.registration_token}")

    def configuration(self) -> dict:
        issuer = "https://elsewhere.example.org" if "foreign_issuer" in self.faults else self.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": self.url + "/auth",
            "token_endpoint": self.url + "/token",
            "jwks_uri": self.url + "/jwks",
            "registration_endpoint": self.url + self.registration_path,
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": self.product_family, "version": "1",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }

    def answer(self, posted: dict) -> dict:
        raise NotImplementedError

    def _bearer_ok(self) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.registration_token}"

    def _add_registration_routes(self) -> None:
        platform = self

        @self.app.get(self.configuration_path)
        def openid_configuration():
            platform.configuration_requests.append(dict(request.headers))
            if platform.token_on_configuration and not platform._bearer_ok():
                return jsonify(error="unauthorized"), 401
            return jsonify(platform.configuration())

        @self.app.post(self.registration_path)
        def registration():
            if not platform._bearer_ok():
                return jsonify(error="invalid_token"), 401
            if "refuse" in platform.faults:
                return jsonify(error="invalid_redirect_uri", error_description="redirect_uris refused"), 400
            platform.posted = request.get_json()
            answer = platform.answer(platform.posted)
            platform.client_id = answer["client_id"]
            platform.deployment_id = answer[TOOL_CONFIGURATION].get("deployment_id")
            return jsonify(answer)


class MoodleLikePlatform(RegisteringPlatform):
    configuration_path = "/mod/lti/openid-configuration.php"
    registration_path = "/mod/lti/openid-registration.php"
    product_family = "moodle"

    def answer(self, posted: dict) -> dict:
        tool = dict(posted[TOOL_CONFIGURATION], deployment_id="3")
        return {**posted, "client_id": "aBcD3fGh1jKlMnO", TOOL_CONFIGURATION: tool}


class CanvasLikePlatform(RegisteringPlatform):
    configuration_path = "/api/lti/security/openid-configuration"
    registration_path = "/api/lti/registrations"
    token_on_configuration = True
    product_family = "canvas"

    def answer(self, posted: dict) -> dict:
        tool = {key: value for key, value in posted[TOOL_CONFIGURATION].items() if key != "description#en"}
        return {
            "client_id": "10000000000042",
            "application_type": "web", "grant_types": posted["grant_types"],
            "initiate_login_uri": posted["initiate_login_uri"], "redirect_uris": posted["redirect_uris"],
            "response_types": posted["response_types"], "client_name": posted["client_name"],
            "jwks_uri": posted["jwks_uri"], "token_endpoint_auth_method": "private_key_jwt",
            "scope": posted["scope"],
            TOOL_CONFIGURATION: {**tool, "deployment_id": "12:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"},
            "https://canvas.instructure.com/lti/registration_config_url":
                self.url + "/api/lti/registrations/7/view",
        }


class BrightspaceLikePlatform(RegisteringPlatform):
    """Registers the client only; the administrator deploys the tool afterwards (a deployment id at launch)."""

    configuration_path = "/d2l/.well-known/openid-configuration"
    registration_path = "/d2l/lti/dynamic-registration"
    product_family = "desire2learn"

    def answer(self, posted: dict) -> dict:
        return {**posted, "client_id": "5b7f3c1e-d2l-client"}
