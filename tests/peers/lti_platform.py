"""An independent LTI 1.3 platform: the `lti1p3platform` library (PyPI) behind a small Flask app.

It is not Passeport's demo LMS: it has its own keys, issuer and client id, and
can be told (through ``lti_message_hint``) to send a faulty id_token, so the
tool's refusals are tested over real HTTP.
"""
from __future__ import annotations

import html
import itertools
import re
import threading
import time
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, abort, jsonify, redirect, request
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


DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
# Besides the faulty scenarios, a launch kind says which services the message announces: "ok" (AGS with the
# placement's line item, NRPS), "no_lineitem", "readonly_lineitems", "no_services", and the deep-linking
# requests "deep_link" (several items, line items), "deep_link_single" (one item, no line item, no services)
# and "deep_link_files" (files only).


@dataclass
class Advantage:
    """What the platform's LTI Advantage services hold and received, for tests to inspect and steer."""

    line_items: dict[int, dict] = field(default_factory=dict)  # id → line item (without its URL id)
    scores: list[dict] = field(default_factory=list)  # {"line_item": id, "payload": …, "token_scopes": […]}
    token_requests: list[dict] = field(default_factory=list)  # the assertion's claims and the scopes granted
    deep_link_responses: list[dict] = field(default_factory=list)  # validated LtiDeepLinkingResponse payloads
    deep_link_refusals: list[str] = field(default_factory=list)
    membership_requests: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    outage: int = 0  # how many coming service calls answer 503
    ungradable: set[str] = field(default_factory=set)  # subs whose scores are refused (422)
    refused_scopes: set[str] = field(default_factory=set)  # scopes the token endpoint no longer grants
    sent_dl_data: str = "opaque-platform-data-7"
    nonces: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


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
        # each login's lti_message_hint is good for one /auth, as in Moodle
        self.launches, self.used_hints = itertools.count(1), set()
        self.advantage = Advantage()
        self.advantage.line_items[1] = {"label": "Module 5 (peer)", "scoreMaximum": 100, "resourceLinkId": "peer-rl-1"}
        self.advantage.members = [
            {"user_id": "learner-1", "name": "Peer learner-1", "status": "Active", "roles": [LEARNER]},
            {"user_id": "learner-never", "name": "Nadia Jamais-Venue", "email": "nadia@example.org",
             "status": "Active", "roles": [LEARNER]},
            {"user_id": "trainer-1", "name": "Peer trainer-1", "status": "Active", "roles": [INSTRUCTOR]},
            {"user_id": "learner-left", "name": "Lou Partie", "status": "Inactive", "roles": [LEARNER]},
        ]
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

    def _announce_services(self, message: dict, kind: str) -> None:
        """AGS and NRPS claims (as Moodle sends them), or a deep-linking request in place of a resource link."""
        if kind in ("deep_link", "deep_link_single", "deep_link_files"):
            message[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            message.pop(CLAIM + "resource_link", None)
            message[DL_CLAIM + "deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep_link_return",
                "accept_types": ["file"] if kind == "deep_link_files" else ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": kind == "deep_link", "accept_lineitem": kind == "deep_link",
                "auto_create": True, "data": self.advantage.sent_dl_data}
        if kind in ("no_services", "deep_link_single", "deep_link_files"):
            return
        endpoint = {"scope": [LINEITEM_SCOPE + ".readonly" if kind == "readonly_lineitems" else LINEITEM_SCOPE,
                              SCORE_SCOPE], "lineitems": self.url + "/lineitems"}
        if kind not in ("no_lineitem", "readonly_lineitems") and CLAIM + "resource_link" in message:
            endpoint["lineitem"] = self.url + "/lineitems/1?type_id=7"
        message["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = endpoint
        message["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
            "context_memberships_url": self.url + "/memberships", "service_versions": ["2.0"]}

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
                peer._announce_services(message, self.scenario)
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
            login.set_lti_message_hint(
                hint=f"{request.args.get('scenario', 'ok')}|{request.args.get('locale', 'fr')}|{next(peer.launches)}")
            return login.initiate_login(request.args.get("user", "learner-1"))

        @app.get("/auth")
        def auth():
            launch = Launch(_Request(request), Config())
            hint = request.args.get("lti_message_hint", "ok|fr|0")
            if hint in peer.used_hints:  # as Moodle: the hint names a launch held in the session, used once
                abort(400, "this launch was already used: start it again from the course")
            peer.used_hints.add(hint)
            launch.scenario, locale, _ = hint.split("|", 2)
            user = request.args["login_hint"]
            roles = ([INSTRUCTOR] if user.startswith("trainer") else
                     [INSTITUTION_ADMIN, INSTRUCTOR] if user.startswith("admin") else [LEARNER])
            launch.set_user_data(user, roles, full_name=f"Peer {user}", email_address=f"{user}@lms.example.org")
            launch.set_resource_link_claim("peer-rl-1", title="Module 5")
            launch.set_launch_context_claim("peer-course-1", context_title="Peer course")
            launch.set_custom_parameters_claim({"module": "05-vendre-sur-internet"})
            launch.set_extra_claims({CLAIM + "launch_presentation": {"document_target": "iframe", "locale": locale}})
            return launch.lti_launch()

        _serve_advantage(app, peer, Config)
        return app


def _serve_advantage(app: Flask, peer: PeerPlatform, config_class) -> None:
    """The platform's side of deep linking, the token endpoint, AGS line items and scores, and NRPS."""
    state = peer.advantage

    def refuse(status: int, message: str):
        response = jsonify(error=message)
        response.status_code = status
        return response

    def configured():
        config = config_class()
        config.get_registration()
        return config

    def bearer(*scopes: str) -> list[str]:
        """The scopes of a valid bearer token that grants one of ``scopes``; 401/403 otherwise."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            abort(refuse(401, "no bearer token"))
        token = header[len("Bearer "):]
        try:
            granted = configured().validate_token(token, allowed_scopes=list(scopes))
        except Exception as error:  # the library's refusals are bare exceptions
            abort(refuse(401, f"invalid token: {error}"))
        if not granted:
            abort(refuse(403, f"token lacks scope {' or '.join(scopes)}"))
        return jwt.decode(token, options={"verify_signature": False})["scopes"].split(" ")

    def outage():
        with state.lock:
            if state.outage > 0:
                state.outage -= 1
                abort(refuse(503, "platform down for maintenance"))

    @app.post("/token")
    def token():
        outage()
        form = request.form.to_dict()
        try:
            answer = configured().get_access_token(form)
        except Exception as error:
            return refuse(400, f"invalid_client: {error!r}")
        granted = [s for s in answer["scope"].split(" ") if s not in state.refused_scopes]
        answer = {**answer, "scope": " ".join(granted),
                  "access_token": peer.registration().encode_and_sign(
                      {"sub": peer.client_id, "iss": peer.issuer, "scopes": " ".join(granted)}, peer.key,
                      expiration=3600)} if len(granted) < len(answer["scope"].split(" ")) else answer
        assertion = jwt.decode(form["client_assertion"], options={"verify_signature": False})
        header = jwt.get_unverified_header(form["client_assertion"])
        if (assertion.get("aud") != peer.url + "/token" or assertion.get("iss") != peer.client_id
                or not header.get("kid")):
            return refuse(400, "invalid_client: assertion aud/iss/kid")
        state.token_requests.append({"claims": assertion, "kid": header["kid"], "scope": answer["scope"]})
        return answer

    @app.post("/deep_link_return")
    def deep_link_return():
        try:
            config = configured()
            config.set_accepted_deeplinking_types(["ltiResourceLink"])
            items = config.validate_deeplinking_resp({"JWT": request.form.get("JWT", "")})
            payload = jwt.decode(request.form["JWT"], options={"verify_signature": False})
            problems = _deep_link_problems(peer, payload, items)
        except Exception as error:
            problems = [f"{error.__class__.__name__}: {error}"]
        if problems:
            state.deep_link_refusals.extend(problems)
            return refuse(400, "; ".join(problems))
        state.deep_link_responses.append(payload)
        return jsonify(placed=len(payload[DL_CLAIM + "content_items"]))

    def item_json(item_id: int) -> dict:
        return {"id": f"{peer.url}/lineitems/{item_id}?type_id=7", **state.line_items[item_id]}

    @app.get("/lineitems")
    def line_items():
        bearer(LINEITEM_SCOPE, LINEITEM_SCOPE + ".readonly")
        outage()
        found = [item_json(i) for i, item in state.line_items.items()
                 if request.args.get("resource_id") in (None, item.get("resourceId"))
                 and request.args.get("tag") in (None, item.get("tag"))]
        return jsonify(found)

    @app.post("/lineitems")
    def create_line_item():
        bearer(LINEITEM_SCOPE)
        outage()
        item = request.get_json(force=True)
        if not isinstance(item, dict) or not item.get("label") or not item.get("scoreMaximum"):
            return refuse(400, "a line item needs a label and a scoreMaximum")
        with state.lock:
            new_id = max(state.line_items) + 1
            state.line_items[new_id] = item
        return jsonify(item_json(new_id)), 201

    @app.post("/lineitems/<int:item_id>/scores")
    def scores(item_id: int):
        scopes = bearer(SCORE_SCOPE)
        outage()
        if item_id not in state.line_items:
            return refuse(404, "no such line item")
        if request.args.get("type_id") != "7":
            return refuse(400, "the line item URL's query was lost")
        payload = request.get_json(force=True)
        if payload.get("userId") in state.ungradable:
            return refuse(422, f"user {payload.get('userId')} cannot be graded in this course")
        state.scores.append({"line_item": item_id, "payload": payload, "token_scopes": scopes})
        return "", 204

    @app.get("/memberships")
    def memberships():
        bearer(NRPS_SCOPE)
        outage()
        state.membership_requests.append(request.args.to_dict())
        page = int(request.args.get("page", "0"))
        size = 2
        members = state.members[page * size:(page + 1) * size]
        response = jsonify({"id": peer.url + "/memberships", "context": {"id": "peer-course-1"},
                            "members": members})
        if (page + 1) * size < len(state.members):
            response.headers["Link"] = f'<{peer.url}/memberships?page={page + 1}>; rel="next"'
        return response


def _deep_link_problems(peer: PeerPlatform, payload: dict, items: list[dict]) -> list[str]:
    """What lti1p3platform leaves unchecked in a deep-linking response: aud, iss, nonce, data, content."""
    state, problems = peer.advantage, []
    if payload.get("aud") not in (peer.issuer, [peer.issuer]):
        problems.append(f"aud is {payload.get('aud')!r}, not the platform's issuer")
    if payload.get("iss") != peer.client_id:
        problems.append(f"iss is {payload.get('iss')!r}, not the tool's client id")
    nonce = payload.get("nonce")
    with state.lock:
        if not nonce or nonce in state.nonces:
            problems.append("nonce missing or replayed")
        state.nonces.add(nonce)
    if payload.get(CLAIM + "deployment_id") != peer.deployment_id:
        problems.append("wrong deployment_id")
    if payload.get(DL_CLAIM + "data") != state.sent_dl_data:
        problems.append("the request's data was not returned")
    for item in items:
        if item.get("type") != "ltiResourceLink" or not item.get("url") or not item.get("custom", {}).get("module"):
            problems.append(f"malformed content item {item!r}")
        line_item = item.get("lineItem")
        if line_item is not None and (line_item.get("scoreMaximum") != 100 or not line_item.get("label")
                                      or not line_item.get("resourceId") or line_item.get("tag") != "passeport"):
            problems.append(f"malformed line item {line_item!r}")
    return problems


def landing(response) -> str:
    """Where a launch leaves the browser: the address a redirect names or, when the launch shows the learner's
    module page in its own response, the address that page gives the browser's history (so a reload is a GET)."""
    if response.status_code == 303:
        return response.headers["Location"]
    assert response.status_code == 200, response.text[:500]
    named = re.search(r'id="page-address" data-url="([^"]+)"', response.text)
    assert named, "a page shown in the launch's response names its address"
    return html.unescape(named.group(1))
