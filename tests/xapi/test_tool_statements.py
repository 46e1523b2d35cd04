"""The player's learning events as statements in the embedded LRS, and the projection rebuilt from them."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC

from sqlalchemy import select

from lti_tool import database, services
from lti_tool.domain.learning import Learner
from lti_tool.models import Progress
from lti_tool.tracking.builders import registration
from tests.peers.lti_platform import landing
from tests.xapi.conftest import run_cli
from xapi.validation import validate_statement

MODULE = "vendre-sur-internet"
ADL = "http://adlnet.gov/expapi/verbs/"


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _read(tool, browser, module) -> None:
    """Each section opened, then reported read (as its page's script does), then the tab hidden and left."""
    for section in module.sections:
        page = browser.get(f"{tool.url}/modules/{MODULE}/sections/{section['id']}")
        browser.post(f"{tool.url}/modules/{MODULE}/sections/{section['id']}/read", data={"csrf_token": _csrf(page)})
    for state in ("hidden", "left"):
        browser.post(f"{tool.url}/modules/{MODULE}/leave", data={"csrf_token": _csrf(page), "state": state})


def _learn(tool, platform):
    """Launch, read two sections, fail the quiz, pass it."""
    browser = tool.browser()
    assert landing(platform.launch(browser)) == f"/modules/{MODULE}"
    module = services.catalogue(tool.app).get(MODULE)
    bank = services.catalogue(tool.app).quiz(module.folder, "fr")
    _read(tool, browser, replace(module, sections=module.sections[:2]))
    for right in (False, True):
        start = browser.get(f"{tool.url}/modules/{MODULE}/quiz")
        page = browser.post(f"{tool.url}/modules/{MODULE}/quiz/new", data={"csrf_token": _csrf(start)})
        attempt = re.search(rf'action="/modules/{MODULE}/quiz/(\d+)"', page.text).group(1)
        form = [("csrf_token", _csrf(page))]
        for qid in dict.fromkeys(re.findall(r'name="answer-(q\d+)"', page.text)):
            choices = [c for c in bank[qid]["choices"] if bool(c.get("correct")) == right]
            form += [(f"answer-{qid}", c["id"]) for c in (choices if right else choices[:1])]
        browser.post(f"{tool.url}/modules/{MODULE}/quiz/{attempt}", data=form)
    return browser


def test_learning_events_are_statements_in_the_lrs(tool, platform, lrs):
    _learn(tool, platform)
    actor = {"objectType": "Agent", "account": {"homePage": platform.issuer, "name": "learner-1"}}
    found = lrs.get("/statements", params={"agent": json.dumps(actor), "ascending": "true", "limit": 100}).json()
    statements = found["statements"]
    verbs = [s["verb"]["id"].removeprefix(ADL) for s in statements]
    assert sorted(verbs[:2]) == ["initialized", "launched"]  # one transaction, often the same stored ms: ties go by id
    assert verbs.count("experienced") == 2 and verbs.count("answered") == 20
    assert verbs.count("failed") == 1 and verbs.count("passed") == 1 and verbs.count("completed") == 2
    assert verbs.count("suspended") == 1 and verbs.count("terminated") == 1
    attempt = f"{tool.url}/vocabulary/extensions/attempt"
    by_attempt: dict[int, list[str]] = {}
    for s in statements:
        if attempt in s["context"].get("extensions", {}):
            by_attempt.setdefault(s["context"]["extensions"][attempt], []).append(s["verb"]["id"].removeprefix(ADL))
    assert sorted(sorted(set(v)) for v in by_attempt.values()) == [["answered", "completed", "failed"],
                                                                    ["answered", "completed", "passed"]]
    expected_registration = registration(Learner(0, None, platform.issuer, "learner-1", "peer-course-1"))
    for s in statements:
        validate_statement({k: v for k, v in s.items() if k not in ("stored", "authority", "version")})
        validate_statement(s)
        assert set(s["actor"]) == {"objectType", "account"}, "no name or e-mail in statements"
        assert s["context"]["registration"] == expected_registration
        assert s["timestamp"].endswith("Z") and s["version"] == "1.0.0"
        assert s["authority"]["account"]["name"] == "passeport"
    passed = next(s for s in statements if s["verb"]["id"] == ADL + "passed")
    assert passed["object"]["id"] == f"{tool.url}/modules/{MODULE}"
    assert passed["result"]["score"]["scaled"] == 1.0 and passed["result"]["success"] is True
    assert passed["result"]["duration"].startswith("PT")
    answered = next(s for s in statements if s["verb"]["id"] == ADL + "answered")
    assert answered["object"]["definition"]["interactionType"] in ("choice", "true-false")
    assert answered["context"]["contextActivities"]["parent"][0]["id"] == passed["object"]["id"]


def _projection(app) -> list[tuple]:
    with database(app).sessions() as db:
        rows = db.scalars(select(Progress).order_by(Progress.user_id, Progress.module_id)).all()
        return [(p.user_id, p.module_id, p.context_id, p.status, list(p.sections_viewed), p.last_section_id,
                 p.best_score, p.attempts, _ms(p.completed_at), _ms(p.passed_at), _ms(p.last_activity_at))
                for p in rows]


def _ms(moment):
    """Statements carry millisecond timestamps."""
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_replay_rebuilds_the_live_projection(tool, platform):
    _learn(tool, platform)
    other = tool.browser()
    platform.launch(other, user="learner-2")
    module = services.catalogue(tool.app).get(MODULE)
    _read(tool, other, module)
    live = _projection(tool.app)
    assert {row[3] for row in live} == {"passed", "completed"}
    output = run_cli(tool.app, "replay")
    assert re.search(r"replayed \d+ learning event", output)
    assert _projection(tool.app) == live
