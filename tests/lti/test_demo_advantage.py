"""The demo LMS's whole loop over HTTP: Bruno places modules by deep linking, Alice passes one,
her score appears in the demo gradebook, and the roster lists Chloé, who never launched."""
from __future__ import annotations

import re
from html import unescape

import requests
from sqlalchemy import select

from lti_tool import database, services
from lti_tool.models import Context, DemoActivity
from tests.peers.lti_platform import landing
from tests.player.test_quiz_http import MODULE, _answers, _open_quiz


def _autopost(browser: requests.Session, page: requests.Response) -> requests.Response:
    """Post the auto-submitted form of ``page`` as a browser would."""
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return browser.post(action, data={k: unescape(v) for k, v in fields.items() if k != "csrf_token"})


def _launch(live_tool, browser: requests.Session, **form) -> requests.Response:
    launch_form = browser.post(live_tool.url + "/demo/start", data={"locale": "fr", **form})
    assert launch_form.status_code == 200, launch_form.text
    return _autopost(browser, launch_form)


def test_bruno_places_alice_passes_the_gradebook_shows_her_score(live_tool):
    bruno = requests.Session()
    picker = _launch(live_tool, bruno, user="bruno", deep_link="1")
    assert picker.url.endswith("/lti/deep-linking") and "Choisir des modules" in picker.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', picker.text).group(1)
    back = bruno.post(live_tool.url + "/lti/deep-linking", data=[
        ("csrf_token", csrf), ("module", MODULE), ("module", "cybersecurite-essentielle"),
        ("due-vendre-sur-internet", "2027-03-01")])
    course = _autopost(bruno, back)
    assert course.status_code == 200 and course.url.endswith("/demo/#activites")
    assert "Vendre sur Internet — avant le 01/03/2027" in course.text
    with database(live_tool.app).sessions() as db:
        placed = db.scalars(select(DemoActivity).order_by(DemoActivity.id)).all()
    assert [(a.module_id, a.tag, a.score_maximum) for a in placed] == [
        (MODULE, "passeport", 100.0), ("cybersecurite-essentielle", "passeport", 100.0)]

    alice = requests.Session()
    landed = _launch(live_tool, alice, user="alice", activity=str(placed[0].id))
    assert landing(landed) == f"/modules/{MODULE}"
    attempt_id, questions, csrf = _open_quiz(live_tool, alice)
    alice.post(f"{live_tool.url}/modules/{MODULE}/quiz/{attempt_id}",
               data=[("csrf_token", csrf), *_answers(live_tool.app, questions, right=True)])
    assert "—" in requests.get(live_tool.url + "/demo/gradebook").text
    assert services.outbox(live_tool.app).run_once() == 2  # what `passeport outbox run` does beside the server
    gradebook = requests.get(live_tool.url + "/demo/gradebook").text
    row = re.search(r"<th scope=\"row\">Alice Martin</th>(.*?)</tr>", gradebook, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == ["100 / 100", "—"]

    with database(live_tool.app).sessions() as db:
        course_id = db.scalars(select(Context)).one().id
    roster = services.advantage(live_tool.app).roster(course_id)
    assert roster.from_platform
    assert {(m.name, m.launched) for m in roster.learners} == {("Alice Martin", True), ("Chloé Garnier", False)}
    home = unescape(_launch(live_tool, requests.Session(), user="bruno", activity=str(placed[0].id)).text)
    never = home[home.index("Inscrits qui n'ont jamais ouvert Passeport"):]
    assert "<li>Chloé Garnier</li>" in never and "Alice Martin" not in never[:never.index("</section>")]


def test_demo_refuses_a_forged_or_replayed_deep_linking_response(live_tool):
    bruno = requests.Session()
    picker = _launch(live_tool, bruno, user="bruno", deep_link="1")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', picker.text).group(1)
    back = bruno.post(live_tool.url + "/lti/deep-linking", data=[("csrf_token", csrf), ("module", MODULE)])
    token = re.search(r'name="JWT" value="([^"]+)"', back.text).group(1)
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    refused = requests.post(live_tool.url + "/demo/deep-linking/return", data={"JWT": forged})
    assert refused.status_code == 400 and "Traceback" not in refused.text
    assert requests.post(live_tool.url + "/demo/deep-linking/return", data={"JWT": token}).status_code == 200
    replayed = requests.post(live_tool.url + "/demo/deep-linking/return", data={"JWT": token})
    assert replayed.status_code == 400 and "nonce" in replayed.text

