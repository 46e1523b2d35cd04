"""Item statistics for programme staff (trainers) and administrators: how each quiz question behaves."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from .. import services
from ..domain.item_stats import MIN_ANSWERS, NOT_DISCRIMINATING, TOO_EASY, TOO_HARD, item_statistics
from ..domain.roles import Role
from ..web_session import launched_user

bp = Blueprint("item_stats", __name__)


@bp.get("/trainer/item-stats")
def item_stats():
    user = launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    catalogue = services.catalogue()
    chosen = request.args.get("module") or None
    module = catalogue.resolve(chosen) if chosen else None
    if chosen and module is None:
        abort(404, description=_("Ce module n'existe pas."))
    with services.database().read() as connection:
        stats = item_statistics(connection, module.id if module else None)
    by_module: dict[str, list] = {}
    for item in stats:
        by_module.setdefault(item.module_id, []).append(item)
    modules = [m for m in catalogue.modules if m.id in by_module]
    banks = {m.id: catalogue.quiz(m.folder, user.locale) for m in modules}
    return render_template("dashboards/item_stats.html", modules=modules, by_module=by_module, banks=banks,
                           every_module=catalogue.modules, selected=module, min_answers=MIN_ANSWERS,
                           thresholds={"easy": TOO_EASY, "hard": TOO_HARD, "discrimination": NOT_DISCRIMINATING})
