"""Revocation and reinstatement by trainers, over HTTP: only staff of the award's own course on the award's
own platform decide; a public reason from the list, a private note, a confirmation step; both are events."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from lti_tool import database, services
from lti_tool.demo.accounts import COURSE, issuer
from lti_tool.domain.people import LaunchFacts, save_launch
from lti_tool.domain.registrations import PlatformSettings, register_platform
from lti_tool.domain.roles import Role
from lti_tool.models import Award, Platform
from lti_tool.tracking.vocabulary import DECIDED_BY, PRIVATE_NOTE, REINSTATED, REVOKED
from xapi.models import Statement

OTHER_LMS = "https://other-lms.example.org"


def _session(tool, platform_issuer: str, sub: str, role: Role, course: dict | None):
    """A browser whose web session is what a launch by this person would have opened."""
    app = tool.app
    with database(app).begin() as connection:
        platform_id = connection.execute(select(Platform.id).where(Platform.issuer == platform_issuer)).scalar_one()
        learner = save_launch(connection, LaunchFacts(platform_id, platform_issuer, sub, role, [], sub.title(), None,
                                                      course or {}, {}, None))
    browser = tool.browser()
    browser.get(tool.url + "/healthz")
    with browser.clients[tool.url].session_transaction(base_url=tool.url) as session:
        session["passeport"] = {"user_id": learner.user_id, "context_id": learner.context_id,
                                "issuer": platform_issuer, "sub": sub, "course": (course or {}).get("id"),
                                "role": role.value, "launch_id": "test", "locale": "fr"}
    return browser


def _other_platform(app) -> None:
    with database(app).session() as db:
        register_platform(db, PlatformSettings(OTHER_LMS, "c2", f"{OTHER_LMS}/auth", f"{OTHER_LMS}/token",
                                               f"{OTHER_LMS}/jwks", ("d2",)))


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _revoke(browser, tool, uid: str, **form):
    page = browser.get(f"{tool.url}/trainer/awards/{uid}/revoke")
    if page.status_code != 200:
        return page
    return browser.post(f"{tool.url}/trainer/awards/{uid}/revoke", data={"csrf_token": _csrf(page), **form},
                        allow_redirects=False)


def test_a_second_platforms_administrator_cannot_revoke(tool, passport):
    """The attack: an administrator of another LMS, even of a course with the same LMS id, is refused."""
    uid = passport[2]
    _other_platform(tool.app)
    intruder = _session(tool, OTHER_LMS, "admin-2", Role.ADMINISTRATOR, COURSE)
    assert intruder.get(f"{tool.url}/trainer/awards/{uid}/revoke").status_code == 403
    with intruder.clients[tool.url].session_transaction(base_url=tool.url) as session:
        session["csrf"] = "t"
    forced = intruder.post(f"{tool.url}/trainer/awards/{uid}/revoke", data={"csrf_token": "t", "reason": "fraud"})
    assert forced.status_code == 403
    assert tool.get(passport[0]).text.count("Valide") >= 1


def test_an_instructor_without_a_course_or_of_another_course_cannot_revoke(tool, passport):
    uid = passport[2]
    no_course = _session(tool, issuer(tool.app), "trainer-x", Role.INSTRUCTOR, None)
    assert no_course.get(f"{tool.url}/trainer/awards/{uid}/revoke").status_code == 403
    other_course = _session(tool, issuer(tool.app), "trainer-y", Role.ADMINISTRATOR, {"id": "another-course"})
    assert _revoke(other_course, tool, uid, reason="fraud").status_code == 403
    with database(tool.app).sessions() as db:
        assert db.scalars(select(Award).where(Award.revoked_at.is_not(None))).all() == []


def test_course_trainer_revokes_with_a_public_reason_then_reinstates(tool, passport):
    verify_url, _credential_url, uid = passport
    trainer = _session(tool, issuer(tool.app), "demo-bruno", Role.INSTRUCTOR, COURSE)
    confirmation = trainer.get(f"{tool.url}/trainer/awards/{uid}/revoke")
    assert confirmation.status_code == 200
    for label in ("Délivré par erreur", "Fraude constatée", "À la demande du titulaire", "Note privée"):
        assert label in confirmation.text
    assert _revoke(trainer, tool, uid).status_code == 400  # no reason: the form again, with a message
    assert _revoke(trainer, tool, uid, reason="because I say so").status_code == 400
    done = _revoke(trainer, tool, uid, reason="fraud", note="Réponses copiées sur un voisin")
    assert done.status_code == 303 and "/trainer/learners/" in done.headers["Location"]
    page = tool.get(verify_url)
    assert "Révoqué le" in page.text and "Fraude constatée" in page.text
    assert "voisin" not in page.text and "voisin" not in tool.get(f"{tool.url}/ob2/assertions/{uid}").text
    detail = trainer.get(tool.url + done.headers["Location"])
    assert "Révoqué" in detail.text and "Rétablir…" in detail.text
    learner = _session(tool, issuer(tool.app), "demo-alice", Role.LEARNER, COURSE)
    mine = learner.get(f"{tool.url}/passport")
    assert "Passeport révoqué" in mine.text and "Félicitations" not in mine.text
    assert _revoke(trainer, tool, uid, reason="fraud").status_code in (409, 200)

    form = trainer.get(f"{tool.url}/trainer/awards/{uid}/reinstate")
    assert form.status_code == 200 and "voisin" in form.text  # staff see the private note
    refused = trainer.post(f"{tool.url}/trainer/awards/{uid}/reinstate", data={"csrf_token": _csrf(form)})
    assert refused.status_code == 400
    back = trainer.post(f"{tool.url}/trainer/awards/{uid}/reinstate",
                        data={"csrf_token": _csrf(form), "note": "Vérification faite : erreur de surveillant"},
                        allow_redirects=False)
    assert back.status_code == 303
    assert "Valide" in tool.get(verify_url).text
    assert "Passeport obtenu" in learner.get(f"{tool.url}/passport").text

    base = tool.app.config["BASE_URL"]
    with database(tool.app).read() as connection:
        statements = [json.loads(row.document) for row in connection.execute(select(Statement.__table__))]
    by_verb = {s["verb"]["id"]: s for s in statements}
    revoked, reinstated = by_verb[base + REVOKED], by_verb[base + REINSTATED]
    assert revoked["result"]["response"] == "fraud"
    assert revoked["result"]["extensions"][base + PRIVATE_NOTE] == "Réponses copiées sur un voisin"
    assert revoked["result"]["extensions"][base + DECIDED_BY] == f"{issuer(tool.app)}|demo-bruno"
    assert reinstated["result"]["extensions"][base + DECIDED_BY] == f"{issuer(tool.app)}|demo-bruno"
    assert "surveillant" in reinstated["result"]["extensions"][base + PRIVATE_NOTE]


def test_the_cli_revokes_and_reinstates_anything(tool, passport):
    from tests.badges.conftest import reinstate, revoke

    uid = passport[2]
    assert "revoked" in revoke(tool.app, uid, "holder-request", "Demande écrite du 3 décembre")
    assert "À la demande du titulaire" in tool.get(passport[0]).text
    assert "reinstated" in reinstate(tool.app, uid, "Demande retirée")
    assert "Valide" in tool.get(passport[0]).text
    with database(tool.app).read() as connection:
        award = services.badges(tool.app).award(connection, uid)
    assert award.revoked_by == "cli" and award.revocation_note == "Demande retirée"


@pytest.mark.parametrize("reason", ["fraude", ""])
def test_the_cli_refuses_a_reason_off_the_list(tool, passport, reason):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from lti_tool.badges.cli import badges_cli

    result = CliRunner().invoke(badges_cli, ["revoke", passport[2], "--reason", reason],
                                obj=ScriptInfo(create_app=lambda: tool.app))
    assert result.exit_code != 0 and "issued-in-error" in result.output
