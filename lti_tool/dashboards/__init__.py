"""Trainer and programme views: the course dashboard (trainer.py), credential revocation and reinstatement."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import services
from ..badges.service import REASON_LABELS
from ..badges.views import award_or_404
from ..domain.roles import Role
from ..models import User
from ..web_session import check_csrf, launched_user
from .trainer import bp  # the dashboard's blueprint; revocation is one more route on it

__all__ = ["bp"]


def _decidable_award(connection, uid: str, user):
    """Only staff of the award's own course (hence its own platform) may revoke or reinstate it; a launch
    without a course decides nothing. Anything else is for the operator's CLI."""
    award = award_or_404(connection, uid)
    if user.context_id is None or award.context_id != user.context_id:
        abort(403, description=_("Seuls les formateurs et administrateurs du cours où ce badge a été obtenu "
                                 "peuvent le révoquer ou le rétablir."))
    return award


def _decision_page(uid: str, action: str, status: int = 200, error: str | None = None):
    user = launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    with services.database().read() as connection:
        award = _decidable_award(connection, uid, user)
        holder = connection.execute(select(User.name, User.sub).where(User.id == award.user_id)).first()
    module = services.catalogue().get(award.module_id) if award.module_id else None
    return render_template("dashboards/revocation.html", award=award, module=module, holder=holder,
                           action=action, reasons=REASON_LABELS, error=error,
                           catalogue=services.catalogue()), status


@bp.get("/trainer/awards/<uid>/revoke")
def revoke_confirmation(uid: str):
    """The confirmation step: what is revoked, for whom, the public reason and the private note."""
    return _decision_page(uid, "revoke")


@bp.get("/trainer/awards/<uid>/reinstate")
def reinstate_confirmation(uid: str):
    return _decision_page(uid, "reinstate")


@bp.post("/trainer/awards/<uid>/revoke")
def revoke(uid: str):
    """Revoke a credential earned in the trainer's own course, with a public reason from the list."""
    user = launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    check_csrf()
    reason = request.form.get("reason") or ""
    if reason not in REASON_LABELS:
        with services.database().read() as connection:
            _decidable_award(connection, uid, user)
        return _decision_page(uid, "revoke", 400, _("Choisissez le motif de la révocation."))
    with services.database().begin() as connection:
        award = _decidable_award(connection, uid, user)
        if not services.badges().revoke(connection, services.learning(), uid, reason,
                                        request.form.get("note"), _decided_by(user)):
            abort(409, description=_("Ce badge est déjà révoqué."))
    return redirect(url_for("dashboards.learner", user_id=award.user_id), 303)


@bp.post("/trainer/awards/<uid>/reinstate")
def reinstate(uid: str):
    """Undo a mistaken revocation; who and why are recorded."""
    user = launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    check_csrf()
    note = (request.form.get("note") or "").strip()
    if not note:
        with services.database().read() as connection:
            _decidable_award(connection, uid, user)
        return _decision_page(uid, "reinstate", 400, _("Indiquez pourquoi vous rétablissez ce badge."))
    with services.database().begin() as connection:
        award = _decidable_award(connection, uid, user)
        if not services.badges().reinstate(connection, services.learning(), uid, note, _decided_by(user)):
            abort(409, description=_("Ce badge n'est pas révoqué."))
    return redirect(url_for("dashboards.learner", user_id=award.user_id), 303)


def _decided_by(user) -> str:
    return f"{user.learner.issuer}|{user.learner.sub}"
