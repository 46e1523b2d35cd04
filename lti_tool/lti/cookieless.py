"""Launching when the browser keeps no cookie for the tool (third-party cookies blocked in an LMS iframe).

At login the tool remembers, server-side and keyed by the OIDC ``state``, the login parameters and,
when the platform offers LTI Client Side postMessage Storage (``lti_storage_target``), a random
binding that the login page stores in the platform's frame (``lti.put_data``). At launch the state is
accepted from its cookie (partitioned over HTTPS); else from the binding read back from the platform
(``lti.get_data``); else the learner gets a page that reopens the login in a new, top-level tab.

That new tab must be the first to present the login's ``lti_message_hint`` to the platform: Moodle's
names a launch kept in its session and serves once. So a login in a frame without postMessage storage
first checks, by one redirect to the tool itself, that the state cookie comes back, and offers the new
tab at once when it does not, before the platform is asked for the id_token.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .storage import DatabaseLaunchDataStorage

LOGIN_PARAMETERS = ("iss", "login_hint", "lti_message_hint", "target_link_uri", "client_id", "lti_deployment_id")
LIFETIME_SECONDS = 600


@dataclass(frozen=True)
class PendingLogin:
    parameters: dict
    binding: str | None  # set when the platform offered postMessage storage
    target: str | None = None  # the platform's frame that keeps the binding (lti_storage_target)
    auth_url: str | None = None  # the platform's authentication request, once the state cookie is known to stick

    def new_tab_login_url(self, login_url: str) -> str:
        """The same login, opened top-level where the tool's cookies are first-party."""
        return login_url + "?" + urlencode({k: v for k, v in self.parameters.items() if v})


def storage_key(state: str) -> str:
    return "passeport-" + state


def remember_login(storage: DatabaseLaunchDataStorage, state: str, parameters, target: str | None,
                   auth_url: str, nonces: list[tuple[str, Any, int | None]]) -> PendingLogin:
    """Keep the pending login with the login's nonce(s): one transaction."""
    pending = PendingLogin({k: parameters.get(k) for k in LOGIN_PARAMETERS},
                           secrets.token_urlsafe(24) if target else None, target, auth_url)
    storage.set_values([*nonces, ("login-" + state, {"parameters": pending.parameters, "binding": pending.binding,
                                                     "target": target, "auth_url": auth_url}, LIFETIME_SECONDS)])
    return pending


def pending_login(storage: DatabaseLaunchDataStorage, state: str) -> PendingLogin | None:
    value = storage.get_value("login-" + state)
    if not isinstance(value, dict):
        return None
    return PendingLogin(value.get("parameters") or {}, value.get("binding"), value.get("target"),
                        value.get("auth_url"))


def binding_matches(pending: PendingLogin, sent: str | None) -> bool:
    if not pending.binding or not sent:
        return False
    return hmac.compare_digest(pending.binding, sent)
