"""Awards follow passed modules exactly once, even under concurrent completions; each is an 'earned' statement."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from lti_tool import database, services
from lti_tool.domain.learning import EventKind, LearningEvent
from lti_tool.models import Award
from xapi.models import Statement

EARNED = "https://w3id.org/xapi/openbadges/verbs/earned"


def _pass(app, learner, module_id, score=1.0) -> None:
    with database(app).begin() as connection:
        services.learning(app).record(connection, LearningEvent(
            kind=EventKind.QUIZ_SUBMITTED, learner=learner, module_id=module_id,
            score=score, raw=round(score * 10), maximum=10))


def _awards(app) -> list[tuple[str, str]]:
    with database(app).sessions() as db:
        return sorted((a.kind, a.module_id) for a in db.scalars(select(Award)))


def _earned(app) -> int:
    with database(app).sessions() as db:
        return db.scalar(select(func.count()).select_from(Statement).where(Statement.verb_id == EARNED))


def test_module_credentials_then_the_passport_once(app, launched_learner):
    learner = launched_learner
    modules = [m.id for m in services.catalogue(app).modules[:4]]
    _pass(app, learner, modules[0], score=0.5)
    assert _awards(app) == []
    _pass(app, learner, modules[0])
    _pass(app, learner, modules[0])
    _pass(app, learner, modules[1])
    assert _awards(app) == sorted([("module", modules[0]), ("module", modules[1])])
    _pass(app, learner, modules[2])
    _pass(app, learner, modules[3])
    assert _awards(app) == sorted([("module", m) for m in modules] + [("passport", "")])
    assert _earned(app) == 5
    with database(app).sessions() as db:
        passport = db.scalars(select(Award).where(Award.kind == "passport")).one()
        evidence = passport.credential["evidence"]
        assert [e["genre"] for e in evidence] == ["Module"] * 3 + ["TrainingCentre"]
        assert evidence[-1]["name"] == "lms.example.org"  # no name registered: the platform's host
        assert passport.credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert passport.credential_jwt.count(".") == 2


def test_twenty_concurrent_completions_award_each_credential_once(app, launched_learner):
    learner = launched_learner
    modules = [m.id for m in services.catalogue(app).modules[:5]]
    barrier, errors = threading.Barrier(20), []

    def complete(module_id):
        try:
            barrier.wait(timeout=30)
            _pass(app, learner, module_id)
        except Exception as error:  # collected and asserted below: a thread must not fail silently
            errors.append(repr(error))

    threads = [threading.Thread(target=complete, args=(modules[i % 5],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert _awards(app) == sorted([("module", m) for m in modules] + [("passport", "")])
    assert _earned(app) == 6
