"""xAPI 1.0.3 Communication 2.7, the Activity Profile Resource (and the JSON POST of every document resource)."""
from __future__ import annotations

import json
import uuid

import pytest

AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:bea@example.org"})
ACTIVITY = "http://example.org/modules/m1"
RESOURCES = [("/activities/profile", {"activityId": ACTIVITY}, "profileId"),
             ("/agents/profile", {"agent": AGENT}, "profileId"),
             ("/activities/state", {"activityId": ACTIVITY, "agent": AGENT}, "stateId")]


@pytest.mark.parametrize("path,params,id_param", RESOURCES)
@pytest.mark.parametrize("body", ['{"name": "x"}[', "[1, 2]", '"text"', ""])
def test_a_json_post_that_is_not_a_json_object_is_a_bad_request(lrs, path, params, id_param, body):
    """XAPI-00314 (Communication 2.7.s4 table 1 row 2): a POST with Content-Type application/json merges
    JSON objects; invalid JSON (or JSON that is not an object) is a 400, even when no document exists yet."""
    one = {**params, id_param: str(uuid.uuid4())}
    response = lrs.post(path, params=one, data=body.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert lrs.get(path, params=one).status_code == 404
    assert lrs.post(path, params=one, json={"name": "x"}).status_code == 204
