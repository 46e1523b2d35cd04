"""LTI 1.3 launch validation: pylti1p3's message launch, with the checks it leaves out.

pylti1p3 does not verify ``aud``/``azp``, keeps nonces reusable, fetches the
platform JWKS on every launch and reports failures as bare English strings.
Each override below closes one of those gaps and raises a bilingual LaunchError.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qs, urlparse

import jwt
from flask import current_app
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskRequest
from pylti1p3.exception import LtiException
from sqlalchemy.engine import Connection

from ..domain.roles import Role, classify
from .cookieless import PendingLogin, binding_matches, pending_login
from .errors import bad_request, not_registered, platform_add_command, unauthorized
from .platform_keys import PlatformKeyCache
from .storage import DatabaseLaunchDataStorage, SingleUseNonceSessionService
from .toolconf import DatabaseToolConf, PlatformRecord

log = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SERVICE_CLAIMS = ("https://purl.imsglobal.org/spec/lti-ags/claim/", "https://purl.imsglobal.org/spec/lti-nrps/claim/")
SUPPORTED_MESSAGES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class Launch:
    """What Passeport keeps from a validated launch."""

    launch_id: str
    message_type: str
    issuer: str
    client_id: str
    deployment_id: str
    sub: str
    role: Role
    roles: list[str]
    name: str | None = None
    email: str | None = None
    context: dict = field(default_factory=dict)
    resource_link: dict = field(default_factory=dict)
    custom: dict = field(default_factory=dict)
    locale: str | None = None
    target_link_uri: str | None = None
    services: dict = field(default_factory=dict)  # the AGS and NRPS claims, as sent
    deep_linking: dict = field(default_factory=dict)  # the deep_linking_settings claim (deep linking requests)

    def requested_module(self) -> str | None:
        """The module a placement points at: custom ``module``, else the target link."""
        if self.custom.get("module"):
            return str(self.custom["module"])
        if not self.target_link_uri:
            return None
        url = urlparse(self.target_link_uri)
        from_query = parse_qs(url.query).get("module")
        if from_query:
            return from_query[0]
        parts = [p for p in url.path.split("/") if p]
        return parts[-1] if len(parts) >= 2 and parts[-2] == "modules" else None


def cookie_request() -> FlaskRequest:
    """pylti1p3's request, whose state cookie is Secure; SameSite=None; Partitioned when the tool's
    base URL is https (as the session cookie is), whatever scheme a proxy forwarded."""
    return FlaskRequest(request_is_secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))


STRING_CLAIMS = ("sub", "name", "given_name", "family_name", "email", CLAIM + "deployment_id",
                 CLAIM + "target_link_uri", CLAIM + "message_type", CLAIM + "version")
OBJECT_CLAIMS = (CLAIM + "context", CLAIM + "resource_link", CLAIM + "custom", CLAIM + "launch_presentation")
NESTED_STRINGS = {CLAIM + "context": ("id", "title", "label"), CLAIM + "resource_link": ("id", "title"),
                  CLAIM + "launch_presentation": ("locale", "return_url")}


def check_claim_types(body: Any) -> None:
    """Claims of the wrong JSON type are refused (400) at the boundary, before anything reads them."""
    wrong = [c for c in STRING_CLAIMS if c in body and not isinstance(body[c], str)]
    wrong += [c for c in OBJECT_CLAIMS if c in body and not isinstance(body[c], dict)]
    wrong += [f"{c}.{k}" for c, keys in NESTED_STRINGS.items() if isinstance(body.get(c), dict)
              for k in keys if body[c].get(k) is not None and not isinstance(body[c][k], str)]
    roles = body.get(CLAIM + "roles")
    if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
        wrong.append(CLAIM + "roles")
    if wrong:
        raise bad_request("wrong_claim_type", f"Champ(s) du jeton de type incorrect : {', '.join(wrong)}.",
                          f"Token claim(s) of the wrong type: {', '.join(wrong)}.")


# LTI 1.3 (deployment, context and resource link ids) and OpenID Connect (sub) cap these at 255 ASCII
# characters; our columns hold that much.
IDENTIFIER_LENGTH = 255


def check_identifiers(body: dict[str, Any]) -> None:
    """Identifiers longer than the specifications allow, or holding a NUL character (which PostgreSQL text
    cannot keep), are refused (400) before anything stores them: an identifier is kept exactly or not at all."""
    identifiers = {"sub": body.get("sub"), "deployment_id": body.get(CLAIM + "deployment_id"),
                   "context.id": (body.get(CLAIM + "context") or {}).get("id"),
                   "resource_link.id": (body.get(CLAIM + "resource_link") or {}).get("id")}
    present = {name: value for name, value in identifiers.items() if isinstance(value, str)}
    over = [name for name, value in present.items() if len(value) > IDENTIFIER_LENGTH]
    if over:
        raise bad_request("identifier_too_long",
                          f"Identifiant(s) du jeton de plus de {IDENTIFIER_LENGTH} caractères : {', '.join(over)}.",
                          f"Token identifier(s) longer than {IDENTIFIER_LENGTH} characters: {', '.join(over)}.")
    with_nul = [name for name, value in present.items() if "\x00" in value]
    if with_nul:
        raise bad_request("identifier_with_nul",
                          f"Identifiant(s) du jeton contenant un caractère nul : {', '.join(with_nul)}.",
                          f"Token identifier(s) containing a NUL character: {', '.join(with_nul)}.")


class StateNotInCookie(Exception):
    """The state is one this tool issued, but no cookie carries it here: the browser blocks the tool's cookies."""

    def __init__(self, state: str, pending: PendingLogin):
        super().__init__(state)
        self.state, self.pending = state, pending


class PasseportMessageLaunch(FlaskMessageLaunch):
    _tool_config: DatabaseToolConf

    def __init__(self, tool_conf: DatabaseToolConf, storage: DatabaseLaunchDataStorage, keys: PlatformKeyCache):
        request = cookie_request()
        super().__init__(
            request,
            tool_conf,
            session_service=SingleUseNonceSessionService(request),
            cookie_service=FlaskCookieService(request),
            launch_data_storage=storage,
            requests_session=keys.http,  # pylti1p3 would open a new HTTP session per launch
        )
        self.platform_keys = keys
        self.state_from_storage = False

    platform: PlatformRecord  # set by validate_registration, which runs before every other check

    def _body(self) -> dict[str, Any]:
        """The id_token's claims as plain JSON (pylti1p3's TypedDict names only the claims it knows)."""
        return cast(dict[str, Any], self._jwt["body"])

    def validate(self):
        """pylti1p3's checks, read-only; the nonce is consumed by ``commit`` in the launch's transaction."""
        self._validated = True
        try:
            return (
                self.validate_state()
                .validate_jwt_format()
                .validate_registration()
                .validate_jwt_signature()
                .validate_deployment()
                .validate_message()
            )
        except Exception:
            self._validated = False
            raise

    def commit(self, connection: Connection, keep_launch_data: bool) -> None:
        """Consume the nonce, in the caller's transaction, and keep the launch data when a later request needs
        them (the deep-linking response)."""
        storage = self._session_service.data_storage
        if not storage.consume(connection, self._session_service.nonce_key(self._jwt["body"]["nonce"])):
            raise unauthorized(
                "replayed_nonce",
                "Ce lancement a déjà été utilisé ou a expiré (nonce inconnu) : relancez l'activité.",
                "This launch was already used or has expired (unknown nonce): launch again.",
            )
        if keep_launch_data:
            storage.put(connection, self._launch_id, self._jwt["body"],
                        exp=self._session_service._launch_data_lifetime)

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise unauthorized(
                "missing_state",
                "Le paramètre « state » manque : relancez l'activité depuis votre plateforme.",
                "The 'state' parameter is missing: launch the activity again from your platform.",
            )
        if self._cookie_service.get_cookie(state) == state:
            return self
        pending = pending_login(self._session_service.data_storage, state)
        sent = self._get_request_param("lti_storage_binding")
        if pending is not None and binding_matches(pending, sent):
            self.state_from_storage = True
            return self
        if pending is not None and not sent:
            raise StateNotInCookie(state, pending)
        raise unauthorized(
            "invalid_state",
            "Le paramètre « state » ne correspond à aucune connexion ouverte dans ce navigateur "
            "(lien expiré, ou cookies bloqués) : relancez l'activité depuis votre plateforme.",
            "The 'state' parameter matches no login started in this browser "
            "(expired, or cookies blocked): launch the activity again from your platform.",
        )

    def validate_jwt_format(self):
        if not self._get_request_param("id_token"):
            raise bad_request("missing_id_token", "Le jeton « id_token » manque.", "The 'id_token' is missing.")
        try:
            return super().validate_jwt_format()
        except LtiException as error:
            raise bad_request(
                "malformed_id_token",
                "Le jeton « id_token » n'est pas un JWT lisible.",
                f"The 'id_token' is not a readable JWT ({error}).",
            ) from error

    def validate_registration(self):
        body = self._body()
        if not isinstance(body, dict):
            raise bad_request("malformed_id_token", "Le jeton « id_token » n'est pas un objet JSON.",
                              "The 'id_token' body is not a JSON object.")
        check_claim_types(body)
        check_identifiers(body)
        iss = body.get("iss")
        if not iss or not isinstance(iss, str):
            raise bad_request("missing_iss", "Le jeton n'indique pas d'émetteur (iss).",
                              "The token has no issuer (iss).")
        platforms = self._tool_config.platforms_for(iss)
        if not platforms:
            client = body.get("azp") or (body.get("aud") if isinstance(body.get("aud"), str) else None) or "CLIENT_ID"
            deployment = body.get(CLAIM + "deployment_id") or "DEPLOYMENT_ID"
            raise not_registered(
                "unknown_issuer",
                f"La plateforme « {iss} » n'est pas enregistrée dans Passeport.",
                f"Platform '{iss}' is not registered with Passeport.",
                platform_add_command(str(iss), str(client), deployment_id=str(deployment)),
            )
        audiences = body.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        platform = next((p for p in platforms if p.client_id in audiences), None)
        if platform is None:
            registered = ", ".join(p.client_id for p in platforms)
            raise unauthorized(
                "wrong_audience",
                f"Le jeton est destiné à « {', '.join(map(str, audiences))} », pas à l'identifiant client "
                f"enregistré pour cette plateforme ({registered}).",
                f"The token is addressed to '{', '.join(map(str, audiences))}', not to the client id "
                f"registered for this platform ({registered}).",
            )
        self.platform = platform
        if len(audiences) > 1 and body.get("azp") != platform.client_id:
            raise unauthorized(
                "wrong_azp",
                "Le jeton a plusieurs destinataires mais son « azp » ne désigne pas Passeport.",
                "The token has several audiences but its 'azp' does not name Passeport.",
            )
        if "azp" in body and body["azp"] != self.platform.client_id:
            raise unauthorized("wrong_azp", "Le champ « azp » ne désigne pas Passeport.",
                               "'azp' does not name Passeport.")
        self._registration = self._tool_config.registration(self.platform)
        return self

    def validate_jwt_signature(self):
        header = self._jwt.get("header", {})
        if header.get("alg") != "RS256":
            raise unauthorized(
                "bad_algorithm",
                f"Algorithme de signature refusé : {header.get('alg')} (RS256 attendu).",
                f"Signature algorithm refused: {header.get('alg')} (RS256 expected).",
            )
        key = self.platform_keys.key(self.platform.jwks_url, header.get("kid"))
        try:
            jwt.decode(
                self._get_id_token(),
                key,
                algorithms=["RS256"],
                audience=self.platform.client_id,
                issuer=self.platform.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "nonce"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise unauthorized("expired", "Le jeton a expiré : relancez l'activité.",
                               "The token has expired: launch again.") from error
        except jwt.ImmatureSignatureError as error:
            raise unauthorized("issued_in_future", "Le jeton est daté dans le futur (horloges désynchronisées ?).",
                               "The token is dated in the future (clocks out of sync?).") from error
        except jwt.InvalidSignatureError as error:
            raise unauthorized("bad_signature", "La signature du jeton est invalide.",
                               "The token's signature is invalid.") from error
        except jwt.MissingRequiredClaimError as error:
            raise bad_request("missing_claim", f"Le jeton n'a pas le champ obligatoire « {error.claim} ».",
                              f"The token lacks the required claim '{error.claim}'.") from error
        except jwt.InvalidTokenError as error:
            raise unauthorized("invalid_token", f"Jeton refusé : {error}.", f"Token refused: {error}.") from error
        return self

    def validate_deployment(self):
        deployment_id = self._body().get(CLAIM + "deployment_id")
        if not deployment_id:
            raise bad_request("missing_claim", "Le jeton n'indique pas de déploiement (deployment_id).",
                              "The token has no deployment_id.")
        p = self.platform
        known = self._tool_config.deployment_known(p, str(deployment_id))
        if known is None:
            raise not_registered(
                "unknown_deployment",
                f"Le déploiement « {deployment_id} » n'est pas enregistré pour la plateforme « {p.issuer} ».",
                f"Deployment '{deployment_id}' is not registered for platform '{p.issuer}'.",
                platform_add_command(p.issuer, p.client_id, p.auth_login_url, p.auth_token_url, p.jwks_url,
                                     str(deployment_id)),
            )
        self.platform = known
        return self

    def validate_message(self):
        body = self._body()
        message_type = body.get(CLAIM + "message_type")
        if message_type not in SUPPORTED_MESSAGES:
            raise bad_request(
                "unsupported_message_type",
                f"Type de message « {message_type} » non pris en charge (attendu : {', '.join(SUPPORTED_MESSAGES)}).",
                f"Message type '{message_type}' is not supported (expected: {', '.join(SUPPORTED_MESSAGES)}).",
            )
        version = body.get(CLAIM + "version")
        if version != "1.3.0":
            raise bad_request("wrong_version", f"Version LTI « {version} » non prise en charge (1.3.0 attendue).",
                              f"LTI version '{version}' is not supported (1.3.0 expected).")
        required = ["sub", CLAIM + "roles", CLAIM + "target_link_uri"]
        if message_type == "LtiResourceLinkRequest":
            required.append(CLAIM + "resource_link")
        else:
            required.append(DL_CLAIM + "deep_linking_settings")
        for claim in required:
            if not body.get(claim) and not (claim.endswith("roles") and isinstance(body.get(claim), list)):
                raise bad_request("missing_claim", f"Le jeton n'a pas le champ obligatoire « {claim} ».",
                                  f"The token lacks the required claim '{claim}'.")
        if message_type == "LtiDeepLinkingRequest" and "ltiResourceLink" not in (
                body[DL_CLAIM + "deep_linking_settings"].get("accept_types") or []):
            raise bad_request("no_resource_links",
                              "La plateforme n'accepte pas de liens d'activité LTI (ltiResourceLink) dans cette "
                              "sélection : Passeport ne peut rien y placer.",
                              "The platform accepts no LTI activity links (ltiResourceLink) in this selection: "
                              "Passeport cannot place anything there.")
        if message_type == "LtiResourceLinkRequest" and not body[CLAIM + "resource_link"].get("id"):
            raise bad_request("missing_claim", "Le lien de ressource n'a pas d'identifiant.",
                              "The resource link has no id.")
        try:
            return super().validate_message()
        except LtiException as error:
            raise bad_request("invalid_message", f"Message LTI invalide : {error}.",
                              f"Invalid LTI message: {error}.") from error

    def to_launch(self) -> Launch:
        body = cast(dict[str, Any], self.get_launch_data())
        roles = list(body.get(CLAIM + "roles") or [])
        return Launch(
            launch_id=self.get_launch_id(),
            message_type=body[CLAIM + "message_type"],
            issuer=body["iss"],
            client_id=self.platform.client_id,
            deployment_id=body[CLAIM + "deployment_id"],
            sub=str(body["sub"]),
            role=classify(roles),
            roles=roles,
            name=body.get("name") or " ".join(filter(None, [body.get("given_name"), body.get("family_name")])) or None,
            email=body.get("email"),
            context=body.get(CLAIM + "context") or {},
            resource_link=body.get(CLAIM + "resource_link") or {},
            custom=body.get(CLAIM + "custom") or {},
            locale=(body.get(CLAIM + "launch_presentation") or {}).get("locale"),
            target_link_uri=body.get(CLAIM + "target_link_uri"),
            services={k: v for k, v in body.items() if k.startswith(SERVICE_CLAIMS)},
            deep_linking=body.get(DL_CLAIM + "deep_linking_settings") or {},
        )
