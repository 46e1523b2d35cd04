"""The demo learner: launched from the demo LMS, reads and passes modules through the real event path."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from .. import database
from ..demo import COURSE, USERS, issuer, register_demo_platform
from ..domain.learning import EventKind, LearningEvent
from ..domain.people import LaunchFacts, record_launch
from ..domain.quiz import correct_choices, draw, grade
from ..domain.roles import Role
from ..models import Award, Platform

DEMO_LEARNER = "alice"


def seed_demo_learner(app: Flask, module_count: int) -> str:
    """Returns the passport's award uid (the learner earns it at ``min_modules``)."""
    register_demo_platform(app)
    catalogue, record = app.extensions["passeport.catalogue"], app.extensions["passeport.learning"]
    user = USERS[DEMO_LEARNER]
    with database(app).connect() as connection:
        platform_id = connection.execute(select(Platform.id).where(Platform.issuer == issuer(app))).scalar_one()
        visit = record_launch(connection, LaunchFacts(platform_id, user.sub, Role.LEARNER, list(user.roles),
                                                      user.name, None, COURSE, {}, None))
        for module in catalogue.modules[:module_count]:
            def event(kind, **details):
                record.record(connection, LearningEvent(kind=kind, user_id=visit.user_id, module_id=module.id,
                                                        context_id=visit.context_id, **details))
            event(EventKind.MODULE_OPENED)
            for section in module.sections:
                event(EventKind.SECTION_VIEWED, section_id=section["id"])
            bank = catalogue.quiz(module.folder, "fr")
            questions = draw(bank, catalogue.questions_per_attempt)
            result = grade(bank, questions, {q: list(correct_choices(bank[q])) for q in questions})
            for r in result.results:
                event(EventKind.QUESTION_ANSWERED, question_id=r.question_id, response=r.chosen, correct=r.correct)
            event(EventKind.QUIZ_SUBMITTED, score=result.scaled, raw=result.raw, maximum=result.maximum)
        return connection.execute(select(Award.uid).where(Award.user_id == visit.user_id,
                                                          Award.kind == "passport")).scalar_one()
