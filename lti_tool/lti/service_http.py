"""The tool as an OAuth 2 client of a platform's LTI Advantage services (IMS Security Framework).

A client-credentials grant whose ``client_assertion`` is a JWT signed with the
tool's active key (``kid`` set: Moodle requires it), then bearer calls with a
timeout. pylti1p3's ServiceConnector does the same without timeouts, calls
``r.json()`` on any answer and caches tokens in process memory; here the token
source is given (the database keeps them), and every failure is a ServiceError
that says whether retrying can help.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
import requests

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class ServiceError(Exception):
    """A platform's refusal or failure; ``permanent`` when retrying the same call cannot succeed."""

    def __init__(self, message: str, status: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status, self.permanent = status, permanent


@dataclass(frozen=True)
class Client:
    """Who the tool is to one platform's token endpoint."""

    client_id: str
    token_url: str
    kid: str
    private_key: Any  # a loaded RSA key object


@dataclass(frozen=True)
class Grant:
    access_token: str
    expires_in: int


def request_token(http: requests.Session, client: Client, scopes: list[str], timeout: float) -> Grant:
    """One client-credentials grant for ``scopes``."""
    now = int(time.time())
    assertion = jwt.encode({"iss": client.client_id, "sub": client.client_id, "aud": client.token_url,
                            "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex},
                           client.private_key, algorithm="RS256", headers={"kid": client.kid})
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion, "scope": " ".join(scopes)}
    answer = json_of(_call(http, "POST", client.token_url, timeout, data=form), "token endpoint")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise ServiceError("the token endpoint answered without an access_token", permanent=True)
    return Grant(token, int(answer.get("expires_in") or 3600))


class TokenSource(Protocol):
    def token(self, scopes: list[str]) -> str:
        """A valid bearer token for these scopes."""

    def forget(self, scopes: list[str]) -> None:
        """Drop a token the platform no longer accepts."""


def call(http: requests.Session, tokens: TokenSource, scopes: list[str], method: str, url: str,
         timeout: float, **kwargs) -> requests.Response:
    """A bearer call; a 401 with a cached token gets one fresh token and one more try."""
    for fresh in (False, True):
        headers = dict(kwargs.pop("headers", {}) or {})
        headers["Authorization"] = "Bearer " + tokens.token(scopes)
        try:
            return _call(http, method, url, timeout, headers=headers, **kwargs)
        except ServiceError as error:
            if error.status != 401 or fresh:
                raise
            tokens.forget(scopes)
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
    raise AssertionError("unreachable")


def _call(http: requests.Session, method: str, url: str, timeout: float, **kwargs) -> requests.Response:
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as error:
        raise ServiceError(f"{method} {url}: {error.__class__.__name__}: {error}") from error
    if response.status_code >= 400:
        # 5xx, 408 and 429 are the platform's passing trouble, and 409 is Moodle refusing a second score stamped
        # within the same second (a later try has a later timestamp); any other refusal stays until someone acts.
        transient = response.status_code >= 500 or response.status_code in (401, 408, 409, 429)
        raise ServiceError(f"{method} {url}: HTTP {response.status_code} {response.text[:300]}",
                           status=response.status_code, permanent=not transient)
    return response


def json_of(response: requests.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise ServiceError(f"the {what} answered something that is not JSON: {response.text[:200]!r}") from error

