"""The person behind the current request, as established by their LTI launch."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, session

from .domain.roles import Role

LOCALES = ("fr", "en")


@dataclass(frozen=True)
class CurrentVisit:
    user_id: int
    context_id: int | None
    role: Role
    locale: str


def current_visit(*allowed: Role) -> CurrentVisit:
    """The launched visit; 401 without a launch, 403 when the role is not allowed."""
    data = session.get("passeport")
    if not data:
        abort(401, description="Open Passeport from your training platform (LMS) to start. / "
                               "Ouvrez Passeport depuis votre plateforme de formation pour commencer.")
    visit = CurrentVisit(data["user_id"], data.get("context_id"), Role(data["role"]), locale())
    if allowed and visit.role not in allowed:
        abort(403, description="This page is for trainers. / Cette page est réservée aux formateurs.")
    return visit


def locale() -> str:
    chosen = (session.get("passeport") or {}).get("locale", "fr")
    return chosen if chosen in LOCALES else "fr"


def tr(fr: str, en: str) -> str:
    """Pick the visitor's language; French unless the launch asked for English."""
    return en if locale() == "en" else fr
