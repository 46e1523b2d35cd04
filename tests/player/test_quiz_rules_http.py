"""Attempts that measure, over HTTP after a real LTI launch: the rules shown before the start, confirmation of
unanswered questions, a failed attempt's review without the key, unseen questions first, the course's limits."""
from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select, update

from lti_tool import create_app, database, prepare, services
from lti_tool.domain.catalogue import content_root
from lti_tool.models import QuizAttempt
from tests.conftest import in_process_platform
from tests.inprocess import InProcessTool
from tests.peers.lti_platform import landing
from tests.player.test_quiz_http import MODULE, _answers, _open_quiz


@pytest.fixture
def learner(tool, platform):
    browser = tool.browser()
    assert landing(platform.launch(browser)) == f"/modules/{MODULE}"
    return browser


def _bank(app, locale="fr"):
    catalogue = services.catalogue(app)
    return catalogue.quiz(catalogue.get(MODULE).folder, locale)


def _attempts(app):
    with database(app).sessions() as db:
        return [(a.status, a.question_ids) for a in db.scalars(select(QuizAttempt).order_by(QuizAttempt.id))]


def _submit(tool, browser, attempt_id, form):
    return browser.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}", data=form)


def test_start_page_tells_the_pass_mark_and_the_number_of_questions_before_any_question(tool, learner):
    page = learner.get(f"{tool.url}/modules/{MODULE}/quiz")
    assert page.status_code == 200
    assert "10 questions tirées au hasard" in page.text and "au moins 70 %" in page.text
    assert 'name="answer-' not in page.text and _attempts(tool.app) == []
    assert "Commencer le quiz" in page.text
    attempt_id, questions, _ = _open_quiz(tool, learner)
    quiz = learner.get(f"{tool.url}/modules/{MODULE}/quiz")
    assert len(questions) == 10 and "il faut au moins 70 %" in quiz.text


def test_unanswered_questions_ask_for_confirmation_and_keep_the_answers(tool, learner):
    attempt_id, questions, csrf = _open_quiz(tool, learner)
    form = [("csrf_token", csrf), *_answers(tool.app, questions[:7], right=True)]
    asked = _submit(tool, learner, attempt_id, form)
    assert asked.status_code == 200 and "question(s) 8, 9, 10 sans réponse" in asked.text
    assert 'name="confirm" value="unanswered"' in asked.text
    assert asked.text.count(" checked>") == len(form) - 1  # the answers given are kept, ticked
    assert [status for status, _ in _attempts(tool.app)] == ["open"]  # nothing graded yet
    confirmed = _submit(tool, learner, attempt_id, [*form, ("confirm", "unanswered")])
    assert confirmed.status_code == 200 and "Score : 7 / 10" in confirmed.text
    assert [status for status, _ in _attempts(tool.app)] == ["submitted"]


def test_complete_answers_need_no_confirmation(tool, learner):
    attempt_id, questions, csrf = _open_quiz(tool, learner)
    done = _submit(tool, learner, attempt_id, [("csrf_token", csrf), *_answers(tool.app, questions, right=True)])
    assert "Score : 10 / 10" in done.text


def test_failed_attempt_shows_what_was_wrong_why_and_what_to_reread_but_not_the_key(tool, learner):
    bank = _bank(tool.app)
    attempt_id, questions, csrf = _open_quiz(tool, learner)
    wrong = _answers(tool.app, questions[:9], right=False)
    failed = _submit(tool, learner, attempt_id, [("csrf_token", csrf), *wrong, ("confirm", "unanswered")])
    assert "Module non validé" in failed.text and "Questions manquées" in failed.text
    for question_id, choice_id in wrong:
        question = bank[question_id.removeprefix("answer-")]
        chosen = next(c for c in question["choices"] if c["id"] == choice_id)
        assert _html(chosen["feedback"]) in failed.text  # why: the chosen choice's feedback
    for question_id in questions:
        for choice in bank[question_id]["choices"]:
            if choice.get("correct"):
                assert _html(choice["feedback"]) not in failed.text  # never the right choices' explanations
    assert "bonne réponse" not in failed.text and "Sans réponse." in failed.text
    titles = {s.id: s.title for s in services.catalogue(tool.app).sections(
        services.catalogue(tool.app).get(MODULE), "fr")}
    for question_id in questions:
        section = bank[question_id]["section"]
        assert f'href="/modules/{MODULE}/sections/{section}">{_html(titles[section])}</a>' in failed.text

    second_id, second, csrf = _open_quiz(tool, learner)
    _submit(tool, learner, second_id, [("csrf_token", csrf), *_answers(tool.app, second, right=True)])
    review = learner.get(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}/result")  # once passed: the key
    assert "Détail des réponses" in review.text and "bonne réponse" in review.text
    right = next(c for c in bank[questions[0]]["choices"] if c.get("correct"))
    assert _html(right["feedback"]) in review.text


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") \
        .replace("'", "&#39;")


def test_a_retry_draws_questions_not_seen_in_the_last_attempt_first(tool, learner):
    seen = []
    for _ in range(3):
        attempt_id, questions, csrf = _open_quiz(tool, learner)
        _submit(tool, learner, attempt_id, [("csrf_token", csrf), *_answers(tool.app, questions, right=False)])
        seen.append(set(questions))
    assert not seen[0] & seen[1] and not seen[1] & seen[2]  # 32 questions: a fresh draw each time


def test_an_unfinished_attempt_is_resumed_not_redrawn(tool, learner):
    attempt_id, questions, csrf = _open_quiz(tool, learner)
    again = learner.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": csrf})
    assert re.findall(r'name="answer-(q\d+)"', again.text)[0] == questions[0]
    assert len(_attempts(tool.app)) == 1


@pytest.fixture
def limited_tool(database_url, tmp_path):
    """The tool on a copy of the content whose course limits the module's quiz."""
    def make(per_day=None, wait_minutes=None):
        root = tmp_path / "content"
        shutil.copytree(content_root(), root, dirs_exist_ok=True)
        course = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
        course["quiz"]["attempt_limits"] = {MODULE: {"per_day": per_day, "wait_minutes": wait_minutes}}
        (root / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
        app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                          "BASE_URL": "http://127.0.0.1:5000", "DEMO": True, "TESTING": True,
                          "CONTENT_ROOT": str(root)})
        prepare(app)
        made.append(app)
        return InProcessTool(app)
    made: list = []
    yield make
    for app in made:
        database(app).dispose()


def _launched(tool):
    browser = tool.browser()
    assert landing(in_process_platform(tool).launch(browser)) == f"/modules/{MODULE}"
    return browser


def _take(tool, browser):
    attempt_id, questions, csrf = _open_quiz(tool, browser)
    _submit(tool, browser, attempt_id, [("csrf_token", csrf), *_answers(tool.app, questions, right=False)])
    return csrf


def _backdate(app, minutes: int) -> None:
    with database(app).begin() as connection:
        for attempt in connection.execute(select(QuizAttempt.id, QuizAttempt.submitted_at)).all():
            connection.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id).values(
                submitted_at=attempt.submitted_at - timedelta(minutes=minutes)))


def test_attempts_per_day_are_limited_and_the_next_opening_is_told(limited_tool):
    tool = limited_tool(per_day=2)
    browser = _launched(tool)
    start = browser.get(f"{tool.url}/modules/{MODULE}/quiz")
    assert "Au plus 2 tentative(s) par 24 heures (0 utilisée(s))" in start.text
    _take(tool, browser)
    csrf = _take(tool, browser)
    result = browser.get(f"{tool.url}/modules/{MODULE}/quiz")
    assert "Pas de nouvelle tentative pour l'instant" in result.text and "Commencer le quiz" not in result.text
    early = browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": csrf})
    assert early.status_code == 429 and "la prochaine sera possible le" in early.text
    assert 23 * 3600 < int(early.headers["Retry-After"]) <= 24 * 3600
    assert "heure de Paris" in early.text and "Traceback" not in early.text
    assert len(_attempts(tool.app)) == 2
    _backdate(tool.app, 24 * 60 + 1)
    assert browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": csrf}).status_code == 200
    assert len(_attempts(tool.app)) == 3


def test_a_waiting_time_separates_attempts(limited_tool):
    tool = limited_tool(wait_minutes=30)
    browser = _launched(tool)
    assert "Un délai de 30 minutes sépare deux tentatives." in browser.get(f"{tool.url}/modules/{MODULE}/quiz").text
    attempt_id, questions, csrf = _open_quiz(tool, browser)
    result = _submit(tool, browser, attempt_id, [("csrf_token", csrf), *_answers(tool.app, questions, right=False)])
    assert "Prochaine tentative possible le" in result.text and "Recommencer" not in result.text
    assert browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": csrf}).status_code == 429
    _backdate(tool.app, 29)
    assert browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": csrf}).status_code == 429
    _backdate(tool.app, 2)
    assert browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": csrf}).status_code == 200

