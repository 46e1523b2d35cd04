"""Trainer and programme views."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import database
from ..domain.people import course_members
from ..domain.roles import Role
from sqlalchemy import select

from ..models import Award, Context
from ..visit import current_visit

bp = Blueprint("dashboards", __name__)


@bp.get("/trainer/")
def trainer_home():
    """The course's learners who have launched Passeport so far."""
    visit = current_visit(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    with database(current_app).sessions() as db:
        course = db.get(Context, visit.context_id) if visit.context_id else None
        learners = course_members(db, course.id) if course else []
        awards = db.scalars(select(Award).where(Award.context_id == course.id).order_by(Award.id)).all() \
            if course else []
    by_user: dict[int, list] = {}
    for award in awards:
        by_user.setdefault(award.user_id, []).append(award)
    return render_template("dashboards/trainer_home.html", course=course, learners=learners, awards=by_user,
                           catalogue=current_app.extensions["passeport.catalogue"])
