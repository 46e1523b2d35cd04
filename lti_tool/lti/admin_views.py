"""/admin/platforms: list platforms and deployments, add one from pasted values, without a shell."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from .. import services
from ..domain.registrations import PlatformSettings, RegistrationError, list_platforms, register_platform
from ..web_session import check_csrf
from .admin import redeem_token
from .storage import DatabaseLaunchDataStorage

bp = Blueprint("lti_admin", __name__, url_prefix="/admin")
SESSION_KEY = "passeport_admin"
FIELDS = ("issuer", "client_id", "auth_login_url", "auth_token_url", "jwks_url", "deployment_ids", "name")


def grant_admin(via: str) -> None:
    session[SESSION_KEY] = via


def _require_admin() -> None:
    if not session.get(SESSION_KEY):
        abort(403, description="Reserved to administrators: launch Passeport with an institution or system "
                               "administrator role, or open the link printed by `passeport admin token`. / "
                               "Réservé aux administrateurs : lancez Passeport avec un rôle d'administrateur de "
                               "l'établissement ou du système, ou ouvrez le lien affiché par `passeport admin token`.")


@bp.get("/token/<token>")
def enter_with_token(token: str):
    with services.database().begin() as connection:
        redeemed = redeem_token(DatabaseLaunchDataStorage(services.database()), connection, token)
    if not redeemed:
        abort(403, description="This administrator link is unknown, expired or already used: run "
                               "`passeport admin token` again. / Ce lien d'administration est inconnu, expiré ou déjà "
                               "utilisé : relancez `passeport admin token`.")
    grant_admin("token")
    return redirect(url_for("lti_admin.platforms"), 303)


def _page(form: dict, error: str | None = None, added: str | None = None, status: int = 200):
    with services.database().sessions() as db:
        platforms = [(p.name, p.issuer, p.client_id, [d.deployment_id for d in p.deployments], p.jwks_url)
                     for p in list_platforms(db)]
    return render_template("admin_platforms.html", platforms=platforms, form=form, error=error, added=added), status


@bp.get("/platforms")
def platforms():
    _require_admin()
    return _page({})


@bp.post("/platforms")
def add_platform():
    _require_admin()
    check_csrf()
    form = {field: request.form.get(field, "").strip() for field in FIELDS}
    settings = PlatformSettings(
        issuer=form["issuer"], client_id=form["client_id"], auth_login_url=form["auth_login_url"],
        auth_token_url=form["auth_token_url"], jwks_url=form["jwks_url"],
        deployment_ids=tuple(d.strip() for d in form["deployment_ids"].replace(",", "\n").splitlines() if d.strip()),
        name=form["name"] or None)
    try:
        with services.database().session() as db:
            register_platform(db, settings)
    except RegistrationError as error:
        return _page(form, error=str(error), status=400)
    return _page({}, added=f"{settings.issuer} ({settings.client_id})")
