"""Passeport: the LTI 1.3 tool (Flask application factory)."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, render_template
from flask_babel import Babel
from werkzeug.exceptions import HTTPException

from . import config as configuration
from .db import Database
from .domain.catalogue import Catalogue
from .badges.keys import IssuerKeys
from .badges.credentials import CredentialFactory
from .badges.service import Badges
from .badges.verification import Verifier
from .domain.learning import LearningRecord
from .domain.offers import OfferCatalogue
from .lti.keys import KeyRing
from .lti.platform_keys import PlatformKeyCache
from .visit import csrf_token, locale
from xapi.builders import StatementBuilder
from xapi.lrs import Lrs
from xapi.outbox import save_endpoint


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(configuration.from_environment(overrides))
    app.instance_path = app.config["INSTANCE_PATH"]
    app.extensions["passeport.db"] = Database(app.config["DATABASE_URL"])
    app.extensions["passeport.keys"] = KeyRing()
    app.extensions["passeport.platform_keys"] = PlatformKeyCache(
        timeout=app.config["HTTP_TIMEOUT"], max_age=app.config["JWKS_CACHE_SECONDS"]
    )
    app.extensions["passeport.catalogue"] = Catalogue(app.config["CONTENT_ROOT"])

    from .badges.views import bp as badges_bp
    from .dashboards import bp as dashboards_bp
    from .home import bp as home_bp
    from .lti.views import bp as lti_bp
    from .player import bp as player_bp
    from xapi.http import bp as xapi_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(lti_bp)
    app.register_blueprint(player_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(xapi_bp)
    app.register_blueprint(badges_bp)
    if app.config["DEMO"]:
        from .demo import bp as demo_bp

        app.register_blueprint(demo_bp)

    Babel(app, locale_selector=locale, default_locale="fr", default_domain="messages")
    app.jinja_env.globals.update(csrf_token=csrf_token, current_locale=locale)
    learning = LearningRecord(app.extensions["passeport.catalogue"])
    app.extensions["passeport.learning"] = learning
    lrs = Lrs(database(app), app.config["BASE_URL"],
              StatementBuilder(app.config["BASE_URL"], app.extensions["passeport.catalogue"]))
    app.extensions["passeport.lrs"] = lrs
    learning.subscribe(lrs.record_event)
    keys = IssuerKeys(Path(app.config["INSTANCE_PATH"]) / "badge-keys", app.config["BASE_URL"])
    catalogue = app.extensions["passeport.catalogue"]
    badges = Badges(catalogue, CredentialFactory(app.config["BASE_URL"], catalogue, keys), keys, lrs)
    app.extensions["passeport.badges"] = badges
    app.extensions["passeport.verifier"] = Verifier(keys)
    app.extensions["passeport.offers"] = OfferCatalogue(
        catalogue.root / "offers.yaml", {m.id for m in catalogue.modules}, {m.id: m.title for m in catalogue.modules})
    learning.subscribe(badges.on_learning_event)
    _register_error_pages(app)

    @app.get("/healthz")
    def healthz():
        with database(app).engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    from .cli import register_commands

    register_commands(app)
    return app


def database(app: Flask) -> Database:
    return app.extensions["passeport.db"]


def prepare(app: Flask) -> None:
    """Everything a first run needs: migrations, an active signing key, the demo LMS's registration."""
    from .lti.keys import ensure_active_key
    from .migrations import upgrade

    upgrade(app.config["DATABASE_URL"])
    with database(app).transaction() as db:
        ensure_active_key(db)
    with database(app).connect() as connection:
        app.extensions["passeport.badges"].keys.ensure(connection)
        if app.config["XAPI_LRS_URL"]:
            save_endpoint(connection, "environment", app.config["XAPI_LRS_URL"], app.config["XAPI_LRS_USERNAME"],
                          app.config["XAPI_LRS_PASSWORD"])
    if app.config["DEMO"]:
        from .demo import register_demo_platform

        register_demo_platform(app)


def _register_error_pages(app: Flask) -> None:
    """Every error is a readable bilingual page with its status, never a stack trace."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("error.html", status=error.code, title_fr=_FR_TITLES.get(error.code, error.name),
                               title_en=error.name, detail_fr=None, detail_en=error.description), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        logging.getLogger("passeport").exception("unhandled error")
        return render_template("error.html", status=500, title_fr="Erreur interne", title_en="Internal error",
                               detail_fr="Une erreur inattendue s'est produite ; elle a été journalisée.",
                               detail_en="An unexpected error occurred; it has been logged."), 500


_FR_TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Contenu trop volumineux",
    500: "Erreur interne",
}
