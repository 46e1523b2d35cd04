"""The embedded LRS under attack (issue 11 findings 2, 3, 4, 6, 9, 12): bodies, documents, voiding, paging, auth."""
from __future__ import annotations

import base64
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from lti_tool import database, services
from lti_tool.domain.learning import EventKind, LearningEvent
from lti_tool.models import Progress
from tests.xapi.conftest import VERSION, LrsClient, make_credential, run_cli, statement

AGENT = json.dumps({"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "bea"}})
STATE = {"activityId": "http://example.org/modules/m1", "agent": AGENT}


# ------------------------------------------------------------------ finding 2: body limits, auth before read

class EndlessBody(io.RawIOBase):
    """A chunked upload that never ends: counts what the server pulled from it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        self.read_bytes += len(buffer)
        buffer[:] = b" " * len(buffer)
        return len(buffer)


def test_anonymous_statement_post_is_refused_before_its_body_is_read(tool):
    """Not one byte of an anonymous client's body is read: it is refused on its headers."""
    body = EndlessBody()
    environ = EnvironBuilder("/xapi/statements", method="POST", headers={
        "Content-Type": "application/json", "Content-Length": str(8 * 1024 * 1024), **VERSION}).get_environ()
    environ.update({"wsgi.input": body, "CONTENT_LENGTH": str(8 * 1024 * 1024)})
    statuses = []
    answer = b"".join(tool.app(environ, lambda status, headers, *_: statuses.append(status)))
    assert statuses[0].startswith("401") and b"credentials" in answer
    assert body.read_bytes == 0


def test_statement_body_over_the_limit_is_413(lrs):
    answer = lrs.post("/statements", data=b"[" + b" " * (17 * 1024 * 1024) + b"]",
                      headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


@pytest.mark.parametrize("path,limit", [("/api/verify", 1), ("/verify", 3), ("/xapi/statements", 16)])
def test_chunked_body_over_the_limit_is_413_without_reading_it_all(tool, path, limit):
    """No Content-Length (chunked): the server stops reading at its limit instead of reading everything."""
    body = EndlessBody()
    key, secret = make_credential(tool.app, "chunked")
    environ = EnvironBuilder(path, method="POST", headers={
        "Content-Type": "application/json", "Transfer-Encoding": "chunked", **VERSION,
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True})
    statuses = []
    b"".join(tool.app(environ, lambda status, headers, *_: statuses.append(status)))
    assert statuses[0].startswith("413")
    assert body.read_bytes <= (limit + 1) * 1024 * 1024


@pytest.mark.parametrize("path", ["/api/verify", "/verify"])
def test_public_posts_over_their_limit_are_413(tool, path):
    answer = tool.post(tool.url + path, data=b"x" * (4 * 1024 * 1024),
                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert "Traceback" not in answer.text


# ------------------------------------------------------------------ finding 3: documents are inert

@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml"])
def test_stored_documents_are_served_inert(lrs, content_type):
    params = {**STATE, "stateId": "page"}
    payload = b"<html><script>alert(document.cookie)</script></html>"
    assert lrs.put("/activities/state", params=params, data=payload,
                   headers={"Content-Type": content_type}).status_code == 204
    got = lrs.get("/activities/state", params=params)
    assert got.content == payload
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert got.headers["Content-Disposition"] == "attachment"


def test_documents_through_the_alternate_syntax_are_inert(tool, lrs):
    """Any site can auto-submit this form post; the answer must not render as a page of the tool."""
    params = {**STATE, "stateId": "page"}
    lrs.put("/activities/state", params=params, data=b"<h1>hi</h1>", headers={"Content-Type": "text/html"})
    key, secret = lrs.http.auth
    form = {**params, "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
            "X-Experience-API-Version": "1.0.3"}
    got = tool.post(tool.url + "/xapi/activities/state?method=GET", data=form)
    assert got.status_code == 200 and got.content == b"<h1>hi</h1>"
    assert got.headers["Content-Disposition"] == "attachment"
    assert "sandbox" in got.headers["Content-Security-Policy"]


# ------------------------------------------------------------------ finding 4: voiding authority

def _void(target: str) -> dict:
    return statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
                     object={"objectType": "StatementRef", "id": target})


def test_a_write_credential_cannot_void_another_authority_statements(tool, lrs):
    first = statement()
    assert lrs.post("/statements", json=first).status_code == 200
    other = LrsClient(tool.url, make_credential(tool.app, "third party", "write", "read"), tool.browser())
    refused = other.post("/statements", json=_void(first["id"]))
    assert refused.status_code == 403
    assert "another authority" in refused.json()["error"]["message"]
    assert lrs.get("/statements", params={"statementId": first["id"]}).status_code == 200


def test_a_credential_voids_its_own_and_an_admin_credential_any(tool, lrs):
    own = statement()
    writer = LrsClient(tool.url, make_credential(tool.app, "writer", "write", "read"), tool.browser())
    assert writer.post("/statements", json=own).status_code == 200
    assert writer.post("/statements", json=_void(own["id"])).status_code == 200
    theirs = statement()
    assert writer.post("/statements", json=theirs).status_code == 200
    assert lrs.post("/statements", json=_void(theirs["id"])).status_code == 200  # lrs: scope "all"
    assert lrs.get("/statements", params={"voidedStatementId": theirs["id"]}).status_code == 200


def test_replay_ignores_voids_of_the_tools_statements_by_others(app, launched_learner):
    module = services.catalogue(app).modules[0]
    with database(app).begin() as connection:
        for kind in (EventKind.MODULE_LAUNCHED, EventKind.MODULE_OPENED):
            services.learning(app).record(connection, LearningEvent(kind=kind, learner=launched_learner,
                                                                    module_id=module.id))
    with database(app).read() as connection:
        before = [(p.module_id, p.status) for p in connection.execute(select(Progress))]
        tool_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM xapi_statements")]
    assert before
    # voids stored behind the LRS's back (as before the fix) of every tool statement: replay must not honour them
    stranger = {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "k"}}
    with database(app).begin() as connection:
        services.lrs(app).store_generated(connection, [_void(i) for i in tool_ids], stranger)
    run_cli(app, "replay")
    with database(app).read() as connection:
        assert [(p.module_id, p.status) for p in connection.execute(select(Progress))] == before


# ------------------------------------------------------------------ finding 9: the ``more`` token

def _more_token(answer) -> str:
    return parse_qs(urlsplit(answer.json()["more"]).query)["more"][0]


def test_more_token_is_signed_and_the_cap_holds(tool, lrs):
    services.lrs(tool.app).page_size = 5
    assert lrs.post("/statements", json=[statement() for _ in range(12)]).status_code == 200
    first = lrs.get("/statements", params={"limit": "5"})
    assert len(first.json()["statements"]) == 5
    token = _more_token(first)
    page = lrs.get("/statements", params={"more": token})
    assert page.status_code == 200 and len(page.json()["statements"]) == 5
    saved = URLSafeSerializer("x", salt="xapi-more").loads_unsafe(token)[1]
    saved["query"]["limit"] = 1000
    resigned = URLSafeSerializer("not-the-lrs-secret", salt="xapi-more").dumps(saved)
    assert lrs.get("/statements", params={"more": resigned}).status_code == 400
    forged = base64.urlsafe_b64encode(json.dumps({"query": {"limit": 1000}, "after": ["x", "y"], "format": "exact",
                                                  "attachments": False}).encode()).decode()
    for bad in (forged, "%%%", "a.b", "", "x" * 500):
        answer = lrs.get("/statements", params={"more": bad})
        assert answer.status_code == 400, bad


@pytest.mark.parametrize("limit", ["-1", "abc", "1e9", " "])
def test_bad_limits_are_400(lrs, limit):
    answer = lrs.get("/statements", params={"limit": limit})
    assert answer.status_code == 400
    assert "limit" in answer.json()["error"]["message"]


def test_a_huge_limit_is_capped(tool, lrs):
    services.lrs(tool.app).page_size = 2
    lrs.post("/statements", json=[statement() for _ in range(3)])
    answer = lrs.get("/statements", params={"limit": "99999999999999999999"})
    assert answer.status_code == 200 and len(answer.json()["statements"]) == 2


# ------------------------------------------------------------------ finding 6 (LRS part): wrong types → 400

@pytest.mark.parametrize("attachments", ["not a list", 42, [1, 2], [{"usageType": 5}], {"a": 1}])
def test_attachments_of_the_wrong_type_are_400(lrs, attachments):
    answer = lrs.post("/statements", json=statement(attachments=attachments))
    assert answer.status_code == 400, answer.text


def test_deeply_nested_extensions_are_400(lrs):
    deep: dict = {}
    cursor = deep
    for _ in range(500):
        cursor["x"] = {}
        cursor = cursor["x"]
    answer = lrs.post("/statements", json=statement(result={"extensions": {"http://example.org/deep": deep}}))
    assert answer.status_code in (200, 400)


def test_hugely_nested_json_is_400(lrs):
    answer = lrs.post("/statements", data=b"[" * 100_000 + b"]" * 100_000,
                      headers={"Content-Type": "application/json"})
    assert answer.status_code == 400


# ------------------------------------------------------------------ finding 12: rate limit, batch limit

def test_wrong_secrets_back_off_per_key(tool, lrs):
    key, secret = lrs.http.auth
    wrong = LrsClient(tool.url, (key, "wrong-" + secret), tool.browser())
    statuses = [wrong.get("/statements").status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429
    assert "retry" in wrong.get("/statements").json()["error"]["message"]
    other = LrsClient(tool.url, make_credential(tool.app, "unrelated"), tool.browser())
    assert other.get("/statements").status_code == 200  # other keys are not held back


def test_batches_are_limited(tool, lrs):
    services.lrs(tool.app).max_batch = 3
    answer = lrs.post("/statements", json=[statement() for _ in range(4)])
    assert answer.status_code == 413
    assert "at most 3" in answer.json()["error"]["message"]
    assert lrs.post("/statements", json=[statement() for _ in range(3)]).status_code == 200


def test_the_default_batch_limit_is_documented():
    from xapi.lrs import MAX_BATCH

    assert MAX_BATCH == 1000
    assert str(MAX_BATCH) in open("docs/security.md", encoding="utf-8").read()

