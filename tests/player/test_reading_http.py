"""Reading and leaving over HTTP: a section counts as read when the page reports its end (once), not when it is
opened; hiding or leaving a module page sends suspended/terminated statements through the learning events."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from lti_tool import database, services
from lti_tool.models import Progress
from tests.peers.lti_platform import landing
from tests.player.test_quiz_http import MODULE, _csrf
from xapi.models import Statement


@pytest.fixture
def learner(tool, platform):
    browser = tool.browser()
    assert landing(platform.launch(browser)) == f"/modules/{MODULE}"
    return browser


def _statements(app, verb: str) -> list[dict]:
    with database(app).read() as connection:
        documents = [json.loads(d) for d in connection.execute(select(Statement.__table__.c.document)).scalars()]
    return [d for d in documents if d["verb"]["id"].endswith("/" + verb)]


def _viewed(app) -> list[str]:
    with database(app).sessions() as db:
        progress = db.scalars(select(Progress).where(Progress.module_id == MODULE)).one_or_none()
        return list(progress.sections_viewed) if progress else []


def test_opening_a_section_does_not_count_reaching_its_end_does_once(tool, learner):
    section = services.catalogue(tool.app).get(MODULE).sections[0]["id"]
    page = learner.get(f"{tool.url}/modules/{MODULE}/sections/{section}")
    assert page.status_code == 200 and 'id="section-end"' in page.text
    assert f'data-read-url="/modules/{MODULE}/sections/{section}/read"' in page.text
    assert _viewed(tool.app) == [] and _statements(tool.app, "experienced") == []
    url = f"{tool.url}/modules/{MODULE}/sections/{section}/read"
    assert learner.post(url, data={"csrf_token": _csrf(page.text)}).status_code == 204
    assert learner.post(url, data={"csrf_token": _csrf(page.text)}).status_code == 204  # idempotent
    assert _viewed(tool.app) == [section]
    [read] = _statements(tool.app, "experienced")
    assert read["object"]["id"].endswith(f"/modules/{MODULE}/sections/{section}")


def test_the_pager_without_script_marks_the_section_read_and_moves_on(tool, learner):
    first, second = [s["id"] for s in services.catalogue(tool.app).get(MODULE).sections[:2]]
    page = learner.get(f"{tool.url}/modules/{MODULE}/sections/{first}")
    moved = learner.post(f"{tool.url}/modules/{MODULE}/sections/{first}/read", allow_redirects=False,
                         data={"csrf_token": _csrf(page.text), "next": f"/modules/{MODULE}/sections/{second}"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/sections/{second}")
    assert _viewed(tool.app) == [first]


@pytest.mark.parametrize("path,form,status", [
    ("sections/nope/read", {"csrf": True}, 404),
    ("sections/{first}/read", {}, 400),
    ("leave", {"csrf": True, "state": "gone"}, 400),
    ("leave", {"state": "left"}, 400),
])
def test_bad_reports_are_refused_and_record_nothing(tool, learner, path, form, status):
    first = services.catalogue(tool.app).get(MODULE).sections[0]["id"]
    page = learner.get(f"{tool.url}/modules/{MODULE}/sections/{first}")
    data = {k: v for k, v in form.items() if k != "csrf"} | ({"csrf_token": _csrf(page.text)} if "csrf" in form else {})
    response = learner.post(f"{tool.url}/modules/{MODULE}/{path.format(first=first)}", data=data)
    assert response.status_code == status and "Traceback" not in response.text
    assert _viewed(tool.app) == [] and _statements(tool.app, "terminated") == []


def test_reports_need_a_launch(tool):
    assert tool.post(f"{tool.url}/modules/{MODULE}/leave", data={"state": "left"}).status_code == 401


def test_hiding_and_leaving_a_module_page_send_suspended_and_terminated(tool, learner):
    page = learner.get(f"{tool.url}/modules/{MODULE}")
    assert f'data-leave-url="/modules/{MODULE}/leave"' in page.text and "player.js" in page.text
    for state in ("hidden", "left"):
        beacon = learner.post(f"{tool.url}/modules/{MODULE}/leave", data={"csrf_token": _csrf(page.text),
                                                                          "state": state})
        assert beacon.status_code == 204
    [suspended], [terminated] = _statements(tool.app, "suspended"), _statements(tool.app, "terminated")
    for statement in (suspended, terminated):
        assert statement["object"]["id"].endswith(f"/modules/{MODULE}")
        assert statement["actor"]["account"]["name"] == "learner-1"
    assert suspended["verb"]["id"] == "http://adlnet.gov/expapi/verbs/suspended"
