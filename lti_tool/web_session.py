"""The web session: who is behind the current request (as their LTI launch established), language, CSRF."""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, request, session

from .domain.learning import Learner
from .domain.roles import Role

LOCALES = ("fr", "en")


@dataclass(frozen=True)
class LaunchedUser:
    learner: Learner  # who, as the launch resolved them (trainers too: the same LMS account facts)
    role: Role
    locale: str

    @property
    def user_id(self) -> int:
        return self.learner.user_id

    @property
    def context_id(self) -> int | None:
        return self.learner.context_id


def remember_launch(learner: Learner, role: Role, launch_id: str, chosen_locale: str) -> None:
    """Start the web session a launch opens."""
    session.clear()
    session["passeport"] = {"user_id": learner.user_id, "context_id": learner.context_id, "issuer": learner.issuer,
                            "sub": learner.sub, "course": learner.course, "role": role.value,
                            "launch_id": launch_id, "locale": chosen_locale}


def launched_user(*allowed: Role) -> LaunchedUser:
    """The user the launch established; 401 without a launch, 403 when the role is not allowed."""
    data = session.get("passeport")
    if not data:
        abort(401, description="Open Passeport from your training platform (LMS) to start. / "
                               "Ouvrez Passeport depuis votre plateforme de formation pour commencer.")
    learner = Learner(data["user_id"], data.get("context_id"), data["issuer"], data["sub"], data.get("course"))
    user = LaunchedUser(learner, Role(data["role"]), locale())
    if allowed and user.role not in allowed:
        abort(403, description="This page is for trainers. / Cette page est réservée aux formateurs.")
    return user


def locale() -> str:
    """The launch's (or the switch's) language; French by default."""
    return supported_locale((session.get("passeport") or {}).get("locale"))


def supported_locale(requested: str | None) -> str:
    """The language of ``requested`` (a tag such as 'en-GB') when Passeport speaks it, else the browser's best
    match; French by default."""
    language = (requested or "")[:2].lower()
    if language in LOCALES:
        return language
    return request.accept_languages.best_match(LOCALES, default="fr") if request else "fr"


def same_origin_path(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback``: browsers drop tabs and newlines and
    read a backslash as ``/``, so those are cleaned or refused before judging (``/<tab>/evil`` is ``//evil``)."""
    cleaned = "".join(c for c in (target or "") if c not in "\t\n\r").strip()
    parts = urlsplit(cleaned)
    if (not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned or parts.scheme or parts.netloc
            or any(ord(c) < 32 for c in cleaned)):
        return fallback
    return cleaned


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
