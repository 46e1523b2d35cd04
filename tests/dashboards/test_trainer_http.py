"""The trainer dashboard over HTTP (in-process) after real LTI launches: grid, detail, course view, exports, preview."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from lti_tool import database, services
from lti_tool.domain.people import LaunchFacts, save_launch
from lti_tool.domain.roles import Role
from lti_tool.models import Platform, Progress, QuestionMiss, User
from tests.peers.lti_platform import landing
from tests.player.test_quiz_http import MODULE, _answers, _csrf, _open_quiz
from xapi.models import Statement
from xapi.sql import utcnow


@pytest.fixture
def trainer(tool, platform):
    browser = tool.browser()
    assert platform.launch(browser, user="trainer-1").headers["Location"].endswith("/trainer/")
    return browser


def _learner(tool, platform, user: str):
    browser = tool.browser()
    assert landing(platform.launch(browser, user=user))
    return browser


def _launched_without_module(tool, platform, user: str) -> int:
    """A learner whose launch named no module (a catalogue placement): in the course, nothing started."""
    with database(tool.app).begin() as connection:
        platform_id = connection.execute(select(Platform.id).where(Platform.issuer == platform.issuer)).scalar_one()
        return save_launch(connection, LaunchFacts(platform_id, platform.issuer, user, Role.LEARNER, [],
                                                   f"Peer {user}", None, {"id": "peer-course-1"}, {}, None)).user_id


def _take_quiz(tool, browser, right: bool) -> None:
    attempt_id, questions, csrf = _open_quiz(tool, browser)
    response = browser.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt_id}",
                            data=[("csrf_token", csrf), *_answers(tool.app, questions, right=right)])
    assert response.status_code == 200
    if not right:
        browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": csrf})


def _user_id(tool, name: str) -> int:
    with database(tool.app).sessions() as db:
        return db.scalars(select(User.id).where(User.name == name)).one()


def test_grid_shows_each_learner_per_module_with_filters_search_sort_and_pages(tool, platform, trainer):
    alice, bruno = _learner(tool, platform, "learner-alice"), _learner(tool, platform, "learner-bruno")
    _launched_without_module(tool, platform, "learner-chloe")
    _take_quiz(tool, alice, right=True)
    _take_quiz(tool, bruno, right=False)
    _take_quiz(tool, bruno, right=False)
    page = trainer.get(f"{tool.url}/trainer/")
    assert page.status_code == 200
    assert "3 apprenant(s)" in page.text and "Peer trainer-1" not in page.text
    alice_row = re.search(r"Peer learner-alice.*?</tr>", page.text, re.S).group(0)
    assert "Validé" in alice_row and "100 %" in alice_row and "1 tent." in alice_row
    bruno_row = re.search(r"Peer learner-bruno.*?</tr>", page.text, re.S).group(0)
    assert "Non validé" in bruno_row and "0 %" in bruno_row and "2 tent." in bruno_row and "En difficulté" in bruno_row

    def names(**args) -> list[str]:
        html = trainer.get(f"{tool.url}/trainer/", params=args).text
        return re.findall(r'<th scope="row"><a href="/trainer/learners/\d+">Peer learner-(\w+)</a>', html)

    assert names() == ["alice", "bruno", "chloe"]
    assert names(order="desc") == ["chloe", "bruno", "alice"]
    assert names(filter="stuck") == ["bruno"]
    assert names(filter="passed") == ["alice"]
    assert names(filter="not_started") == ["chloe"]
    assert names(filter="passport") == []
    assert names(q="BRU") == ["bruno"]
    assert names(q="%") == names(q="_") == names(q="/") == []  # LIKE's wildcards and escape are plain letters
    assert names(q="learner-") == ["alice", "bruno", "chloe"]
    assert names(sort="passed", order="desc")[0] == "alice"
    for n in range(30):
        _learner(tool, platform, f"learner-z{n:02d}")
    assert len(names()) == 25 and len(names(page=2)) == 8
    assert "page 2 sur 2" in trainer.get(f"{tool.url}/trainer/", params={"page": 2}).text


def test_stuck_also_means_no_activity_for_n_days(tool, platform, trainer):
    alice = _learner(tool, platform, "learner-alice")
    alice.get(f"{tool.url}/modules/{MODULE}")
    with database(tool.app).begin() as connection:
        connection.execute(update(Progress).values(last_activity_at=utcnow() - timedelta(days=20)))
    stuck = trainer.get(f"{tool.url}/trainer/", params={"filter": "stuck"}).text
    assert "Peer learner-alice" in stuck
    assert "Peer learner-alice" not in trainer.get(f"{tool.url}/trainer/",
                                                   params={"filter": "stuck", "days": 30}).text


@pytest.mark.parametrize("args", [{"filter": "everyone"}, {"sort": "age"}, {"page": "0"}, {"page": "two"},
                                  {"days": "0"}, {"q": "pe\x00er"}])
def test_bad_grid_requests_get_a_readable_400(tool, trainer, args):
    response = trainer.get(f"{tool.url}/trainer/", params=args)
    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_dashboard_is_for_trainers_of_that_course_only(tool, platform, trainer):
    alice = _learner(tool, platform, "learner-alice")
    assert alice.get(f"{tool.url}/trainer/").status_code == 403
    assert alice.get(f"{tool.url}/trainer/export/grid.csv").status_code == 403
    assert alice.get(f"{tool.url}/trainer/preview/{MODULE}").status_code == 403
    with database(tool.app).begin() as connection:  # a learner of another course on the same platform
        platform_id = connection.execute(select(Platform.id).where(Platform.issuer == platform.issuer)).scalar_one()
        other = save_launch(connection, LaunchFacts(platform_id, platform.issuer, "elsewhere", Role.LEARNER, [],
                                                    "Other course learner", None, {"id": "course-2"}, {}, None))
    assert trainer.get(f"{tool.url}/trainer/learners/{other.user_id}").status_code == 404
    assert "Other course learner" not in trainer.get(f"{tool.url}/trainer/").text


def test_learner_detail_shows_sections_attempts_missed_questions_and_badges(tool, platform, trainer):
    alice = _learner(tool, platform, "learner-alice")
    section = f"{tool.url}/modules/{MODULE}/sections/" + _first_section(tool)
    page = alice.get(section)
    assert alice.post(section + "/read", data={"csrf_token": _csrf(page.text)}).status_code == 204  # read to its end
    _take_quiz(tool, alice, right=False)
    _take_quiz(tool, alice, right=True)
    page = trainer.get(f"{tool.url}/trainer/learners/{_user_id(tool, 'Peer learner-alice')}")
    assert page.status_code == 200
    assert "Sections lues : 1 sur" in page.text
    module = services.catalogue(tool.app).get(MODULE)
    assert f"({services.catalogue(tool.app).section(module, _first_section(tool), 'fr').title})" in page.text
    attempts = re.search(r"Tentatives au quiz.*?</table>", page.text, re.S).group(0)
    assert attempts.count("<tr>") == 3 and "0 %" in attempts and "100 %" in attempts
    assert attempts.count("<li>") == 10  # the failed attempt's ten missed questions, by prompt
    assert "/verify/" in page.text and "Page de vérification" in page.text


def _first_section(tool) -> str:
    return services.catalogue(tool.app).get(MODULE).sections[0]["id"]


def test_course_view_rates_distribution_and_most_missed_questions(tool, platform, trainer):
    _take_quiz(tool, _learner(tool, platform, "learner-alice"), right=True)
    _take_quiz(tool, _learner(tool, platform, "learner-bruno"), right=False)
    page = trainer.get(f"{tool.url}/trainer/course")
    assert page.status_code == 200
    row = re.search(r"Vendre sur Internet</th>.*?</tr>", page.text, re.S).group(0)
    assert "2 / 2" in row and "50 % (1)" in row
    table = re.search(r"Nombre de meilleurs scores par tranche.*?</table>", page.text, re.S).group(0)
    assert re.search(r"0–9 %</th><td>1</td>", table) and re.search(r"90–100 %</th><td>1</td>", table)
    assert '<svg class="chart"' in page.text and 'role="img"' in page.text
    with database(tool.app).sessions() as db:
        assert db.scalar(select(func.sum(QuestionMiss.misses))) == 10
    assert page.text.count("<td>1</td></tr>") >= 10  # ten questions missed once each
    assert trainer.get(f"{tool.url}/trainer/course", params={"module": "nope"}).status_code == 404


def test_exports_csv_with_bom_and_semicolons_and_xlsx(tool, platform, trainer):
    _take_quiz(tool, _learner(tool, platform, "learner-élodie"), right=True)
    response = trainer.get(f"{tool.url}/trainer/export/grid.csv", params={"sep": "semicolon"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Apprenant", "Module", "Statut"] and len(rows) == 1 + 18
    assert ["Peer learner-élodie", MODULE, "Validé"] == next(r for r in rows if r[1] == MODULE)[:3]
    plain = trainer.get(f"{tool.url}/trainer/export/attempts.csv").content.decode("utf-8-sig")
    attempts = list(csv.reader(io.StringIO(plain)))
    assert len(attempts) == 2 and attempts[1][1] == MODULE and attempts[1][3] == "100"
    book = load_workbook(io.BytesIO(trainer.get(f"{tool.url}/trainer/export/grid.xlsx").content))
    sheet = book.active
    assert sheet.max_row == 19 and sheet.cell(1, 1).value == "Apprenant"
    assert trainer.get(f"{tool.url}/trainer/export/grid.csv", params={"sep": "tab"}).status_code == 400
    assert trainer.get(f"{tool.url}/trainer/export/secrets.csv").status_code == 404


def test_preview_records_nothing(tool, platform, trainer):
    with database(tool.app).sessions() as db:
        statements_before = db.scalar(select(func.count()).select_from(Statement))
    module = trainer.get(f"{tool.url}/trainer/preview/{MODULE}")
    assert module.status_code == 200 and "Aperçu formateur" in module.text
    section = trainer.get(f"{tool.url}/trainer/preview/{MODULE}/sections/{_first_section(tool)}")
    assert section.status_code == 200 and "Aperçu formateur" in section.text
    quiz = trainer.get(f"{tool.url}/trainer/preview/{MODULE}/quiz")
    assert "Aperçu formateur" in quiz.text
    graded = trainer.post(f"{tool.url}/trainer/preview/{MODULE}/quiz", data={"csrf_token": _csrf(quiz.text)})
    assert graded.status_code == 200 and "0 bonne(s) réponse(s) sur 32." in graded.text
    with database(tool.app).sessions() as db:
        assert db.scalar(select(func.count()).select_from(Statement)) == statements_before
        assert db.scalar(select(func.count()).select_from(Progress)) == 0
    assert trainer.get(f"{tool.url}/trainer/preview/nope").status_code == 404
    assert trainer.get(f"{tool.url}/trainer/preview/{MODULE}/sections/nope").status_code == 404
