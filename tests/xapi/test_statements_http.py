"""The Statements resource over HTTP: store, fetch, conflicts, queries, voiding, attachments, signatures."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from lti_tool import database
from tests.xapi.conftest import LrsClient, make_credential, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def test_post_then_get_sets_what_the_lrs_owns(tool, lrs):
    sent = statement()
    response = lrs.post("/statements", json=sent)
    assert response.status_code == 200 and response.json() == [sent["id"]]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    got = lrs.get("/statements", params={"statementId": sent["id"]})
    assert got.status_code == 200
    body = got.json()
    assert body["version"] == "1.0.0" and body["stored"].endswith("Z")
    assert body["authority"]["account"]["homePage"] == tool.url
    assert {k: body[k] for k in sent} == sent
    assert "X-Experience-API-Consistent-Through" in got.headers and "Last-Modified" in got.headers


def test_statement_without_id_or_timestamp_gets_them(lrs):
    sent = statement()
    del sent["id"], sent["timestamp"]
    statement_id = lrs.post("/statements", json=sent).json()[0]
    body = lrs.get("/statements", params={"statementId": statement_id}).json()
    assert uuid.UUID(statement_id) and body["timestamp"] == body["stored"]


def test_batch_and_duplicate_ids_in_a_batch(lrs):
    batch = [statement(), statement()]
    assert lrs.post("/statements", json=batch).json() == [s["id"] for s in batch]
    twin = statement()
    response = lrs.post("/statements", json=[twin, dict(twin)])
    assert response.status_code == 400 and "duplicate" in response.text.lower()
    assert lrs.get("/statements", params={"statementId": twin["id"]}).status_code == 404


def test_put_is_idempotent_and_conflicts_are_409(lrs):
    sent = statement()
    params = {"statementId": sent["id"]}
    assert lrs.put("/statements", params=params, json=sent).status_code == 204
    assert lrs.put("/statements", params=params, json=sent).status_code == 204
    assert lrs.post("/statements", json=sent).status_code == 200
    changed = dict(sent, verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    assert lrs.put("/statements", params=params, json=changed).status_code == 409
    assert lrs.post("/statements", json=[changed]).status_code == 409
    other = statement()
    assert lrs.put("/statements", params={"statementId": str(uuid.uuid4())}, json=other).status_code == 400
    assert lrs.put("/statements", json=other).status_code == 400


def test_a_batch_resending_a_stored_statement_stores_the_rest_once(lrs):
    """Ids already stored with the same content are skipped inside a batch, not refused, and not indexed twice;
    a batch with one conflicting id stores nothing."""
    ada = {"objectType": "Agent", "mbox": f"mailto:{uuid.uuid4()}@example.org"}
    first = statement(actor=ada)
    assert lrs.post("/statements", json=[first]).status_code == 200
    batch = [statement(actor=ada), first, statement(actor=ada)]
    assert lrs.post("/statements", json=batch).json() == [s["id"] for s in batch]
    found = lrs.get("/statements", params={"agent": json.dumps(ada)}).json()["statements"]
    assert sorted(s["id"] for s in found) == sorted(s["id"] for s in batch)
    fresh, changed = statement(actor=ada), dict(first, verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    assert lrs.post("/statements", json=[fresh, changed]).status_code == 409
    assert lrs.get("/statements", params={"statementId": fresh["id"]}).status_code == 404


def test_paging_a_filter_through_more_with_equal_stored_times(lrs):
    """One batch shares one stored time: the (stored, id) cursor still gives every match once, in order,
    through each index a filter reads (agent roles, activity roles, verb)."""
    bea = {"objectType": "Agent", "mbox": f"mailto:{uuid.uuid4()}@example.org"}
    module = f"http://example.org/modules/{uuid.uuid4()}"
    verb = f"http://example.org/verbs/{uuid.uuid4()}"
    sent = [statement(actor=bea, verb={"id": verb}, context={"contextActivities": {"parent": [{"id": module}]}})
            for _ in range(7)]
    sent.append(statement(object=bea, verb={"id": verb}, context={"contextActivities": {"parent": [{"id": module}]}}))
    lrs.post("/statements", json=sent)
    for params in ({"agent": json.dumps(bea)}, {"activity": module, "related_activities": "true"}, {"verb": verb}):
        for ascending in ("false", "true"):
            seen, page = [], lrs.get("/statements", params={**params, "limit": 3, "ascending": ascending}).json()
            while True:
                seen += page["statements"]
                if not page["more"]:
                    break
                page = lrs.http.get(lrs.base.rsplit("/xapi", 1)[0] + page["more"]).json()
            ids = [s["id"] for s in seen]
            assert sorted(ids) == sorted(s["id"] for s in sent), params
            assert ids == sorted(ids, reverse=ascending == "false")


def test_invalid_statement_names_the_field(lrs):
    bad = statement(result={"score": {"scaled": 1.5}})
    response = lrs.post("/statements", json=bad)
    assert response.status_code == 400 and "result.score.scaled" in response.json()["error"]["message"]
    wrong_key = statement(Verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    assert lrs.post("/statements", json=wrong_key).status_code == 400
    assert lrs.post("/statements", data="{not json", headers={"Content-Type": "application/json"}).status_code == 400


def test_version_header_and_credentials(tool, lrs):
    plain = tool.post(f"{tool.url}/xapi/statements", json=statement(), auth=lrs.http.auth)
    assert plain.status_code == 400 and "X-Experience-API-Version" in plain.text
    anonymous = LrsClient(tool.url, None, tool.browser())
    assert anonymous.post("/statements", json=statement()).status_code == 401
    wrong = LrsClient(tool.url, (lrs.http.auth[0], "not-the-secret"), tool.browser())
    assert wrong.get("/statements").status_code == 401
    reader = LrsClient(tool.url, make_credential(tool.app, "dashboard", "read"), tool.browser())
    assert reader.get("/statements").status_code == 200
    assert reader.post("/statements", json=statement()).status_code == 403
    from tests.xapi.conftest import run_cli

    run_cli(tool.app, "credentials", "revoke", reader.http.auth[0])
    assert reader.get("/statements").status_code == 401
    assert "revoked" in run_cli(tool.app, "credentials", "list")


def _store_many(lrs, count, **overrides):
    batch = [statement(**overrides) for _ in range(count)]
    assert lrs.post("/statements", json=batch).status_code == 200
    return batch


def test_queries_filter_and_page(lrs):
    registration = str(uuid.uuid4())
    bea = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "bea"}}
    mine = _store_many(lrs, 7, actor=bea, context={"registration": registration, "contextActivities": {
        "parent": [{"id": "http://example.org/modules/m1"}]}})
    _store_many(lrs, 3)
    by_agent = lrs.get("/statements", params={"agent": json.dumps(bea)}).json()["statements"]
    assert {s["id"] for s in by_agent} == {s["id"] for s in mine}
    assert len(lrs.get("/statements", params={"registration": registration}).json()["statements"]) == 7
    parent = {"activity": "http://example.org/modules/m1"}
    assert lrs.get("/statements", params=parent).json()["statements"] == []
    related = lrs.get("/statements", params={**parent, "related_activities": "true"}).json()["statements"]
    assert len(related) == 7
    verb = lrs.get("/statements", params={"verb": "http://adlnet.gov/expapi/verbs/experienced"}).json()
    assert len(verb["statements"]) == 10
    seen, page = [], lrs.get("/statements", params={"limit": 3, "ascending": "true"}).json()
    while True:
        seen += page["statements"]
        if not page["more"]:
            break
        assert len(page["statements"]) == 3
        page = lrs.http.get(lrs.base.rsplit("/xapi", 1)[0] + page["more"]).json()
    assert len(seen) == 10 and len({s["id"] for s in seen}) == 10
    assert [s["stored"] for s in seen] == sorted(s["stored"] for s in seen)
    since = seen[4]["stored"]
    later = lrs.get("/statements", params={"since": since}).json()["statements"]
    assert all(s["stored"] > since for s in later)
    assert lrs.get("/statements", params={"until": "2000-01-01T00:00:00Z"}).json()["statements"] == []
    assert lrs.get("/statements", params={"limit": "-1"}).status_code == 400
    assert lrs.get("/statements", params={"colour": "blue"}).status_code == 400
    assert lrs.get("/statements", params={"agent": "{}"}).status_code == 400


def test_since_and_until_honour_any_offset_with_fractional_seconds(lrs):
    """The same instant written at UTC-05:00 with milliseconds: the window still falls around the statement."""
    sent = statement()
    lrs.post("/statements", json=sent)
    stored = datetime.fromisoformat(lrs.get("/statements", params={"statementId": sent["id"]}).json()["stored"])
    minus_five = timezone(timedelta(hours=-5))

    def at(moment: datetime) -> str:
        return moment.astimezone(minus_five).isoformat(timespec="milliseconds")

    window = {"since": at(stored - timedelta(minutes=1)), "until": at(stored + timedelta(minutes=1))}
    assert [s["id"] for s in lrs.get("/statements", params=window).json()["statements"]] == [sent["id"]]
    assert lrs.get("/statements", params={"since": at(stored + timedelta(minutes=1))}).json()["statements"] == []


def test_a_leap_second_is_stored_and_an_impossible_moment_is_refused(lrs):
    """A leap second is a real moment (RFC 3339); a day the calendar lacks, or a year a datetime cannot hold,
    gets a 400 naming the field, never a 500."""
    leap = statement(timestamp="2016-12-31T23:59:60.5Z")
    assert lrs.post("/statements", json=leap).status_code == 200
    assert lrs.get("/statements", params={"statementId": leap["id"]}).json()["timestamp"] == leap["timestamp"]
    for moment in ("2026-02-29T08:00:00Z", "0000-06-01T08:00:00Z", "9999-12-31T23:30:00-05:00"):
        refused = lrs.post("/statements", json=statement(timestamp=moment))
        assert refused.status_code == 400 and "timestamp" in refused.json()["error"]["message"], moment
        assert lrs.get("/statements", params={"since": moment}).status_code == 400, moment


def test_ids_fit_their_columns_whole_or_are_refused(lrs):
    """An activity id of 2,048 characters is stored whole and found again; a longer one, or a longer verb, is a
    400 naming the field on every database (PostgreSQL's columns would otherwise fail, or cut, the write)."""
    at_limit = "http://example.org/activities/" + "a" * (2048 - len("http://example.org/activities/"))
    sent = statement(object={"objectType": "Activity", "id": at_limit})
    assert lrs.post("/statements", json=sent).status_code == 200
    assert [s["id"] for s in lrs.get("/statements", params={"activity": at_limit}).json()["statements"]] == [sent["id"]]
    for field, too_long in [("object.id", statement(object={"objectType": "Activity", "id": at_limit + "b"})),
                            ("verb.id", statement(verb={"id": at_limit + "b"}))]:
        refused = lrs.post("/statements", json=too_long)
        assert refused.status_code == 400 and field in refused.json()["error"]["message"], refused.text
    assert [s["id"] for s in lrs.get("/statements").json()["statements"]] == [sent["id"]]


def test_related_agents_and_formats(lrs):
    teacher = {"objectType": "Agent", "mbox": "mailto:teacher@example.org"}
    sent = statement(context={"instructor": teacher})
    lrs.post("/statements", json=sent)
    by_teacher = {"agent": json.dumps(teacher)}
    assert lrs.get("/statements", params=by_teacher).json()["statements"] == []
    assert len(lrs.get("/statements", params={**by_teacher, "related_agents": "true"}).json()["statements"]) == 1
    sha1 = {"objectType": "Agent", "mbox_sha1sum": hashlib.sha1(b"mailto:ada@example.org").hexdigest()}
    assert len(lrs.get("/statements", params={"agent": json.dumps(sha1)}).json()["statements"]) == 1
    ids = lrs.get("/statements", params={"statementId": sent["id"], "format": "ids"}).json()
    assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:ada@example.org"}
    assert ids["object"] == {"id": sent["object"]["id"]}
    canonical = lrs.get("/statements", params={"statementId": sent["id"], "format": "canonical"},
                        headers={"Accept-Language": "fr-FR"}).json()
    assert canonical["object"]["definition"]["name"] == {"fr-FR": "Leçon 1"}


def test_voiding(lrs):
    target = statement()
    lrs.post("/statements", json=target)
    voiding = statement(verb={"id": VOIDED, "display": {"en-US": "voided"}},
                        object={"objectType": "StatementRef", "id": target["id"]})
    assert lrs.post("/statements", json=voiding).status_code == 200
    assert lrs.get("/statements", params={"statementId": target["id"]}).status_code == 404
    assert lrs.get("/statements", params={"voidedStatementId": target["id"]}).json()["id"] == target["id"]
    listed = {s["id"] for s in lrs.get("/statements").json()["statements"]}
    assert target["id"] not in listed and voiding["id"] in listed
    activity = {"objectType": "Activity", "id": "http://x.org/a"}
    assert lrs.post("/statements", json=statement(verb={"id": VOIDED}, object=activity)).status_code == 400


def _multipart(parts: list[tuple[dict, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b""
    for headers, content in parts:
        body += f"--{boundary}\r\n".encode() + "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode() \
            + b"\r\n" + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/mixed; boundary={boundary}"


def _with_attachment(content: bytes, declared_sha: str | None = None, usage="http://example.org/usage/notes",
                     content_type="text/plain", sent=None):
    sha = declared_sha or hashlib.sha256(content).hexdigest()
    sent = sent or statement()
    sent["attachments"] = [{"usageType": usage, "display": {"en-US": "notes"}, "contentType": content_type,
                            "length": len(content), "sha2": sha}]
    return sent, sha


def test_attachments_round_trip(lrs):
    content = "Notes de séance : très bien.".encode()
    sent, sha = _with_attachment(content)
    body, content_type = _multipart([({"Content-Type": "application/json"}, json.dumps(sent).encode()),
                                     ({"Content-Type": "text/plain", "Content-Transfer-Encoding": "binary",
                                       "X-Experience-API-Hash": sha}, content)])
    response = lrs.post("/statements", data=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    got = lrs.get("/statements", params={"statementId": sent["id"], "attachments": "true"})
    assert got.headers["Content-Type"].startswith("multipart/mixed")
    assert content in got.content and sha.encode() in got.content
    missing, _ = _with_attachment(b"never sent")
    assert lrs.post("/statements", json=missing).status_code == 400
    wrong_hash = json.dumps(_with_attachment(content, "0" * 64)[0]).encode()
    body, content_type = _multipart([({"Content-Type": "application/json"}, wrong_hash),
                                     ({"Content-Type": "text/plain", "X-Experience-API-Hash": "0" * 64}, content)])
    assert lrs.post("/statements", data=body, headers={"Content-Type": content_type}).status_code == 400


def _signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Passeport test signer")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    return key, base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


@pytest.mark.parametrize("tamper", [False, True])
def test_signed_statements(lrs, tamper):
    key, x5c = _signer()
    sent = statement()
    signed_payload = dict(sent, verb={"id": "http://adlnet.gov/expapi/verbs/failed"}) if tamper else sent
    token = jwt.encode(signed_payload, key, algorithm="RS256", headers={"x5c": [x5c]}).encode()
    sent, sha = _with_attachment(token, usage="http://adlnet.gov/expapi/attachments/signature",
                                 content_type="application/octet-stream", sent=sent)
    body, content_type = _multipart([({"Content-Type": "application/json"}, json.dumps(sent).encode()),
                                     ({"Content-Type": "application/octet-stream", "X-Experience-API-Hash": sha},
                                      token)])
    response = lrs.post("/statements", data=body, headers={"Content-Type": content_type})
    assert response.status_code == (400 if tamper else 200), response.text


def test_head_options_and_alternate_syntax(tool, lrs):
    sent = statement()
    lrs.post("/statements", json=sent)
    head = lrs.head("/statements", params={"statementId": sent["id"]})
    assert head.status_code == 200 and head.content == b"" and "Last-Modified" in head.headers
    preflight = tool.options(f"{tool.url}/xapi/statements", headers={"Origin": "https://lms.example.org"})
    assert preflight.status_code == 204
    assert "X-Experience-API-Version" in preflight.headers["Access-Control-Allow-Headers"]
    auth = "Basic " + base64.b64encode(":".join(lrs.http.auth).encode()).decode()
    other = statement()
    alternate = tool.post(f"{tool.url}/xapi/statements", params={"method": "PUT"}, data={
        "statementId": other["id"], "content": json.dumps(other), "Authorization": auth,
        "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"})
    assert alternate.status_code == 204, alternate.text
    fetched = tool.post(f"{tool.url}/xapi/statements", params={"method": "GET"}, data={
        "statementId": other["id"], "Authorization": auth, "X-Experience-API-Version": "1.0.3"})
    assert fetched.json()["id"] == other["id"]
    assert tool.post(f"{tool.url}/xapi/statements", params={"method": "GET", "x": "1"},
                         data={"Authorization": auth}).status_code == 400


def test_about_agents_and_activities(tool, lrs):
    about = tool.get(f"{tool.url}/xapi/about")
    assert about.status_code == 200 and "1.0.3" in about.json()["version"]
    sent = statement()
    lrs.post("/statements", json=sent)
    activity = lrs.get("/activities", params={"activityId": sent["object"]["id"]}).json()
    assert activity["definition"]["name"]["fr-FR"] == "Leçon 1"
    person = lrs.get("/agents", params={"agent": json.dumps(sent["actor"])}).json()
    assert person["objectType"] == "Person" and person["mbox"] == ["mailto:ada@example.org"]
    assert lrs.get("/agents").status_code == 400
    assert lrs.delete("/statements").status_code == 405


def test_the_same_statement_posted_concurrently_is_stored_once(tool, lrs):
    import threading

    sent, statuses = statement(), []
    barrier = threading.Barrier(8)

    def post():
        client = LrsClient(tool.url, lrs.http.auth, tool.browser())
        barrier.wait(timeout=30)
        statuses.append(client.post("/statements", json=sent).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 8
    found = lrs.get("/statements", params={"verb": sent["verb"]["id"]}).json()["statements"]
    assert [s["id"] for s in found] == [sent["id"]]


def test_nul_characters_are_kept_in_statements_refused_in_identifiers_and_never_a_5xx(lrs, tool):
    """A NUL inside a statement's JSON is kept as sent; one in an agent's identifier is a 400 on every database;
    a query naming one is answered (PostgreSQL cannot compare it: a 400 saying so; SQLite: nothing matches)."""
    kept = statement(verb={"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "ex\x00"}})
    assert lrs.post("/statements", json=kept).status_code == 200
    account = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "a\x00"}}
    refused = lrs.post("/statements", json=statement(actor=account))
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["message"] == "[0].actor: its identifier contains a NUL character, which this " \
                                                 "LRS cannot store"
    query = lrs.get("/statements", params={"activity": "http://example.org/activities/\x00"})
    if database(tool.app).engine.dialect.name == "postgresql":
        assert query.status_code == 400 and "it changed nothing" in query.json()["error"]["message"], query.text
    else:
        assert query.status_code == 200 and query.json()["statements"] == []
    stored = lrs.get("/statements").json()["statements"]
    assert [s["id"] for s in stored] == [kept["id"]] and stored[0]["verb"]["display"] == {"en-US": "ex\x00"}
