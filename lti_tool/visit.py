"""The person behind the current request, as established by their LTI launch."""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from flask import abort, request, session

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
    """The launch's (or the switch's) language; French by default."""
    chosen = (session.get("passeport") or {}).get("locale")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES, default="fr") if request else "fr"


def csrf_token() -> str:
    """A per-session secret that every form posts back, so no other site can post for the learner."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="This form has expired or was not sent from Passeport: reload the page. / "
                               "Ce formulaire a expiré ou ne vient pas de Passeport : rechargez la page.")
