"""LTI Advantage end to end against an independent platform (lti1p3platform) over real HTTP:
deep linking, scores to the gradebook (AGS) through the outbox, and the roster (NRPS)."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import requests
from click.testing import CliRunner
from sqlalchemy import select, update

from lti_tool import database, services
from lti_tool.lti.advantage import SCORE_DELIVERY
from lti_tool.models import Context, GradeTarget, ServiceToken
from tests.peers.lti_platform import SCORE_SCOPE
from tests.player.test_quiz_http import MODULE, _answers, _open_quiz
from xapi.models import OutboxEntry
from xapi.sql import utcnow

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _picker(live_tool, peer, kind: str = "deep_link") -> tuple[requests.Session, requests.Response]:
    trainer = requests.Session()
    launched = peer.launch(trainer, scenario=kind, user="trainer-1")
    assert launched.status_code == 303 and launched.headers["Location"].endswith("/lti/deep-linking")
    page = trainer.get(live_tool.url + "/lti/deep-linking")
    assert page.status_code == 200
    return trainer, page


def _post_back(page: requests.Response) -> requests.Response:
    """What the auto-posting page does in a browser: post the JWT to the platform's return URL."""
    action = unescape(re.search(r'<form method="post" action="([^"]+)" data-autopost>', page.text).group(1))
    token = re.search(r'name="JWT" value="([^"]+)"', page.text).group(1)
    return requests.post(action, data={"JWT": token})


def test_deep_linking_places_modules_with_line_items_and_due_date(live_tool, peer):
    trainer, page = _picker(live_tool, peer)
    assert page.text.count('type="checkbox" name="module"') == 18
    assert "Vendre sur Internet" in page.text and "Durée" in page.text and "Aperçu" in page.text
    answer = trainer.post(live_tool.url + "/lti/deep-linking", data=[
        ("csrf_token", _csrf(page.text)), ("module", "vendre-sur-internet"), ("module", "cybersecurite-essentielle"),
        ("due-vendre-sur-internet", "2027-01-31"), ("due-cybersecurite-essentielle", "")])
    assert answer.status_code == 200
    assert 'src="/static/autopost.js"' in answer.text
    placed = _post_back(answer)
    assert placed.status_code == 200, placed.text
    (response,) = peer.advantage.deep_link_responses
    items = response[DL + "content_items"]
    assert [i["custom"]["module"] for i in items] == ["vendre-sur-internet", "cybersecurite-essentielle"]
    assert items[0]["lineItem"] == {"scoreMaximum": 100, "label": "Vendre sur Internet",
                                    "resourceId": "vendre-sur-internet", "tag": "passeport"}
    assert items[0]["submission"] == {"endDateTime": "2027-01-31T23:59:59+00:00"}
    assert "submission" not in items[1]
    assert all(i["type"] == "ltiResourceLink" and i["url"] == live_tool.url + "/lti/launch" for i in items)
    assert response["aud"] == peer.issuer and response[DL + "data"] == peer.advantage.sent_dl_data
    assert _post_back(answer).status_code == 400  # the platform refuses the same response twice (nonce)
    assert "replayed" in peer.advantage.deep_link_refusals[-1]


def test_single_choice_platform_without_line_items_gets_one_plain_link(live_tool, peer):
    trainer, page = _picker(live_tool, peer, kind="deep_link_single")
    assert page.text.count('type="radio" name="module"') == 18
    csrf = _csrf(page.text)
    both = [("module", "vendre-sur-internet"), ("module", "cybersecurite-essentielle")]
    two = trainer.post(live_tool.url + "/lti/deep-linking", data=[("csrf_token", csrf), *both])
    assert two.status_code == 400 and "qu'un module à la fois" in unescape(two.text)
    for bad in ([("module", "no-such-module")], [], [("module", "vendre-sur-internet"),
                                                     ("due-vendre-sur-internet", "31/01/2027")]):
        refused = trainer.post(live_tool.url + "/lti/deep-linking", data=[("csrf_token", csrf), *bad])
        assert refused.status_code == 400 and "Traceback" not in refused.text
    one = trainer.post(live_tool.url + "/lti/deep-linking",
                       data=[("csrf_token", csrf), ("module", "vendre-sur-internet")])
    assert _post_back(one).status_code == 200
    (item,) = peer.advantage.deep_link_responses[0][DL + "content_items"]
    assert "lineItem" not in item and item["custom"] == {"module": "vendre-sur-internet"}


def test_a_platform_taking_no_lti_links_is_told_so(live_tool, peer):
    launched = peer.launch(requests.Session(), scenario="deep_link_files", user="trainer-1")
    assert launched.status_code == 400 and "<code>no_resource_links</code>" in launched.text
    assert "ltiResourceLink" in launched.text and "Traceback" not in launched.text


def test_picker_needs_a_trainer_deep_linking_launch(live_tool, peer):
    learner = requests.Session()
    peer.launch(learner)
    assert learner.get(live_tool.url + "/lti/deep-linking").status_code == 403
    trainer = requests.Session()
    peer.launch(trainer, user="trainer-1")  # a resource link launch, not a deep-linking request
    refused = trainer.get(live_tool.url + "/lti/deep-linking")
    assert refused.status_code == 400 and "Sélectionner un contenu" in refused.text


def _pass_quiz(live_tool, learner: requests.Session, right: bool = True) -> None:
    attempt_id, questions, csrf = _open_quiz(live_tool, learner)
    answer = learner.post(f"{live_tool.url}/modules/{MODULE}/quiz/{attempt_id}",
                          data=[("csrf_token", csrf), *_answers(live_tool.app, questions, right=right)])
    assert answer.status_code == 200


def _outbox(app) -> list:
    with database(app).sessions() as db:
        return db.scalars(select(OutboxEntry).where(OutboxEntry.kind == SCORE_DELIVERY).order_by(OutboxEntry.id)).all()


def _due_now(app) -> None:
    """Skip the backoff wait (the retry itself is what is under test, not the clock)."""
    with database(app).begin() as connection:
        connection.execute(update(OutboxEntry).where(OutboxEntry.status == "pending")
                           .values(next_attempt_at=OutboxEntry.created_at))


def test_failed_then_passed_quiz_scores_reach_the_launch_line_item(live_tool, peer):
    learner = requests.Session()
    peer.launch(learner)
    _pass_quiz(live_tool, learner, right=False)
    assert len(_outbox(live_tool.app)) == 1 and not peer.advantage.scores  # queued, not sent inline
    assert services.outbox(live_tool.app).run_once() == 1
    (failed,) = peer.advantage.scores
    assert failed["line_item"] == 1 and failed["payload"]["userId"] == "learner-1"
    assert failed["payload"]["scoreGiven"] == 0.0
    _pass_quiz(live_tool, learner, right=True)
    assert services.outbox(live_tool.app).run_once() == 1
    passed = peer.advantage.scores[-1]["payload"]
    assert passed["scoreGiven"] == 100.0 and passed["scoreMaximum"] == 100
    assert passed["activityProgress"] == "Completed" and passed["gradingProgress"] == "FullyGraded"
    assert peer.advantage.scores[-1]["token_scopes"] == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    (grant,) = peer.advantage.token_requests  # one token, cached in the database, for both scores
    assert grant["claims"]["iss"] == "peer-client-42" and grant["kid"]
    with database(live_tool.app).sessions() as db:
        assert db.scalars(select(ServiceToken)).one().scopes == "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    # A worse attempt later still reports the best score.
    _pass_quiz(live_tool, learner, right=False)
    services.outbox(live_tool.app).run_once()
    assert peer.advantage.scores[-1]["payload"]["scoreGiven"] == 100.0


def test_attempts_queued_together_post_one_best_score(live_tool, peer):
    """Moodle refuses a second score stamped within the same second (409): one post per learner and line item."""
    learner = requests.Session()
    peer.launch(learner)
    _pass_quiz(live_tool, learner, right=False)
    _pass_quiz(live_tool, learner, right=True)
    assert services.outbox(live_tool.app).run_once() == 2
    assert [s["payload"]["scoreGiven"] for s in peer.advantage.scores] == [100.0]
    assert {e.status for e in _outbox(live_tool.app)} == {"delivered"}


def test_scores_wait_out_a_platform_outage(live_tool, peer):
    learner = requests.Session()
    peer.launch(learner)
    _pass_quiz(live_tool, learner)
    peer.advantage.outage = 2  # the token endpoint, then the score endpoint, answer 503
    assert services.outbox(live_tool.app).run_once() == 0
    (entry,) = _outbox(live_tool.app)
    assert entry.status == "pending" and entry.attempts == 1 and "503" in entry.last_error
    _due_now(live_tool.app)
    assert services.outbox(live_tool.app).run_once() == 0
    _due_now(live_tool.app)
    assert services.outbox(live_tool.app).run_once() == 1
    assert _outbox(live_tool.app)[0].status == "delivered"
    assert [s["payload"]["scoreGiven"] for s in peer.advantage.scores] == [100.0]


def test_without_a_lineitem_claim_the_line_item_is_found_or_created(live_tool, peer):
    learner = requests.Session()
    peer.launch(learner, scenario="no_lineitem")
    _pass_quiz(live_tool, learner)
    assert services.outbox(live_tool.app).run_once() == 1
    created = max(peer.advantage.line_items)
    assert created == 2 and peer.advantage.line_items[2]["resourceId"] == MODULE
    assert peer.advantage.line_items[2]["tag"] == "passeport"
    assert peer.advantage.scores[-1]["line_item"] == 2
    with database(live_tool.app).sessions() as db:
        assert db.scalars(select(GradeTarget)).one().lineitem_url.endswith("/lineitems/2?type_id=7")


def test_no_line_item_and_no_right_to_create_one_is_a_dead_letter(live_tool, peer):
    learner = requests.Session()
    peer.launch(learner, scenario="readonly_lineitems")
    _pass_quiz(live_tool, learner)
    assert services.outbox(live_tool.app).run_once() == 0
    (entry,) = _outbox(live_tool.app)
    assert entry.status == "dead" and "does not let Passeport create one" in entry.last_error
    assert list(peer.advantage.line_items) == [1] and not peer.advantage.scores


def test_a_refused_score_is_a_visible_dead_letter_not_a_crash(live_tool, peer):
    peer.advantage.ungradable.add("learner-1")
    learner = requests.Session()
    peer.launch(learner)
    _pass_quiz(live_tool, learner)
    assert services.outbox(live_tool.app).run_once() == 0
    (entry,) = _outbox(live_tool.app)
    assert entry.status == "dead" and "422" in entry.last_error and "cannot be graded" in entry.last_error
    from flask.cli import ScriptInfo

    from lti_tool.tracking.cli import outbox_cli
    shown = CliRunner().invoke(outbox_cli, ["status"], obj=ScriptInfo(create_app=lambda: live_tool.app))
    assert "cannot be graded" in shown.output, shown.output
    trainer = requests.Session()
    peer.launch(trainer, user="trainer-1")
    home = unescape(trainer.get(live_tool.url + "/trainer/").text)
    assert "Notes non transmises à votre plateforme" in home and "cannot be graded" in home
    assert "Peer learner-1" in home and "Refusée (essais : 1)" in home


def test_roster_lists_members_who_never_launched(live_tool, peer):
    peer.launch(requests.Session())
    advantage = services.advantage(live_tool.app)
    with database(live_tool.app).sessions() as db:
        course = db.scalars(select(Context)).one().id
    roster = advantage.roster(course)
    assert roster.from_platform and roster.error is None
    by_sub = {m.sub: m for m in roster.members}
    assert set(by_sub) == {"learner-1", "learner-never", "trainer-1", "learner-left"}  # all pages
    assert by_sub["learner-1"].launched and not by_sub["learner-never"].launched
    assert by_sub["learner-never"].name == "Nadia Jamais-Venue" and by_sub["learner-left"].status == "Inactive"
    assert [m.sub for m in roster.learners] == ["learner-1", "learner-never", "learner-left"]
    assert len(peer.advantage.membership_requests) == 2
    advantage.roster(course)  # cached: no new call
    assert len(peer.advantage.membership_requests) == 2
    advantage.roster(course, rlid="peer-rl-1")
    assert peer.advantage.membership_requests[2] == {"rlid": "peer-rl-1"}


def test_trainer_page_names_the_platforms_roster_only_when_it_has_one(live_tool, peer):
    """Moodle answers NRPS: the grid's hint must not say the roster is unavailable while listing it below."""
    peer.launch(requests.Session())
    trainer = requests.Session()
    peer.launch(trainer, user="trainer-1")
    home = unescape(trainer.get(live_tool.url + "/trainer/").text)
    assert "n'est pas encore disponible" not in home
    assert "les inscrits qui ne l'ont jamais ouvert sont listés sous le tableau" in home
    assert "Nadia Jamais-Venue" in home.split("Inscrits qui n'ont jamais ouvert Passeport", 1)[1]


def test_trainer_page_without_nrps_promises_no_roster(live_tool, peer):
    trainer = requests.Session()
    peer.launch(trainer, user="trainer-1", scenario="no_services")
    home = unescape(trainer.get(live_tool.url + "/trainer/").text)
    assert "listés sous le tableau" not in home and "ne fournit pas la liste des inscrits" in home


def test_roster_without_nrps_is_the_learners_seen_so_far(live_tool, peer):
    peer.launch(requests.Session(), scenario="no_services")
    with database(live_tool.app).sessions() as db:
        course = db.scalars(select(Context)).one().id
    roster = services.advantage(live_tool.app).roster(course)
    assert not roster.from_platform and [m.sub for m in roster.members] == ["learner-1"]
    assert not peer.advantage.membership_requests


def test_tokens_are_reused_until_expiry_and_renewed_when_expired_or_revoked(live_tool, peer):
    learner = requests.Session()
    peer.launch(learner)
    for _ in range(2):
        _pass_quiz(live_tool, learner)
        services.outbox(live_tool.app).run_once()
    assert len(peer.advantage.token_requests) == 1 and len(peer.advantage.scores) == 2
    with database(live_tool.app).begin() as connection:  # the cached token has expired
        connection.execute(update(ServiceToken).values(expires_at=utcnow() - timedelta(hours=1)))
    _pass_quiz(live_tool, learner)
    services.outbox(live_tool.app).run_once()
    assert len(peer.advantage.token_requests) == 2 and len(peer.advantage.scores) == 3
    with database(live_tool.app).begin() as connection:  # the platform no longer knows the cached token
        connection.execute(update(ServiceToken).values(access_token="revoked-by-the-platform"))
    _pass_quiz(live_tool, learner)
    assert services.outbox(live_tool.app).run_once() == 1  # one 401, a fresh token, the score goes through
    assert len(peer.advantage.token_requests) == 3 and len(peer.advantage.scores) == 4


def test_a_token_without_the_score_scope_is_a_dead_letter(live_tool, peer):
    learner = requests.Session()
    peer.launch(learner)
    _pass_quiz(live_tool, learner)
    peer.advantage.refused_scopes.add(SCORE_SCOPE)  # the administrator withdrew the tool's grade permission
    assert services.outbox(live_tool.app).run_once() == 0
    (entry,) = _outbox(live_tool.app)
    assert entry.status == "dead" and "403" in entry.last_error and not peer.advantage.scores, entry.last_error
