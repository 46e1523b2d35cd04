"""xAPI 1.0.3 Communication 2.6, the Agent Profile Resource (2.7 and 3.1 share its concurrency rules)."""
from __future__ import annotations

import json
import uuid

import pytest

AGENT = json.dumps({"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "bea"}})
PROFILES = [("/agents/profile", {"agent": AGENT}),
            ("/activities/profile", {"activityId": "http://example.org/modules/m1"})]


@pytest.mark.parametrize("path,params", PROFILES)
def test_a_put_without_if_match_or_if_none_match_is_refused(lrs, path, params):
    """XAPI-00273 (Communication 2.6.s3) and Communication 2.7: a profile PUT names the version it replaces
    (If-Match) or says it creates one (If-None-Match: *); without either: 400 for a new document, and 409 for an
    existing one (Communication 3.1)."""
    one = {**params, "profileId": str(uuid.uuid4())}
    response = lrs.put(path, params=one, json={"theme": "dark"})
    assert response.status_code == 400 and "If-Match" in response.json()["error"]["message"]
    assert lrs.get(path, params=one).status_code == 404
    assert lrs.put(path, params=one, json={"theme": "dark"}, headers={"If-None-Match": "*"}).status_code == 204
    assert lrs.put(path, params=one, json={"theme": "light"}).status_code == 409
