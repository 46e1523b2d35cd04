"""The web session without cookies: a short-lived signed token, bound to the launch, carried in links and forms.

Inside an LMS iframe the browser may refuse the tool's cookies (third-party cookies blocked, Safari,
HTTP). A launch therefore also keeps its session server-side, keyed by the launch id, and every link
and form action built with ``url_for`` on the learner's and trainer's pages carries ``pt``, a token
signed with the app's secret that names that launch and expires. A request carrying a valid ``pt``
uses that session whatever its cookies say; one without it uses the cookie session as before.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import insert, select, update

from xapi.sql import utcnow

from . import services
from .models import LaunchState

PARAMETER = "pt"
LIFETIME_SECONDS = 2 * 3600
CARRIED_BY = ("player", "dashboards", "passport", "lti_admin")  # blueprints whose pages carry the token
_SALT = "passeport-launch-session"


class LaunchSession(SecureCookieSession):
    """A session read from the database for the launch the token names."""

    def __init__(self, data: dict, launch_id: str):
        super().__init__(data)
        self.launch_id = launch_id


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt=_SALT)  # type: ignore[arg-type]


def _key(launch_id: str) -> str:
    return "web-session-" + launch_id


class LaunchSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request_):
        token = request_.args.get(PARAMETER)
        if token:
            try:
                launch_id = _serializer(app).loads(token, max_age=LIFETIME_SECONDS)
            except BadSignature:
                launch_id = None
            data = _load(app, launch_id) if isinstance(launch_id, str) else None
            if data is not None:
                g.launch_session_token = token
                return LaunchSession(data, launch_id)
        return super().open_session(app, request_)

    def save_session(self, app: Flask, session, response) -> None:
        if isinstance(session, LaunchSession):
            if session.modified:
                _store(app, session.launch_id, dict(session))
            return
        super().save_session(app, session, response)


def _load(app: Flask, launch_id: str) -> dict | None:
    with services.database(app).read() as connection:
        row = connection.execute(select(LaunchState.value, LaunchState.expires_at)
                                 .where(LaunchState.key == _key(launch_id))).first()
    if row is None or row.expires_at <= utcnow() or not isinstance(row.value, dict):
        return None
    return row.value


def _store(app: Flask, launch_id: str, data: dict) -> None:
    with services.database(app).begin() as connection:
        connection.execute(update(LaunchState).where(LaunchState.key == _key(launch_id)).values(value=data))


def start(app: Flask, launch_id: str, data: dict) -> str:
    """Keep the session a launch opened under its launch id; returns the token its pages will carry."""
    with services.database(app).begin() as connection:
        connection.execute(insert(LaunchState).values(
            key=_key(launch_id), value=data, expires_at=utcnow() + timedelta(seconds=LIFETIME_SECONDS)))
    token = _serializer(app).dumps(launch_id)
    g.launch_session_token = token
    return token


def carry(url: str) -> str:
    """``url`` with the current launch's token, for URLs built before the token existed."""
    token = g.get("launch_session_token")
    if not token:
        return url
    return url + ("&" if "?" in url else "?") + urlencode({PARAMETER: token})


def install(app: Flask) -> None:
    app.session_interface = LaunchSessionInterface()

    @app.url_defaults
    def carry_token(endpoint: str, values: dict) -> None:
        token = g.get("launch_session_token") if request else None
        if token and endpoint.split(".", 1)[0] in CARRIED_BY:
            values.setdefault(PARAMETER, token)
