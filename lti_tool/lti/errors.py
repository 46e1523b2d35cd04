"""Launch failures: what went wrong, in French and English, and what to do about it."""
from __future__ import annotations

import secrets
import shlex


class LaunchError(Exception):
    """A refused LTI message; rendered as a 4xx page, logged with its reference, and nothing stored."""

    def __init__(self, status: int, code: str, fr: str, en: str, hint: str | None = None):
        super().__init__(f"{code}: {en}")
        self.status, self.code, self.fr, self.en, self.hint = status, code, fr, en, hint
        self.reference = secrets.token_hex(4)  # what a learner quotes to their administrator


def platform_add_command(issuer: str, client_id: str = "CLIENT_ID", auth_login_url: str = "URL",
                         auth_token_url: str = "URL", jwks_url: str = "URL",
                         deployment_id: str = "DEPLOYMENT_ID") -> str:
    """The registration command for an administrator, every value shell-quoted: the values come from the request."""
    return shlex.join(["passeport", "platform", "add", "--issuer", issuer, "--client-id", client_id,
                       "--auth-login-url", auth_login_url, "--auth-token-url", auth_token_url,
                       "--jwks-url", jwks_url, "--deployment-id", deployment_id])


def bad_request(code: str, fr: str, en: str, hint: str | None = None) -> LaunchError:
    return LaunchError(400, code, fr, en, hint)


def unauthorized(code: str, fr: str, en: str) -> LaunchError:
    return LaunchError(401, code, fr, en)


def not_registered(code: str, fr: str, en: str, hint: str) -> LaunchError:
    return LaunchError(403, code, fr, en, hint)
