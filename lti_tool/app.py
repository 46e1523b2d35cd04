"""The Flask application factory, and what a first run needs (``prepare``)."""
from __future__ import annotations

import logging

from flask import Flask, g, has_request_context, render_template, request, url_for
from flask_babel import Babel, get_translations
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from xapi.forwarding import save_endpoint
from xapi.http import create_blueprint as lrs_blueprint

from . import config as configuration
from . import launch_session, security
from .services import database, install, services
from .web_session import csrf_token, locale


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask("lti_tool", instance_relative_config=False)
    app.config.update(configuration.from_environment(overrides))
    app.instance_path = app.config["INSTANCE_PATH"]
    security.check_secret_key(app.config)
    installed = install(app)
    security.install(app)
    app.url_map.converters["row_id"] = RowIdConverter

    from .badges.passport_views import bp as passport_bp
    from .badges.verify_views import bp as verify_bp
    from .badges.views import bp as badges_bp
    from .dashboards import bp as dashboards_bp
    from .dashboards.item_stats_views import bp as item_stats_bp
    from .home import bp as home_bp
    from .lti.admin_views import bp as lti_admin_bp
    from .lti.deep_linking_views import bp as deep_linking_bp
    from .lti.registration_views import bp as lti_registration_bp
    from .lti.views import bp as lti_bp
    from .player import bp as player_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(lti_bp)
    app.register_blueprint(deep_linking_bp)
    app.register_blueprint(lti_registration_bp)
    app.register_blueprint(lti_admin_bp)
    app.register_blueprint(player_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(item_stats_bp)
    app.register_blueprint(lrs_blueprint(installed.lrs))
    app.register_blueprint(badges_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(passport_bp)
    if app.config["DEMO"]:
        from .demo import bp as demo_bp

        app.register_blueprint(demo_bp)

    launch_session.install(app)
    Babel(app, locale_selector=locale, default_locale="fr", default_domain="messages")
    _template_translations(app)
    app.jinja_env.globals.update(csrf_token=csrf_token, current_locale=locale, url_for=_links_built_once())
    _register_error_pages(app)

    @app.get("/healthz")
    def healthz():
        with database(app).read() as connection:
            connection.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    from .cli import register_commands

    register_commands(app)
    return app


class RowIdConverter(IntegerConverter):
    """A row id in a URL, within what the database keeps (PostgreSQL's INTEGER): a larger number names no row,
    so it is a 404 like any unknown id, not a query the database refuses."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


def _template_translations(app: Flask) -> None:
    """Templates look the request's translations up once, not at every ``_()`` (Flask-Babel's lookup costs
    about as much as a small template; a page has dozens of strings). Same per-request caching as Flask-Babel."""
    def translations():
        found = g.get("translations")
        if found is None:
            found = g.translations = get_translations()
        return found

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


MAX_REMEMBERED_LINKS = 10_000


def _links_built_once():
    """Templates' ``url_for``, remembering what it built: pages link the same endpoints with the same values
    request after request, and building a link (werkzeug's rule, the URL defaults) costs about 11 µs against
    3.5 µs remembered. The key holds all a relative link depends on here: the script root, the launch token
    carried in links (the app's only URL default) and, for ``.name`` endpoints, the blueprint."""
    built: dict[tuple, str] = {}

    def remembered_url_for(endpoint: str, **values) -> str:
        if not has_request_context():
            return url_for(endpoint, **values)
        try:
            key = (endpoint, request.script_root, g.get("launch_session_token"),
                   request.blueprint if endpoint.startswith(".") else None, frozenset(values.items()))
        except TypeError:  # an unhashable value
            return url_for(endpoint, **values)
        link = built.get(key)
        if link is None:
            if any(name.startswith("_") for name in values):  # _external, _anchor…: as Flask builds them
                return url_for(endpoint, **values)
            if len(built) >= MAX_REMEMBERED_LINKS:
                built.clear()
            link = built[key] = url_for(endpoint, **values)
        return link

    return remembered_url_for


def prepare(app: Flask) -> None:
    """Everything a first run needs: migrations, an active signing key, the demo LMS's registration."""
    from .lti.tool_keys import ensure_active_key
    from .migrations import upgrade

    upgrade(app.config["DATABASE_URL"])
    with database(app).session() as db:
        ensure_active_key(db)
    with database(app).begin() as connection:
        services(app).badges.keys.ensure(connection)
        if app.config["XAPI_LRS_URL"]:
            save_endpoint(connection, "environment", app.config["XAPI_LRS_URL"], app.config["XAPI_LRS_USERNAME"],
                          app.config["XAPI_LRS_PASSWORD"], sealer=services(app).lrs.sealer)
    if app.config["DEMO"]:
        from .demo import register_demo_platform

        register_demo_platform(app)


def _register_error_pages(app: Flask) -> None:
    """Every error is a readable bilingual page with its status, never a stack trace."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("error.html", status=error.code, title_fr=_FR_TITLES.get(error.code or 500, error.name),
                               title_en=error.name, detail_fr=None, detail_en=error.description), error.code

    @app.errorhandler(DataError)
    def refused_by_the_database(error: DataError):
        """A value that got past the checks but that the database cannot take (a NUL character on PostgreSQL, a
        number out of range): the transaction was rolled back, so the request changed nothing."""
        logging.getLogger("passeport").warning("request refused by the database: %s", error.orig)
        return render_template("error.html", status=400, title_fr=_FR_TITLES[400], title_en="Bad Request",
                               detail_fr="Une valeur envoyée contient un caractère nul ou un nombre hors limites, "
                                         "que la base de données ne peut pas traiter : la requête n'a rien changé.",
                               detail_en="A value sent holds a NUL character or a number out of range, which the "
                                         "database cannot handle: the request changed nothing."), 400

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
