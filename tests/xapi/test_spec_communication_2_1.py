"""xAPI 1.0.3 Communication 2.1, the Statement Resource."""
from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.xapi.conftest import statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
CONSISTENT = "X-Experience-API-Consistent-Through"


def _consistent_through(response) -> datetime:
    return datetime.fromisoformat(response.headers[CONSISTENT])


@pytest.mark.parametrize("params", [
    {"statementId": "not-a-statement", "agent": "{}"},          # XAPI-00151: statementId with another filter
    {"voidedStatementId": str(uuid.uuid4()), "verb": VOIDED},   # XAPI-00150
    {"format": "everything"},                                   # misused parameter
    {"statementId": str(uuid.uuid4())},                         # unknown statement: 404
])
def test_every_get_answer_carries_consistent_through(lrs, params):
    """XAPI-00153 (Communication 2.1.3.s2.b5): the header is returned whatever the status code."""
    for method in (lrs.get, lrs.head):
        response = method("/statements", params=params)
        assert response.status_code in (400, 404)
        assert _consistent_through(response).tzinfo is not None


def test_a_voided_statement_asked_by_statement_id_is_a_404_with_consistent_through(lrs):
    """XAPI-00018 (Data 2.3.2.s2.b3) and XAPI-00163."""
    target = statement()
    lrs.post("/statements", json=target)
    lrs.post("/statements", json=statement(verb={"id": VOIDED}, object={"objectType": "StatementRef",
                                                                         "id": target["id"]}))
    response = lrs.get("/statements", params={"statementId": target["id"]})
    assert response.status_code == 404 and CONSISTENT in response.headers


def test_canonical_prefers_the_exact_accept_language_tag(lrs):
    """XAPI-00172 and XAPI-00169 (Communication 2.1.3.s1 table 1 rows 11-12): one language, the one asked for."""
    sent = statement(verb={"id": "http://adlnet.gov/expapi/verbs/attended",
                           "display": {"en-US": "attended", "en-GB": "attended (GB)", "fr-FR": "a assisté"}},
                     object={"objectType": "Activity", "id": "http://example.org/meeting",
                             "definition": {"name": {"en": "Other", "en-US": "meeting", "en-GB": "meeting (GB)"}}})
    lrs.post("/statements", json=sent)
    got = lrs.get("/statements", params={"statementId": sent["id"], "format": "canonical"},
                  headers={"Accept-Language": "en-GB"}).json()
    assert got["verb"]["display"] == {"en-GB": "attended (GB)"}
    assert got["object"]["definition"]["name"] == {"en-GB": "meeting (GB)"}
    exact = lrs.get("/statements", params={"statementId": sent["id"]}, headers={"Accept-Language": "en-GB"}).json()
    assert exact["verb"]["display"] == sent["verb"]["display"]


def test_statements_targeting_a_voided_statement_match_the_filters_it_matches(lrs):
    """XAPI-00162 (Communication 2.1.4.s1.b2): a query that would match a voided statement returns the
    statements targeting it (the voiding statement, StatementRefs), but not the voided statement itself;
    since/until still apply to the returned statements' own stored time."""
    verb = {"id": f"http://example.org/verbs/{uuid.uuid4()}"}
    before = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    target = statement(verb=verb)
    lrs.post("/statements", json=target)
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target["id"]})
    lrs.post("/statements", json=voiding)
    reference = statement(verb=verb, object={"objectType": "StatementRef", "id": target["id"]})
    lrs.post("/statements", json=reference)
    after = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
    for window in ({}, {"since": before}, {"until": after}, {"since": before, "until": after}):
        listed = lrs.get("/statements", params={"verb": verb["id"], **window})
        assert listed.status_code == 200, listed.text
        ids = {s["id"] for s in listed.json()["statements"]}
        assert ids == {voiding["id"], reference["id"]}, window
    assert lrs.get("/statements", params={"verb": verb["id"], "since": after}).json()["statements"] == []


def test_a_chain_of_statement_refs_is_followed(lrs):
    """Communication 2.1.3 (filter conditions for StatementRefs): targeted directly or through another StatementRef."""
    activity = {"objectType": "Activity", "id": f"http://example.org/activities/{uuid.uuid4()}"}
    first = statement(object=activity)
    lrs.post("/statements", json=first)
    second = statement(object={"objectType": "StatementRef", "id": first["id"]})
    lrs.post("/statements", json=second)
    time.sleep(0.01)
    third = statement(object={"objectType": "StatementRef", "id": second["id"]})
    lrs.post("/statements", json=third)
    unrelated = statement(object={"objectType": "StatementRef", "id": str(uuid.uuid4())})
    lrs.post("/statements", json=unrelated)
    ids = [s["id"] for s in lrs.get("/statements", params={"activity": activity["id"]}).json()["statements"]]
    assert ids == [third["id"], second["id"], first["id"]]
    page = lrs.get("/statements", params={"activity": activity["id"], "limit": 2}).json()
    assert [s["id"] for s in page["statements"]] == [third["id"], second["id"]] and page["more"]
    rest = lrs.get(page["more"].removeprefix("/xapi")).json()
    assert [s["id"] for s in rest["statements"]] == [first["id"]]


def test_ids_keeps_only_identifiers(lrs):
    """XAPI-00171 (Communication 2.1.3.s1 table 1 row 12): with format=ids, activities are their id alone, agents
    and identified groups their objectType and identifier, verbs their id, anonymous groups their members' ids."""
    group = {"objectType": "Group", "name": "Team", "mbox": "mailto:team@example.org",
             "member": [{"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@example.org"}]}
    inner = statement(actor=group)
    del inner["id"], inner["timestamp"]
    parent = {"objectType": "Activity", "id": "http://example.org/course",
              "definition": {"name": {"en-US": "Course"}}}
    sent = statement(object={"objectType": "SubStatement", **inner},
                     context={"contextActivities": {"parent": [parent]}})
    lrs.post("/statements", json=sent)
    got = lrs.get("/statements", params={"statementId": sent["id"], "format": "ids"}).json()
    assert got["object"]["object"] == {"id": sent["object"]["object"]["id"]}
    assert got["object"]["actor"] == {"objectType": "Group", "mbox": "mailto:team@example.org"}
    assert got["object"]["verb"] == {"id": sent["object"]["verb"]["id"]}
    assert got["context"]["contextActivities"]["parent"] == [{"id": parent["id"]}]
    anonymous = {"objectType": "Group", "member": group["member"]}
    other = statement(actor=anonymous)
    lrs.post("/statements", json=other)
    got = lrs.get("/statements", params={"statementId": other["id"], "format": "ids"}).json()
    assert got["actor"] == {"objectType": "Group",
                            "member": [{"objectType": "Agent", "mbox": "mailto:ada@example.org"}]}
    assert got["object"] == {"id": other["object"]["id"]}


def _listed(lrs, **params) -> set[str]:
    response = lrs.get("/statements", params=params)
    assert response.status_code == 200, response.text
    return {s["id"] for s in response.json()["statements"]}


def test_statement_refs_stored_before_their_target_match_once_it_arrives(lrs):
    """Communication 2.1.3 (filter conditions for StatementRefs), whatever the order statements arrive in: a
    StatementRef to an unknown statement matches nothing until that statement is stored, then matches what it
    matches, and so does a StatementRef to the StatementRef."""
    activity = f"http://example.org/activities/{uuid.uuid4()}"
    verb = {"id": f"http://example.org/verbs/{uuid.uuid4()}"}
    registration = str(uuid.uuid4())
    first = statement(verb=verb, object={"objectType": "Activity", "id": activity},
                      context={"registration": registration})
    second = statement(object={"objectType": "StatementRef", "id": first["id"]})
    third = statement(object={"objectType": "StatementRef", "id": second["id"]})
    lrs.post("/statements", json=third)
    lrs.post("/statements", json=second)
    assert _listed(lrs, activity=activity) == set() and _listed(lrs, verb=verb["id"]) == set()
    lrs.post("/statements", json=first)
    everything = {first["id"], second["id"], third["id"]}
    assert _listed(lrs, activity=activity) == everything
    assert _listed(lrs, verb=verb["id"]) == everything
    assert _listed(lrs, registration=registration) == everything
    assert _listed(lrs, agent='{"mbox": "mailto:ada@example.org"}', verb=verb["id"]) == everything


def test_a_statement_ref_matches_when_one_statement_of_its_chain_matches_every_filter(lrs):
    """Communication 2.1.3: the filters hold for one targeted statement together, not each for a different one
    of the chain."""
    verb = {"id": f"http://example.org/verbs/{uuid.uuid4()}"}
    activity = f"http://example.org/activities/{uuid.uuid4()}"
    grace = {"objectType": "Agent", "mbox": f"mailto:{uuid.uuid4()}@example.org"}
    deepest = statement(verb=verb, object={"objectType": "Activity", "id": activity})  # Ada
    middle = statement(actor=grace, object={"objectType": "StatementRef", "id": deepest["id"]})
    top = statement(object={"objectType": "StatementRef", "id": middle["id"]})
    lrs.post("/statements", json=[deepest, middle, top])
    grace_param = f'{{"mbox": "{grace["mbox"]}"}}'
    assert _listed(lrs, agent=grace_param) == {middle["id"], top["id"]}
    assert _listed(lrs, agent=grace_param, verb=verb["id"]) == set()
    assert _listed(lrs, agent=grace_param, activity=activity) == set()
    assert _listed(lrs, activity=activity, verb=verb["id"]) == {deepest["id"], middle["id"], top["id"]}
