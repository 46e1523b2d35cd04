"""xAPI 1.0.3 Data 2.4.4, the object property: activity definitions."""
from __future__ import annotations

from tests.xapi.conftest import statement

ACTIVITY = {"objectType": "Activity", "id": "http://example.org/activities/bare", "definition": {}}


def test_an_activity_definition_may_have_no_property(lrs):
    """Data 2.4.4.1.s2: every property of a definition is optional, so an empty definition is valid."""
    sent = statement(object=ACTIVITY)
    assert lrs.post("/statements", json=sent).status_code == 200
    assert lrs.get("/statements", params={"statementId": sent["id"]}).json()["object"]["id"] == ACTIVITY["id"]


def test_a_substatement_activity_definition_may_have_no_property(lrs):
    inner = statement(object=ACTIVITY)
    del inner["id"], inner["timestamp"]
    assert lrs.post("/statements", json=statement(object={"objectType": "SubStatement", **inner})).status_code == 200
