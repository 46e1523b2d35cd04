"""The deep-linking picker: a trainer chooses modules, Passeport posts the signed choice back to the LMS."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_babel import gettext as _

from .. import services
from ..domain.roles import Role
from ..web_session import check_csrf, launched_user
from .deep_linking import Choice, Settings, content_item, response_jwt
from .launch import CLAIM
from .storage import DatabaseLaunchDataStorage

bp = Blueprint("deep_linking", __name__)


def _request_of_this_launch() -> tuple[dict, Settings]:
    """The deep-linking request the trainer's launch carried (kept in the database by the launch)."""
    launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    launch_id = (session.get("passeport") or {}).get("launch_id")
    body = DatabaseLaunchDataStorage(services.database()).get_value(launch_id) if launch_id else None
    if not body or body.get(CLAIM + "message_type") != "LtiDeepLinkingRequest":
        abort(400, description=_("Ce lancement ne demande pas de choisir des modules : ouvrez « Sélectionner un "
                                 "contenu » depuis votre plateforme."))
    settings = Settings.from_claim(body.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {})
    if not settings.return_url:
        abort(400, description=_("La plateforme n'a pas indiqué d'adresse de retour (deep_link_return_url)."))
    return body, settings


@bp.get("/lti/deep-linking")
def picker():
    _body, settings = _request_of_this_launch()
    return render_template("lti/picker.html", modules=services.catalogue().modules, settings=settings)


@bp.post("/lti/deep-linking")
def respond():
    body, settings = _request_of_this_launch()
    check_csrf()
    catalogue, locale = services.catalogue(), launched_user().locale
    chosen = request.form.getlist("module")
    if not chosen:
        abort(400, description=_("Choisissez au moins un module."))
    if len(chosen) > 1 and not settings.accept_multiple:
        abort(400, description=_("Votre plateforme n'accepte qu'un module à la fois : n'en choisissez qu'un."))
    choices = []
    for module_id in dict.fromkeys(chosen):
        module = catalogue.get(module_id)
        if module is None:
            abort(400, description=_("Module inconnu : %(module)s.", module=module_id))
        choices.append(Choice(module.id, module.text(module.title, locale), module.text(module.summary, locale),
                              _due(request.form.get(f"due-{module.id}", ""))))
    launch_url = current_app.config["BASE_URL"] + "/lti/launch"
    items = [content_item(choice, launch_url, settings) for choice in choices]
    kid, private_key, _public = services.tool_keys().active(services.database())
    token = response_jwt(settings, items, client_id=_client_id(body), issuer=body["iss"],
                         deployment_id=body[CLAIM + "deployment_id"], kid=kid, private_key=private_key)
    return render_template("lti/deep_link_return.html", return_url=settings.return_url, token=token,
                           choices=choices)


def _client_id(body: dict) -> str:
    audience = body.get("aud")
    return str(body.get("azp") or (audience[0] if isinstance(audience, list) else audience))


def _due(value: str) -> datetime | None:
    """A due date (YYYY-MM-DD) means the end of that day, UTC."""
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        abort(400, description=_("Date limite illisible : %(value)s (attendu : AAAA-MM-JJ).", value=value[:40]))
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
