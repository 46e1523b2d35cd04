"""xAPI 1.0.3 Communication 2.3, the State Resource."""
from __future__ import annotations

import json

import pytest

AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:bea@example.org"})
STATE = {"activityId": "http://example.org/modules/m1", "agent": AGENT, "stateId": "bookmark"}


@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
@pytest.mark.parametrize("registration", ["not-a-uuid", "12345", "a6d4f19a8a8e4c369c445b6c7d8e9f01x"])
def test_a_registration_that_is_not_a_uuid_is_a_bad_request(lrs, method, registration):
    """XAPI-00200 to XAPI-00203 (Communication 2.3.s3 table 1 row 3): registration is a UUID, on every method."""
    response = getattr(lrs, method)("/activities/state", params={**STATE, "registration": registration},
                                    json={"section": 1})
    assert response.status_code == 400 and "registration" in response.json()["error"]["message"]


def test_a_uuid_registration_keys_its_own_state(lrs):
    registration = "A6D4F19A-8A8E-4C36-9C44-5B6C7D8E9F01"
    assert lrs.put("/activities/state", params={**STATE, "registration": registration},
                   json={"section": 1}).status_code == 204
    assert lrs.get("/activities/state", params={**STATE, "registration": registration.lower()}).json() == {"section": 1}
    assert lrs.get("/activities/state", params=STATE).status_code == 404
