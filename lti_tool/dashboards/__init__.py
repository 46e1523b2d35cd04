"""Trainer and programme views."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import database
from ..domain.people import course_members
from ..domain.roles import Role
from ..models import Context
from ..visit import current_visit

bp = Blueprint("dashboards", __name__)


@bp.get("/trainer/")
def trainer_home():
    """The course's learners who have launched Passeport so far."""
    visit = current_visit(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    with database(current_app).sessions() as db:
        course = db.get(Context, visit.context_id) if visit.context_id else None
        learners = course_members(db, course.id) if course else []
    return render_template("dashboards/trainer_home.html", course=course, learners=learners)
