"""End-to-end LTI 1.3 launches from an independent platform (lti1p3platform) over real HTTP."""
from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select

from lti_tool import database
from lti_tool.models import Context, Membership, ResourceLink, User
from tests.peers.lti_platform import landing
from xapi.models import Statement

STORED = (User, Context, Membership, ResourceLink)


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def _counts(app) -> dict[str, int]:
    with database(app).sessions() as db:
        return {m.__tablename__: db.scalar(select(func.count()).select_from(m)) for m in STORED}


def _verbs(app) -> list[str]:
    """The verbs of the statements stored so far, sorted (a launch stores its two in one batch)."""
    with database(app).read() as connection:
        return sorted(v.rsplit("/", 1)[1] for v in connection.execute(select(Statement.__table__.c.verb_id)).scalars())


def _login(peer, browser: requests.Session, scenario: str = "ok", user: str = "learner-1") -> dict:
    return peer.launch_form(browser, scenario, user)


def _post_launch(browser: requests.Session, form: dict) -> requests.Response:
    return browser.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]},
                        allow_redirects=False)


def test_learner_launch_lands_on_the_named_module(live_tool, peer):
    """The launch answers with the module's page itself, which names its address for the browser's history:
    a reload then asks for that address (one more opening of the module) instead of posting the spent token."""
    browser = requests.Session()
    response = _post_launch(browser, _login(peer, browser))
    assert response.status_code == 200 and "<h1>Vendre sur Internet</h1>" in response.text
    assert landing(response) == "/modules/vendre-sur-internet"
    assert _verbs(live_tool.app) == ["initialized", "launched"]
    reloaded = browser.get(live_tool.url + landing(response))
    assert reloaded.status_code == 200 and "<h1>Vendre sur Internet</h1>" in reloaded.text
    assert _verbs(live_tool.app) == ["initialized", "initialized", "launched"]
    with database(live_tool.app).sessions() as db:
        user = db.scalars(select(User)).one()
        assert (user.sub, user.name) == ("learner-1", "Peer learner-1")
        membership = db.scalars(select(Membership)).one()
        assert membership.role == "learner"
        link = db.scalars(select(ResourceLink)).one()
        assert (link.resource_link_id, link.module_id) == ("peer-rl-1", "vendre-sur-internet")


def test_instructor_launch_lands_on_trainer_home_listing_learners(live_tool, peer):
    learner = requests.Session()
    _post_launch(learner, _login(peer, learner, user="learner-7"))
    trainer = requests.Session()
    response = _post_launch(trainer, _login(peer, trainer, user="trainer-1"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/trainer/")
    page = trainer.get(live_tool.url + response.headers["Location"])
    assert page.status_code == 200
    assert "Peer course" in page.text
    assert "Peer learner-7" in page.text
    assert "Peer trainer-1" not in page.text  # trainers are not listed as learners
    assert learner.get(live_tool.url + "/trainer/").status_code == 403


REFUSALS = [
    # scenario, status, code, words the message must contain
    ("forged_signature", 401, "bad_signature", "signature"),
    ("unknown_kid", 401, "unknown_kid", "kid-the-platform-never-published"),
    ("wrong_aud", 401, "wrong_audience", "another-tool"),
    ("expired", 401, "expired", "expir"),
    ("unknown_issuer", 403, "unknown_issuer", "Platform &#39;https://unknown-lms.example.org&#39;"),
    ("unknown_deployment", 403, "unknown_deployment", "Deployment &#39;not-registered&#39;"),
    ("missing_resource_link", 400, "missing_claim", "resource_link"),
    ("missing_sub", 400, "missing_claim", "sub"),
    ("wrong_message_type", 400, "unsupported_message_type", "LtiStartProctoring"),
    ("wrong_version", 400, "wrong_version", "1.1.0"),
]


@pytest.mark.parametrize("scenario,status,code,words", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_faulty_id_token_is_refused_and_nothing_is_written(live_tool, peer, scenario, status, code, words):
    before = _counts(live_tool.app)
    browser = requests.Session()
    response = _post_launch(browser, _login(peer, browser, scenario=scenario))
    assert response.status_code == status
    assert f"<code>{code}</code>" in response.text
    assert words in response.text
    assert "Lancement LTI refusé" in response.text and "LTI launch refused" in response.text
    assert "Traceback" not in response.text
    assert "passeport_session" not in response.cookies
    assert _counts(live_tool.app) == before


def test_replayed_id_token_is_refused(live_tool, peer):
    browser = requests.Session()
    form = _login(peer, browser)
    assert landing(_post_launch(browser, form)) == "/modules/vendre-sur-internet"
    before = _counts(live_tool.app)
    replay = requests.Session()
    replay.cookies.update(browser.cookies)
    response = _post_launch(replay, form)
    assert response.status_code == 401
    assert "<code>replayed_nonce</code>" in response.text
    assert "passeport_session" not in response.cookies
    assert _counts(live_tool.app) == before


@pytest.mark.parametrize("state,code", [(None, "missing_state"), ("state-forged", "invalid_state")])
def test_missing_or_foreign_state_is_refused(live_tool, peer, state, code):
    browser = requests.Session()
    form = _login(peer, browser)
    data = {"id_token": form["id_token"]} | ({"state": state} if state else {})
    response = browser.post(form["launch_url"], data=data, allow_redirects=False)
    assert response.status_code == 401
    assert f"<code>{code}</code>" in response.text
    assert _counts(live_tool.app) == {"users": 0, "contexts": 0, "memberships": 0, "resource_links": 0}


def test_login_from_unregistered_issuer_gives_a_reference_for_the_administrator(live_tool):
    """The registration command itself is shown to administrators only (tests/security/test_web_security.py)."""
    response = requests.get(live_tool.url + "/lti/login", params={
        "iss": "https://moodle.example.fr", "login_hint": "42", "client_id": "abc", "lti_deployment_id": "7",
        "target_link_uri": live_tool.url + "/lti/launch"})
    assert response.status_code == 403
    assert "https://moodle.example.fr" in response.text and 'class="reference"' in response.text
    assert "passeport platform add" not in response.text


def test_login_without_issuer_is_a_clear_400(live_tool):
    response = requests.post(live_tool.url + "/lti/login", data={"login_hint": "42"})
    assert response.status_code == 400
    assert "iss" in response.text and "login_hint" in response.text


def test_launch_without_anything_is_a_clear_4xx(live_tool):
    response = requests.post(live_tool.url + "/lti/launch", data={})
    assert response.status_code == 401
    assert "<code>missing_state</code>" in response.text


def test_tool_jwks_publishes_active_and_retired_keys(live_tool, peer):
    keys = requests.get(live_tool.url + "/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256" and "d" not in keys[0]
    result = CliRunner().invoke(_keys_cli(), ["rotate"], obj=_script_info(live_tool.app))
    assert result.exit_code == 0, result.output
    rotated = requests.get(live_tool.url + "/.well-known/jwks.json").json()["keys"]
    assert len(rotated) == 2 and keys[0]["kid"] in {k["kid"] for k in rotated}


def _keys_cli():
    from lti_tool.cli import keys_cli

    return keys_cli
