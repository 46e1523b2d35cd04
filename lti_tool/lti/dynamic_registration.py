"""LTI Dynamic Registration 1.0: the tool's side of the protocol, spoken here and nowhere else.

The platform opens ``/lti/register?openid_configuration=…&registration_token=…``; the tool
fetches the platform's OpenID configuration (with the token as a Bearer: Canvas requires it),
checks that its ``issuer`` shares the configuration URL's origin, posts its client registration
to the platform's ``registration_endpoint`` and reads back the client id and deployment.
This module only speaks HTTP through the session it is given; storing is the caller's job.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email", "locale")
NAME = {"fr": "Passeport pour l'économie numérique", "en": "Passport for the digital economy"}
DESCRIPTION = {
    "fr": "Dix-huit modules pratiques sur le numérique pour les TPE et PME ; "
          "trois modules réussis valent le passeport.",
    "en": "Eighteen practical digital-economy modules for small businesses; three passed modules earn the passport.",
}


class RegistrationFailed(Exception):
    """A registration that could not be completed: what went wrong, in French and English."""

    def __init__(self, code: str, fr: str, en: str, status: int = 400):
        super().__init__(f"{code}: {en}")
        self.code, self.fr, self.en, self.status = code, fr, en, status


@dataclass(frozen=True)
class PlatformConfiguration:
    """The parts of the platform's OpenID configuration the tool relies on."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family: str | None = None


@dataclass(frozen=True)
class ClientRegistration:
    """What the platform answered: the tool's client id there, and its deployment when it made one."""

    client_id: str
    deployment_id: str | None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def icon_url(base_url: str) -> str:
    return base_url + "/static/passeport-icon.svg"


def deep_linking_supported(endpoints) -> bool:
    """Deep linking is advertised only once a view answers LtiDeepLinkingRequest (an endpoint named for it)."""
    return any("deep_link" in endpoint for endpoint in endpoints)


def tool_registration(base_url: str, deep_linking: bool) -> dict:
    """The client registration Passeport posts: OpenID Connect fields plus the LTI tool configuration."""
    launch = base_url + "/lti/launch"
    messages = [{"type": "LtiResourceLinkRequest", "target_link_uri": launch,
                 "label": "Passeport", "label#en": "Passport", "placements": ["course_navigation"]}]
    if deep_linking:
        messages.append({"type": "LtiDeepLinkingRequest", "target_link_uri": launch,
                         "label": "Ajouter un module Passeport", "label#en": "Add a Passport module",
                         "placements": ["ContentArea", "assignment_selection", "link_selection"]})
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base_url + "/lti/login",
        "redirect_uris": [launch],
        "client_name": NAME["fr"],
        "client_name#fr": NAME["fr"],
        "client_name#en": NAME["en"],
        "jwks_uri": base_url + "/.well-known/jwks.json",
        "logo_uri": icon_url(base_url),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(base_url).netloc,
            "description": DESCRIPTION["fr"],
            "description#en": DESCRIPTION["en"],
            "target_link_uri": launch,
            "claims": list(CLAIMS),
            "messages": messages,
        },
    }


def discover(http: requests.Session, configuration_url: str, token: str | None,
             timeout: float) -> PlatformConfiguration:
    """Fetch and check the platform's OpenID configuration."""
    if urlsplit(configuration_url).scheme not in ("http", "https") or not urlsplit(configuration_url).netloc:
        raise RegistrationFailed(
            "bad_configuration_url",
            f"L'adresse de configuration « {configuration_url} » n'est pas une URL http(s).",
            f"The configuration address '{configuration_url}' is not an http(s) URL.")
    headers = {"Accept": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    body = _json(_call(http, "GET", configuration_url, timeout, headers=headers), configuration_url, "configuration")
    values = {}
    for field in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        value = body.get(field)
        if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
            raise RegistrationFailed(
                "incomplete_configuration",
                f"La configuration de la plateforme ({configuration_url}) n'a pas de « {field} » valable.",
                f"The platform's configuration ({configuration_url}) has no valid '{field}'.", 502)
        values[field] = value
    if origin(values["issuer"]) != origin(configuration_url):
        raise RegistrationFailed(
            "issuer_mismatch",
            f"L'émetteur annoncé « {values['issuer']} » n'a pas la même origine que l'adresse de configuration "
            f"« {configuration_url} » : inscription refusée.",
            f"The advertised issuer '{values['issuer']}' does not share the configuration address's origin "
            f"'{configuration_url}': registration refused.", 502)
    platform = _object(body, PLATFORM_CONFIGURATION)
    return PlatformConfiguration(**values, product_family=platform.get("product_family_code"))


def register(http: requests.Session, platform: PlatformConfiguration, token: str | None, document: dict,
             timeout: float) -> ClientRegistration:
    """Post the client registration; read the client id and, when given, the deployment id."""
    headers = {"Accept": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    response = _call(http, "POST", platform.registration_endpoint, timeout, headers=headers, json=document)
    body = _json(response, platform.registration_endpoint, "registration")
    client_id = body.get("client_id")
    if not isinstance(client_id, (str, int)) or not str(client_id).strip():
        raise RegistrationFailed(
            "no_client_id", "La plateforme a accepté l'inscription sans renvoyer d'identifiant client (client_id).",
            "The platform accepted the registration but returned no client_id.", 502)
    tool = _object(body, TOOL_CONFIGURATION)
    deployment = tool.get("deployment_id")
    return ClientRegistration(str(client_id), str(deployment) if deployment not in (None, "") else None)


def _call(http: requests.Session, method: str, url: str, timeout: float, **kwargs) -> requests.Response:
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as error:
        raise RegistrationFailed(
            "platform_unreachable", f"La plateforme ne répond pas à {url} : {error.__class__.__name__}.",
            f"The platform does not answer at {url}: {error.__class__.__name__}.", 502) from error
    if response.status_code in (401, 403):
        raise RegistrationFailed(
            "token_refused",
            f"La plateforme a refusé le jeton d'inscription (HTTP {response.status_code} sur {url}) : il a peut-être "
            "expiré ou déjà servi. Relancez l'inscription depuis la plateforme.",
            f"The platform refused the registration token (HTTP {response.status_code} at {url}): it may have "
            "expired or been used already. Start the registration again from the platform.", 403)
    if response.status_code >= 400:
        raise RegistrationFailed(
            "registration_refused",
            f"La plateforme a répondu HTTP {response.status_code} sur {url} : {_excerpt(response)}",
            f"The platform answered HTTP {response.status_code} at {url}: {_excerpt(response)}", 502)
    return response


def _json(response: requests.Response, url: str, what: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RegistrationFailed(
            "not_json", f"La réponse de la plateforme ({what}, {url}) n'est pas un objet JSON.",
            f"The platform's answer ({what}, {url}) is not a JSON object.", 502)
    return body


def _object(body: dict, key: str) -> dict:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _excerpt(response: requests.Response) -> str:
    text = " ".join(response.text.split())
    return text[:200] or "(réponse vide / empty answer)"


def canvas_configuration(base_url: str, deep_linking: bool) -> dict:
    """Canvas's JSON configuration for a developer key's "Enter URL" method."""
    launch = base_url + "/lti/launch"
    placements = [{"placement": "course_navigation", "message_type": "LtiResourceLinkRequest",
                   "target_link_uri": launch, "text": NAME["fr"], "icon_url": icon_url(base_url),
                   "default": "enabled", "windowTarget": "_blank"}]
    if deep_linking:
        placements += [{"placement": placement, "message_type": "LtiDeepLinkingRequest",
                        "target_link_uri": launch, "text": "Ajouter un module Passeport",
                        "icon_url": icon_url(base_url)}
                       for placement in ("assignment_selection", "link_selection")]
    return {
        "title": NAME["fr"],
        "description": f"{DESCRIPTION['fr']} / {DESCRIPTION['en']}",
        "oidc_initiation_url": base_url + "/lti/login",
        "target_link_uri": launch,
        "public_jwk_url": base_url + "/.well-known/jwks.json",
        "scopes": list(SCOPES),
        "extensions": [{
            "platform": "canvas.instructure.com",
            "domain": urlsplit(base_url).netloc,
            "tool_id": "passeport",
            "privacy_level": "public",
            "settings": {"text": NAME["fr"], "icon_url": icon_url(base_url), "placements": placements},
        }],
        "custom_fields": {},
    }
