"""State, Activity Profile and Agent Profile resources: ETags, merges, concurrency, listings, deletion."""
from __future__ import annotations

import json

import pytest

AGENT = json.dumps({"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "bea"}})
ACTIVITY = "http://example.org/modules/m1"
STATE = {"activityId": ACTIVITY, "agent": AGENT}


def test_state_put_get_merge_list_delete(lrs):
    params = {**STATE, "stateId": "bookmark"}
    assert lrs.put("/activities/state", params=params, json={"section": 2}).status_code == 204
    got = lrs.get("/activities/state", params=params)
    assert got.json() == {"section": 2} and got.headers["ETag"].startswith('"')
    assert lrs.post("/activities/state", params=params, json={"quiz": "open"}).status_code == 204
    assert lrs.get("/activities/state", params=params).json() == {"section": 2, "quiz": "open"}
    assert lrs.put("/activities/state", params={**STATE, "stateId": "notes"}, data=b"plain text",
                   headers={"Content-Type": "text/plain"}).status_code == 204
    assert lrs.post("/activities/state", params={**STATE, "stateId": "notes"}, json={"a": 1}).status_code == 400
    assert lrs.get("/activities/state", params=STATE).json() == ["bookmark", "notes"]
    assert lrs.get("/activities/state", params={**STATE, "since": "2999-01-01T00:00:00Z"}).json() == []
    registration = {**params, "registration": "a6d4f19a-8a8e-4c36-9c44-5b6c7d8e9f01"}
    assert lrs.get("/activities/state", params=registration).status_code == 404
    assert lrs.delete("/activities/state", params=params).status_code == 204
    assert lrs.get("/activities/state", params=params).status_code == 404
    assert lrs.delete("/activities/state", params=STATE).status_code == 204
    assert lrs.get("/activities/state", params=STATE).json() == []


@pytest.mark.parametrize("path,params", [
    ("/activities/profile", {"activityId": ACTIVITY}),
    ("/agents/profile", {"agent": AGENT}),
])
def test_profiles_concurrency(lrs, path, params):
    one = {**params, "profileId": "preferences"}
    assert lrs.put(path, params=one, json={"theme": "dark"}, headers={"If-None-Match": "*"}).status_code == 204
    etag = lrs.get(path, params=one).headers["ETag"]
    assert lrs.put(path, params=one, json={"theme": "light"}).status_code == 409
    assert lrs.put(path, params=one, json={"theme": "light"}, headers={"If-None-Match": "*"}).status_code == 412
    assert lrs.put(path, params=one, json={"theme": "light"}, headers={"If-Match": '"0000"'}).status_code == 412
    assert lrs.put(path, params=one, json={"theme": "light"}, headers={"If-Match": etag}).status_code == 204
    assert lrs.get(path, params=one).json() == {"theme": "light"}
    assert lrs.delete(path, params=one, headers={"If-Match": etag}).status_code == 412
    assert lrs.get(path, params=params).json() == ["preferences"]
    assert lrs.delete(path, params=one).status_code == 204
    assert lrs.get(path, params=one).status_code == 404


def test_document_parameters_are_checked(lrs):
    assert lrs.get("/activities/state", params={"activityId": ACTIVITY}).status_code == 400
    assert lrs.get("/activities/state", params={**STATE, "agent": "{}"}).status_code == 400
    assert lrs.put("/activities/profile", params={"activityId": ACTIVITY}, json={}).status_code == 400
    assert lrs.get("/agents/profile", params={"agent": AGENT, "colour": "red"}).status_code == 400


def test_over_long_ids_and_content_types_are_400s_and_the_stored_document_stays(lrs):
    """What the LRS indexes fits its columns; beyond, a 400 naming the parameter on every database."""
    kept = {**STATE, "stateId": "bookmark"}
    assert lrs.put("/activities/state", params=kept, json={"section": 2}).status_code == 204
    long_agent = json.dumps({"account": {"homePage": "https://lms.example.org", "name": "n" * 2100}})
    for params, content_type, named in [
        ({**STATE, "stateId": "s" * 2049}, "application/json", "stateId"),
        ({**STATE, "activityId": ACTIVITY + "/" + "a" * 2048, "stateId": "s"}, "application/json", "activityId"),
        ({**STATE, "agent": long_agent, "stateId": "s"}, "application/json", "identifier"),
        ({**STATE, "stateId": "s"}, "text/" + "p" * 300, "Content-Type"),
    ]:
        refused = lrs.put("/activities/state", params=params, data=b'{"a": 1}', headers={"Content-Type": content_type})
        assert refused.status_code == 400 and named in refused.json()["error"]["message"], refused.text
    at_limit = {**STATE, "stateId": "s" * 2048}
    assert lrs.put("/activities/state", params=at_limit, json={"a": 1}).status_code == 204
    assert lrs.get("/activities/state", params=STATE).json() == ["bookmark", "s" * 2048]
    assert lrs.get("/activities/state", params=kept).json() == {"section": 2}


def test_nul_characters_in_ids_are_400s_on_every_database_and_the_stored_document_stays(lrs):
    """PostgreSQL text cannot hold a NUL: what the LRS indexes refuses one everywhere (SQLite could keep it)."""
    kept = {**STATE, "stateId": "bookmark"}
    assert lrs.put("/activities/state", params=kept, json={"section": 2}).status_code == 204
    nul_agent = json.dumps({"account": {"homePage": "https://lms.example.org", "name": "b\x00ea"}})
    for path, params, named in [
        ("/activities/state", {**STATE, "stateId": "s\x00"}, "stateId contains a NUL character"),
        ("/activities/profile", {"activityId": ACTIVITY, "profileId": "p\x00"}, "profileId contains a NUL character"),
        ("/activities/state", {**STATE, "agent": nul_agent, "stateId": "s"}, "agent: its identifier contains a NUL"),
    ]:
        refused = lrs.put(path, params=params, json={"a": 1})
        assert refused.status_code == 400 and named in refused.json()["error"]["message"], refused.text
    for read_or_delete in (lrs.get, lrs.delete):  # the same answer, SQLite (which would find nothing) included
        for path, params, named in [("/activities/state", {**STATE, "stateId": "bookmark\x00"}, "stateId contains"),
                                    ("/activities/profile", {"activityId": ACTIVITY, "profileId": "p\x00"},
                                     "profileId contains")]:
            refused = read_or_delete(path, params=params)
            assert refused.status_code == 400 and named in refused.json()["error"]["message"], refused.text
    assert lrs.get("/activities/state", params=STATE).json() == ["bookmark"]
    assert lrs.get("/activities/state", params=kept).json() == {"section": 2}
