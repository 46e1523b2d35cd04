"""Item statistics on real answers: a generated cohort takes the quiz through the domain (learning events →
statements + item-response index); one planted item is non-discriminating, one too easy, and they are flagged —
in SQL, on the staff page, by ``passeport content item-stats``, and again after replay."""
from __future__ import annotations

import csv
import io
import json
import statistics

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import insert, select

from lti_tool import database, services
from lti_tool.authoring.cli import content_cli
from lti_tool.domain.item_stats import item_statistics
from lti_tool.domain.people import LaunchFacts, save_launch
from lti_tool.domain.registrations import PlatformSettings, register_platform
from lti_tool.domain.roles import Role
from lti_tool.models import QuizAttempt
from tests.conftest import in_process_platform
from tests.xapi.conftest import run_cli
from xapi.models import Statement
from xapi.sql import utcnow

MODULE = "vendre-sur-internet"
COHORT = 60


def _cohort(app) -> tuple[list[str], str, str]:
    """COHORT learners of increasing ability answer the same ten questions; returns them, the planted
    non-discriminating item (right for every other learner, whatever their ability) and the too-easy one."""
    catalogue, attempts = services.catalogue(app), services.attempts(app)
    module = catalogue.get(MODULE)
    bank = catalogue.quiz(module.folder, "fr")
    questions = sorted(bank)[:10]
    planted, easy = questions[0], questions[1]
    thresholds = {q: 0.25 + 0.5 * k / 7 for k, q in enumerate(questions[2:])}
    with database(app).session() as db:
        platform, _ = register_platform(db, PlatformSettings(
            "https://lms.example.org", "c1", "https://lms.example.org/auth", "https://lms.example.org/token",
            "https://lms.example.org/jwks", ("d1",)))
        platform_id = platform.id
    for i in range(COHORT):
        ability = (i + 0.5) / COHORT
        with database(app).begin() as connection:
            learner = save_launch(connection, LaunchFacts(platform_id, "https://lms.example.org", f"sub-{i}",
                                                          Role.LEARNER, [], None, None, {"id": "course-1"}, {}, None))
            attempt_id = connection.execute(insert(QuizAttempt).values(
                user_id=learner.user_id, module_id=module.id, question_ids=questions, status="open",
                started_at=utcnow()).returning(QuizAttempt.id)).scalar_one()
            answers = {}
            for question in questions:
                right = (i % 2 == 0) if question == planted else True if question == easy else \
                    ability > thresholds[question]
                choices = bank[question]["choices"]
                answers[question] = [c["id"] for c in choices if c.get("correct")] if right else \
                    [next(c["id"] for c in choices if not c.get("correct"))]
            attempt = attempts.open_one(connection, learner, module, attempt_id)
            attempts.submit(connection, learner, module, attempt, attempts.grade(module, attempt, answers), "fr")
    return questions, planted, easy


def _from_statements(app) -> dict[str, tuple[float, float | None]]:
    """Difficulty and point-biserial (against the score on the other questions) per question, computed in
    Python from the stored statements alone."""
    attempt_key = "http://127.0.0.1:5000/vocabulary/extensions/attempt"
    with database(app).read() as connection:
        documents = [json.loads(d) for d in connection.execute(select(Statement.__table__.c.document)).scalars()]
    scores = {d["context"]["extensions"][attempt_key]: d["result"]["score"] for d in documents
              if d["verb"]["id"].endswith("/completed") and d["object"]["id"].endswith("/quiz")}
    pairs: dict[str, list[tuple[int, float]]] = {}
    for d in documents:
        if d["verb"]["id"].endswith("/answered"):
            question = d["object"]["id"].rsplit("/", 1)[-1]
            right, score = int(d["result"]["success"]), scores[d["context"]["extensions"][attempt_key]]
            pairs.setdefault(question, []).append((right, (score["raw"] - right) / (score["max"] - 1)))
    found = {}
    for question, values in pairs.items():
        xs, ys = [x for x, _ in values], [y for _, y in values]
        found[question] = (sum(xs) / len(xs), statistics.correlation(xs, ys) if len(set(xs)) > 1 else None)
    return found


def test_item_statistics_flag_the_planted_items_and_agree_with_the_statements(app):
    questions, planted, easy = _cohort(app)
    with database(app).read() as connection:
        stats = {s.question_id: s for s in item_statistics(connection, MODULE)}
    assert sorted(stats) == questions and {s.answers for s in stats.values()} == {COHORT}
    assert stats[planted].flags == ("not_discriminating",)
    assert stats[easy].flags == ("too_easy",) and stats[easy].discrimination is None
    for question in questions[2:]:
        assert stats[question].flags == () and stats[question].discrimination > 0.3
    for question, (difficulty, discrimination) in _from_statements(app).items():
        assert abs(stats[question].difficulty - difficulty) < 1e-9
        assert discrimination is None if stats[question].discrimination is None else \
            abs(stats[question].discrimination - discrimination) < 1e-9
    bank = services.catalogue(app).quiz(services.catalogue(app).get(MODULE).folder, "fr")
    wrong_pick = next(c["id"] for c in bank[planted]["choices"] if not c.get("correct"))
    assert stats[planted].chosen[wrong_pick] == COHORT // 2  # how often the distractor was chosen

    before = [(s.question_id, s.answers, s.difficulty, s.discrimination, s.chosen) for s in stats.values()]
    run_cli(app, "replay")  # the index is rebuilt from the statements, equal to the live one
    with database(app).read() as connection:
        after = [(s.question_id, s.answers, s.difficulty, s.discrimination, s.chosen)
                 for s in item_statistics(connection, MODULE)]
    assert sorted(after) == sorted(before)

    result = CliRunner().invoke(content_cli, ["item-stats", "--module", MODULE, "--csv"],
                                obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    rows = {row["question"]: row for row in csv.DictReader(io.StringIO(result.output))}
    assert rows[planted]["flags"] == "not_discriminating" and rows[easy]["flags"] == "too_easy"
    assert rows[planted]["answers"] == str(COHORT)
    unknown = CliRunner().invoke(content_cli, ["item-stats", "--module", "nope"],
                                 obj=ScriptInfo(create_app=lambda: app))
    assert unknown.exit_code == 2 and "no module 'nope'" in unknown.output


def test_the_staff_page_shows_the_flags_and_refuses_learners(tool):
    _, planted, easy = _cohort(tool.app)
    platform = in_process_platform(tool)
    trainer = tool.browser()
    assert platform.launch(trainer, user="trainer-1").status_code == 303
    page = trainer.get(f"{tool.url}/trainer/item-stats", params={"module": MODULE})
    assert page.status_code == 200 and "<caption>Vendre sur Internet</caption>" in page.text
    planted_row = page.text.split(f'<th scope="row">{planted}')[1].split("</tr>")[0]
    easy_row = page.text.split(f'<th scope="row">{easy}')[1].split("</tr>")[0]
    assert "ne distingue pas" in planted_row and "trop facile" in easy_row
    assert trainer.get(f"{tool.url}/trainer/item-stats", params={"module": "nope"}).status_code == 404
    learner = tool.browser()
    platform.launch(learner)
    refused = learner.get(f"{tool.url}/trainer/item-stats")
    assert refused.status_code == 403 and "Traceback" not in refused.text
