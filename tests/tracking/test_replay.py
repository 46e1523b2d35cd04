"""Replay rebuilds the progress projection and the awards from the statements alone, equal to the live state."""
from __future__ import annotations

from sqlalchemy import delete, select

from lti_tool import database, services
from lti_tool.domain.learning import EventKind, LearningEvent
from lti_tool.domain.quiz import correct_choices, draw, grade
from lti_tool.models import Award, Progress
from tests.xapi.conftest import run_cli


def _learn(app, learner, module, passing: bool) -> None:
    catalogue = services.catalogue(app)
    with database(app).begin() as connection:
        def event(kind, **details):
            services.learning(app).record(connection, LearningEvent(kind=kind, learner=learner, module_id=module.id,
                                                                    **details))
        event(EventKind.MODULE_LAUNCHED)
        event(EventKind.MODULE_OPENED)
        for section in module.sections:
            event(EventKind.SECTION_VIEWED, section_id=section["id"])
        bank = catalogue.quiz(module.folder, "fr")
        questions = draw(bank, catalogue.questions_per_attempt)
        answers = {q: list(correct_choices(bank[q])) if passing else [] for q in questions}
        result = grade(bank, questions, answers)
        for answer in result.results:
            event(EventKind.QUESTION_ANSWERED, question_id=answer.question_id, response=answer.chosen,
                  correct=answer.correct)
        event(EventKind.QUIZ_SUBMITTED, score=result.scaled, raw=result.raw, maximum=result.maximum)


def _ms(moment):
    """Statements carry millisecond timestamps."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000) if moment else None


def _state(app) -> tuple[list, list]:
    with database(app).sessions() as db:
        progress = [(p.user_id, p.module_id, p.context_id, p.status, list(p.sections_viewed), p.last_section_id,
                     p.best_score, p.attempts, _ms(p.completed_at), _ms(p.passed_at), _ms(p.last_activity_at))
                    for p in db.scalars(select(Progress).order_by(Progress.user_id, Progress.module_id))]
        awards = [(a.uid, a.user_id, a.kind, a.module_id, a.context_id, _ms(a.awarded_at), _ms(a.revoked_at),
                   a.revocation_reason, a.revocation_note, a.revoked_by)
                  for a in db.scalars(select(Award).order_by(Award.uid))]
    return progress, awards


def test_replay_rebuilds_progress_and_awards_equal_to_the_live_state(app, launched_learner):
    modules = services.catalogue(app).modules
    _learn(app, launched_learner, modules[0], passing=False)
    for module in modules[:3]:
        _learn(app, launched_learner, module, passing=True)
    with database(app).begin() as connection:
        revoked = connection.execute(select(Award.uid).where(Award.module_id == modules[1].id)).scalar_one()
        assert services.badges(app).revoke(connection, services.learning(app), revoked, "fraud",
                                           "Quiz passé pour autrui", "cli")
    progress, awards = _state(app)
    assert {row[3] for row in progress} == {"passed"}
    assert [(a[2], a[3], a[6] is not None) for a in awards if a[0] == revoked] == [("module", modules[1].id, True)]
    assert sorted(a[2] for a in awards) == ["module", "module", "module", "passport"]

    run_cli(app, "replay")
    assert _state(app) == (progress, awards)

    with database(app).begin() as connection:  # lose the projection and the awards: the statements remain
        connection.execute(delete(Progress))
        connection.execute(delete(Award))
    output = run_cli(app, "replay")
    assert "replayed" in output
    assert _state(app) == (progress, awards)
