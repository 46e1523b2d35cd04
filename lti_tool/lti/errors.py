"""Launch failures: what went wrong, in French and English, and what to do about it."""
from __future__ import annotations


class LaunchError(Exception):
    """A refused LTI message; rendered as a 4xx page, logged, and nothing stored."""

    def __init__(self, status: int, code: str, fr: str, en: str, hint: str | None = None):
        super().__init__(f"{code}: {en}")
        self.status, self.code, self.fr, self.en, self.hint = status, code, fr, en, hint


def bad_request(code: str, fr: str, en: str, hint: str | None = None) -> LaunchError:
    return LaunchError(400, code, fr, en, hint)


def unauthorized(code: str, fr: str, en: str) -> LaunchError:
    return LaunchError(401, code, fr, en)


def not_registered(code: str, fr: str, en: str, hint: str) -> LaunchError:
    return LaunchError(403, code, fr, en, hint)
