"""The player over HTTP (in-process) after a real LTI launch: progress, resume, quiz, and refused submissions."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool import database, services
from lti_tool.models import Progress, QuizAttempt
from tests.peers.lti_platform import landing

MODULE = "vendre-sur-internet"


@pytest.fixture
def learner(tool, platform):
    """A launched learner's browser (cookies kept across requests)."""
    browser = tool.browser()
    assert landing(platform.launch(browser)) == f"/modules/{MODULE}"
    return browser


def _bank(app):
    catalogue = services.catalogue(app)
    return catalogue, catalogue.get(MODULE)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _open_quiz(tool, browser) -> tuple[int, list[str], str]:
    start = browser.get(f"{tool.url}/modules/{MODULE}/quiz")
    assert start.status_code == 200
    page = browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": _csrf(start.text)})
    assert page.status_code == 200
    attempt_id = int(re.search(rf'action="/modules/{MODULE}/quiz/(\d+)"', page.text).group(1))
    question_ids = list(dict.fromkeys(re.findall(r'name="answer-(q\d+)"', page.text)))
    return attempt_id, question_ids, _csrf(page.text)


def _answers(app, question_ids, right: bool) -> list[tuple[str, str]]:
    catalogue, module = _bank(app)
    bank = catalogue.quiz(module.folder, "fr")
    form = []
    for qid in question_ids:
        choices = bank[qid]["choices"]
        picked = [c for c in choices if bool(c.get("correct")) == right]
        form += [(f"answer-{qid}", c["id"]) for c in (picked if right else picked[:1])]
    return form


def _progress(app, user_sub="learner-1"):
    with database(app).sessions() as db:
        return db.scalars(select(Progress).where(Progress.module_id == MODULE)).one_or_none()


def test_sections_progress_and_resume_on_next_launch(tool, platform, learner):
    catalogue, module = _bank(tool.app)
    sections = [s["id"] for s in module.sections]
    for section_id in sections[:2]:
        page = _read(tool, learner, section_id)
        assert f"Section {sections.index(section_id) + 1} sur {len(sections)}" in page.text
    progress = _progress(tool.app)
    assert progress.status == "in_progress" and progress.sections_viewed == sections[:2]
    relaunch = platform.launch(tool.browser())
    assert relaunch.status_code == 303 and landing(relaunch) == f"/modules/{MODULE}/sections/{sections[1]}"
    for section_id in sections[2:]:
        _read(tool, learner, section_id)
    assert _progress(tool.app).status == "completed"


def _read(tool, browser, section_id: str):
    """Open a section, then report it read as the page's script does when its end comes into view."""
    page = browser.get(f"{tool.url}/modules/{MODULE}/sections/{section_id}")
    assert page.status_code == 200 and 'id="section-end"' in page.text
    read = browser.post(f"{tool.url}/modules/{MODULE}/sections/{section_id}/read",
                        data={"csrf_token": _csrf(page.text)})
    assert read.status_code == 204
    return page


def test_fail_retry_pass(tool, learner):
    attempt_id, questions, csrf = _open_quiz(tool, learner)
    assert len(questions) == 10
    failed = learner.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}",
                          data=[("csrf_token", csrf), *_answers(tool.app, questions, right=False)])
    assert "Module non validé" in failed.text and "Score : 0 / 10" in failed.text
    assert _progress(tool.app).status == "failed"
    assert _badges(learner.get(f"{tool.url}/modules/{MODULE}").text) == ["Non validé"]
    second_id, second_questions, _ = _open_quiz(tool, learner)
    assert second_id != attempt_id
    passed = learner.post(f"{tool.url}/modules/{MODULE}/quiz/{second_id}",
                          data=[("csrf_token", csrf), *_answers(tool.app, second_questions, right=True)])
    assert "Module validé" in passed.text and "Score : 10 / 10" in passed.text
    progress = _progress(tool.app)
    assert (progress.status, progress.attempts, progress.best_score) == ("passed", 2, 1.0)
    badges = _badges(learner.get(f"{tool.url}/modules/").text)  # each module's status, in the catalogue
    assert len(badges) == 18 and badges.count("Validé") == 1 and badges.count("Pas commencé") == 17


def _badges(page: str) -> list[str]:
    return re.findall(r'<span class="status-badge status-[a-z_]+">([^<]+)</span>', page)


def _state(app):
    with database(app).sessions() as db:
        attempts = [(a.id, a.status, a.score) for a in db.scalars(select(QuizAttempt).order_by(QuizAttempt.id))]
        progress = db.scalars(select(Progress)).all()
        return attempts, [(p.module_id, p.status, p.attempts, p.best_score) for p in progress]


@pytest.mark.parametrize("defect,status,words", [
    ("no_csrf", 400, "formulaire a expiré"),
    ("unknown_choice", 400, "unknown choice"),
    ("foreign_question", 400, "not in this attempt"),
    ("two_answers_to_single", 400, "takes one answer"),
])
def test_bad_submissions_are_refused_and_nothing_recorded(tool, learner, defect, status, words):
    attempt_id, questions, csrf = _open_quiz(tool, learner)
    form = [("csrf_token", csrf), *_answers(tool.app, questions, right=True)]
    catalogue, module = _bank(tool.app)
    bank = catalogue.quiz(module.folder, "fr")
    single = next(q for q in questions if bank[q]["type"] != "multiple")
    if defect == "no_csrf":
        form = form[1:]
    elif defect == "unknown_choice":
        form.append((f"answer-{questions[0]}", "zz"))
    elif defect == "foreign_question":
        form.append((f"answer-{next(q for q in bank if q not in questions)}", "a"))
    else:
        form += [(f"answer-{single}", c["id"]) for c in bank[single]["choices"]]
    before = _state(tool.app)
    response = learner.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}", data=form)
    assert response.status_code == status
    assert words in response.text and "Traceback" not in response.text
    assert _state(tool.app) == before


def test_replayed_submission_and_closed_attempt_are_refused(tool, learner):
    attempt_id, questions, csrf = _open_quiz(tool, learner)
    form = [("csrf_token", csrf), *_answers(tool.app, questions, right=True)]
    assert learner.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}", data=form).status_code == 200
    before = _state(tool.app)
    replay = learner.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}", data=form)
    assert replay.status_code == 409 and "déjà close" in replay.text
    assert _state(tool.app) == before


def test_another_learners_attempt_is_refused(tool, platform, learner):
    attempt_id, questions, _ = _open_quiz(tool, learner)
    intruder = tool.browser()
    platform.launch(intruder, user="learner-2")
    page = intruder.get(f"{tool.url}/modules/{MODULE}/quiz")
    before = _state(tool.app)
    response = intruder.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}",
                             data=[("csrf_token", _csrf(page.text)), *_answers(tool.app, questions, True)])
    assert response.status_code == 403 and "autre personne" in response.text
    assert _state(tool.app) == before
    assert intruder.get(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}/result").status_code == 404


def test_player_needs_a_launch(tool):
    response = tool.get(f"{tool.url}/modules/{MODULE}")
    assert response.status_code == 401 and "plateforme" in response.text


def test_launch_locale_and_language_switch(tool, platform):
    browser = tool.browser()
    page = platform.launch(browser, locale="en-GB")  # the module page, in the launch's response
    assert landing(page) == f"/modules/{MODULE}"
    assert '<html lang="en">' in page.text and "Start the module" in page.text
    assert "<h1>Selling online</h1>" in page.text
    switched = browser.post(f"{tool.url}/locale", data={"csrf_token": _csrf(page.text), "locale": "fr",
                                                              "next": f"/modules/{MODULE}"})
    assert '<html lang="fr">' in switched.text and "Commencer le module" in switched.text


def test_an_attempt_number_past_what_the_database_keeps_is_a_404_and_the_open_attempt_stays(tool, learner):
    """Row ids in addresses stop at PostgreSQL's INTEGER: a larger number names no attempt (404). It was a 500 on
    both databases (PostgreSQL: integer out of range; SQLite: past 64 bits)."""
    attempt_id, _questions, csrf = _open_quiz(tool, learner)
    for number in (2**31, 10**20):
        assert learner.post(f"{tool.url}/modules/{MODULE}/quiz/{number}", data={"csrf_token": csrf}).status_code == 404
        assert learner.get(f"{tool.url}/modules/{MODULE}/quiz/{number}/result").status_code == 404
    with database(tool.app).sessions() as db:
        assert db.scalars(select(QuizAttempt.status).where(QuizAttempt.id == attempt_id)).one() == "open"
