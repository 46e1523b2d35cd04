"""Trainer and programme views: the course dashboard (trainer.py), credential revocation."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _

from .. import services
from ..badges.views import award_or_404
from ..domain.roles import Role
from ..web_session import check_csrf, launched_user
from .trainer import bp  # the dashboard's blueprint; revocation is one more route on it

__all__ = ["bp"]


@bp.post("/trainer/awards/<uid>/revoke")
def revoke(uid: str):
    """A trainer revokes a credential earned in their course; an administrator, any credential."""
    user = launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    check_csrf()
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        abort(400, description=_("Indiquez le motif de la révocation."))
    with services.database().begin() as connection:
        award = award_or_404(connection, uid)
        if user.role is Role.INSTRUCTOR and award.context_id != user.context_id:
            abort(403, description=_("Ce badge a été obtenu dans un autre cours."))
        if not services.badges().revoke(connection, services.learning(), uid, reason):
            abort(409, description=_("Ce badge est déjà révoqué."))
    return redirect(url_for("dashboards.trainer_home"), 303)

