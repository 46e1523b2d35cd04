"""The learning-event entry point and the progress projection, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from lti_tool import database, services
from lti_tool.domain.learning import EventKind, LearningEvent, progress_of

MODULE = "cybersecurite-essentielle"


@pytest.fixture
def learner(launched_learner):
    return launched_learner


def _record(app, learner, kind, **details):
    seen = []
    record = services.learning(app)
    with database(app).begin() as connection:
        record.listeners.append(lambda _connection, events: seen.extend(e.kind for e in events))
        try:
            record.record(connection, LearningEvent(kind=kind, learner=learner, module_id=MODULE, **details))
        finally:
            record.listeners.pop()
        return seen, progress_of(connection, learner.user_id)[MODULE]


def test_viewing_every_section_completes_the_module_once(app, learner):
    sections = [s["id"] for s in services.catalogue(app).get(MODULE).sections]
    seen, progress = _record(app, learner, EventKind.MODULE_OPENED)
    assert seen == [EventKind.MODULE_OPENED] and progress["status"] == "in_progress"
    for section_id in sections[:-1]:
        seen, progress = _record(app, learner, EventKind.SECTION_VIEWED, section_id=section_id)
        assert seen == [EventKind.SECTION_VIEWED]
    seen, progress = _record(app, learner, EventKind.SECTION_VIEWED, section_id=sections[-1])
    assert seen == [EventKind.SECTION_VIEWED, EventKind.MODULE_COMPLETED]
    assert progress["status"] == "completed" and progress["completed_at"] is not None
    seen, _ = _record(app, learner, EventKind.SECTION_VIEWED, section_id=sections[0])
    assert seen == []  # a section is read once: reading it again records nothing (and completes nothing)


def test_quiz_results_fail_then_pass_and_pass_is_kept(app, learner):
    seen, progress = _record(app, learner, EventKind.QUIZ_SUBMITTED, score=0.6, raw=6, maximum=10)
    assert seen == [EventKind.QUIZ_SUBMITTED, EventKind.MODULE_FAILED] and progress["status"] == "failed"
    seen, progress = _record(app, learner, EventKind.QUIZ_SUBMITTED, score=0.7, raw=7, maximum=10)
    assert seen == [EventKind.QUIZ_SUBMITTED, EventKind.MODULE_PASSED, EventKind.CREDENTIAL_EARNED]
    assert progress["status"] == "passed"
    seen, progress = _record(app, learner, EventKind.QUIZ_SUBMITTED, score=0.2, raw=2, maximum=10)
    assert seen == [EventKind.QUIZ_SUBMITTED, EventKind.MODULE_FAILED]
    assert (progress["status"], progress["attempts"], progress["best_score"]) == ("passed", 3, 0.7)
    seen, _ = _record(app, learner, EventKind.QUIZ_SUBMITTED, score=1.0, raw=10, maximum=10)
    assert seen == [EventKind.QUIZ_SUBMITTED]  # "passed" is reported the first time only
