"""Trainer and programme views: the course's learners and their credentials, revocation."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import services
from ..badges.views import award_or_404
from ..domain.people import course_members
from ..domain.roles import Role
from ..models import Award, Context
from ..web_session import check_csrf, launched_user

bp = Blueprint("dashboards", __name__)


@bp.get("/trainer/")
def trainer_home():
    """The course's learners who have launched Passeport so far."""
    user = launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    with services.database().sessions() as db:
        course = db.get(Context, user.context_id) if user.context_id else None
        learners = course_members(db, course.id) if course else []
        awards = db.scalars(select(Award).where(Award.context_id == course.id).order_by(Award.id)).all() \
            if course else []
    by_user: dict[int, list] = {}
    for award in awards:
        by_user.setdefault(award.user_id, []).append(award)
    return render_template("dashboards/trainer_home.html", course=course, learners=learners, awards=by_user,
                           catalogue=services.catalogue(),
                           grade_problems=services.advantage().grade_problems(course.id) if course else [],
                           roster=services.advantage().roster(course.id) if course else None)


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
