"""The learner's pages: catalogue and module."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from ..visit import current_visit

bp = Blueprint("player", __name__)


def _catalogue():
    return current_app.extensions["passeport.catalogue"]


@bp.get("/modules/")
def catalogue():
    visit = current_visit()
    return render_template("player/catalogue.html", modules=_catalogue().modules, locale=visit.locale)


@bp.get("/modules/<module_id>")
def module(module_id: str):
    visit = current_visit()
    found = _catalogue().resolve(module_id)
    if found is None:
        abort(404, description=f"No module '{module_id}'. / Aucun module « {module_id} ».")
    return render_template("player/module.html", module=found, locale=visit.locale)
