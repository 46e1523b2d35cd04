"""``passeport demo seed``: a demo learner, launched from the demo LMS, who reads and passes modules
through the real event path."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .. import services
from ..domain.learning import EventKind, LearningEvent
from ..domain.people import LaunchFacts, save_launch
from ..domain.quiz import correct_choices, draw, grade
from ..domain.roles import Role
from ..models import Award, Platform
from .accounts import COURSE, USERS, issuer, register_demo_platform

DEMO_LEARNER = "alice"


def seed_demo_learner(app: Flask, module_count: int) -> str:
    """Returns the passport's award uid (the learner earns it at ``min_modules``)."""
    register_demo_platform(app)
    catalogue, learning = services.catalogue(app), services.learning(app)
    user = USERS[DEMO_LEARNER]
    with services.database(app).begin() as connection:
        platform_id = connection.execute(select(Platform.id).where(Platform.issuer == issuer(app))).scalar_one()
        learner = save_launch(connection, LaunchFacts(platform_id, issuer(app), user.sub, Role.LEARNER,
                                                      list(user.roles), user.name, None, COURSE, {}, None))
        for module in catalogue.modules[:module_count]:
            def event(kind, module_id=module.id, **details):
                learning.record(connection, LearningEvent(kind=kind, learner=learner, module_id=module_id,
                                                          **details))
            event(EventKind.MODULE_OPENED)
            for section in module.sections:
                event(EventKind.SECTION_VIEWED, section_id=section["id"])
            bank = catalogue.quiz(module.folder, "fr")
            questions = draw(bank, catalogue.questions_per_attempt)
            result = grade(bank, questions, {q: list(correct_choices(bank[q])) for q in questions})
            for r in result.results:
                event(EventKind.QUESTION_ANSWERED, question_id=r.question_id, response=r.chosen, correct=r.correct)
            event(EventKind.QUIZ_SUBMITTED, score=result.scaled, raw=result.raw, maximum=result.maximum)
        return connection.execute(select(Award.uid).where(Award.user_id == learner.user_id,
                                                          Award.kind == "passport")).scalar_one()


demo_cli = AppGroup("demo", help="The demo LMS and its sample learner.")


@demo_cli.command("seed")
@click.option("--modules", default=3, show_default=True, help="How many modules the demo learner passes.")
def demo_seed(modules: int) -> None:
    """A demo learner who passes modules through real learning events, earning the passport."""
    uid = seed_demo_learner(current_app, modules)
    factory = services.badges().factory
    click.echo(f"passport verification page: {factory.verify_url(uid)}")
    click.echo(f"passport credential:        {factory.credential_url(uid)}")
