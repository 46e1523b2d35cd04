"""The dashboard's aggregates (time spent, failed attempts, question misses) are kept by the learning events
in their transaction, and replay rebuilds them equal to the live state."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from lti_tool import database, services
from lti_tool.domain.learning import EventKind, LearningEvent
from lti_tool.models import Progress, QuestionMiss
from tests.tracking.test_replay import _learn
from tests.xapi.conftest import run_cli
from xapi.sql import utcnow


def _aggregates(app) -> tuple[list, list]:
    with database(app).sessions() as db:
        progress = [(p.user_id, p.module_id, p.attempts, p.failed_attempts, p.time_spent_seconds)
                    for p in db.scalars(select(Progress).order_by(Progress.module_id))]
        misses = [(m.context_id, m.module_id, m.question_id, m.misses)
                  for m in db.scalars(select(QuestionMiss).order_by(QuestionMiss.module_id, QuestionMiss.question_id))]
    return progress, misses


def test_failed_attempts_and_misses_are_counted_and_replayed(app, launched_learner):
    first, second = services.catalogue(app).modules[:2]
    _learn(app, launched_learner, first, passing=False)
    _learn(app, launched_learner, first, passing=False)
    _learn(app, launched_learner, first, passing=True)
    _learn(app, launched_learner, second, passing=True)
    progress, misses = _aggregates(app)
    assert [row[1:4] for row in progress] == sorted([(first.id, 3, 2), (second.id, 1, 0)])
    assert {m[1] for m in misses} == {first.id} and sum(m[3] for m in misses) == 20
    assert all(m[0] == launched_learner.context_id for m in misses)

    with database(app).begin() as connection:  # lose the projection and the aggregate: the statements remain
        connection.execute(delete(Progress))
        connection.execute(delete(QuestionMiss))
    run_cli(app, "replay")
    assert _aggregates(app) == (progress, misses)
    run_cli(app, "replay")  # replaying twice counts nothing twice
    assert _aggregates(app) == (progress, misses)


def test_time_spent_sums_the_gaps_between_a_module_events_up_to_half_an_hour(app, launched_learner):
    module = services.catalogue(app).modules[0]
    start = utcnow() - timedelta(hours=3)
    offsets = [0, 5, 12, 12 + 45, 12 + 45 + 10]  # minutes; the 45-minute pause is not time spent
    with database(app).begin() as connection:
        for n, minutes in enumerate(offsets):
            kind = EventKind.MODULE_OPENED if n == 0 else EventKind.SECTION_VIEWED
            services.learning(app).record(connection, LearningEvent(
                kind=kind, learner=launched_learner, module_id=module.id,
                section_id=None if n == 0 else module.sections[0]["id"],
                occurred_at=start + timedelta(minutes=minutes)))
    with database(app).sessions() as db:
        assert db.scalars(select(Progress.time_spent_seconds)).one() == (5 + 7 + 10) * 60
