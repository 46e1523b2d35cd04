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


def _signed_and_printed(app, uid: str) -> tuple[list[tuple[str, str]], str]:
    """(module title, "NN %") pairs in the signed credential, and the text of its PDF certificate."""
    import io
    import re

    from pypdf import PdfReader

    with database(app).sessions() as db:
        credential = db.scalars(select(Award).where(Award.uid == uid)).one().credential
    signed = [(e["name"], re.match(r"Quiz réussi à (\d+ %)", e["narrative"]).group(1))
              for e in credential["evidence"] if e["genre"] == "Module"]
    response = app.test_client().get(f"/credentials/{uid}/certificate.pdf")
    assert response.status_code == 200
    return signed, " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())


def test_the_certificate_prints_the_signed_credential_not_later_progress(app, launched_learner):
    modules = services.catalogue(app).modules
    for module in modules[:3]:
        _pass(app, launched_learner, module.id, score=0.8)
    with database(app).sessions() as db:
        uid = db.scalars(select(Award.uid).where(Award.kind == "passport")).one()
    _pass(app, launched_learner, modules[3].id, score=0.9)  # a fourth module
    _pass(app, launched_learner, modules[0].id, score=1.0)  # and a new best score
    signed, text = _signed_and_printed(app, uid)
    assert [title for title, _ in signed] == [m.title["fr"] for m in modules[:3]]
    assert [score for _, score in signed] == ["80 %"] * 3
    for title, _score in signed:
        assert " ".join(title.split())[:30] in text
    assert text.count("80 %") == 3 and "90 %" not in text and "100 %" not in text
    assert " ".join(modules[3].title["fr"].split())[:30] not in text
    module_uid = next(u for u in _award_uids(app) if u != uid)
    module_signed, module_text = _signed_and_printed(app, module_uid)
    assert len(module_signed) == 1 and module_signed[0][1] in module_text


def _award_uids(app) -> list[str]:
    with database(app).sessions() as db:
        return list(db.scalars(select(Award.uid).order_by(Award.id)))
