"""xAPI 1.0.3 Communication 2.5, the Activities Resource."""
from __future__ import annotations

import uuid

from tests.xapi.conftest import statement


def _about(activity_id: str, **definition) -> dict:
    return statement(object={"objectType": "Activity", "id": activity_id, "definition": definition})


def test_the_activity_holds_everything_its_statements_said(lrs):
    """XAPI-00254 (Communication 2.5.s1 table 1 row 1): two statements describing the same activity in two
    languages: the Activities resource returns both languages (same batch or later)."""
    activity_id = f"http://example.org/meetings/{uuid.uuid4()}"
    batch = [_about(activity_id, name={"en-US": "example meeting"}, description={"en-US": "a meeting"}),
             _about(activity_id, name={"fr-FR": "réunion"}, type="http://adlnet.gov/expapi/activities/meeting")]
    assert lrs.post("/statements", json=batch).status_code == 200
    definition = lrs.get("/activities", params={"activityId": activity_id}).json()["definition"]
    assert definition == {"name": {"en-US": "example meeting", "fr-FR": "réunion"},
                          "description": {"en-US": "a meeting"}, "type": "http://adlnet.gov/expapi/activities/meeting"}
    later = _about(activity_id, name={"fr-FR": "la réunion", "de-DE": "Besprechung"},
                   extensions={"http://example.org/room": "B12"})
    assert lrs.post("/statements", json=later).status_code == 200
    definition = lrs.get("/activities", params={"activityId": activity_id}).json()["definition"]
    assert definition["name"] == {"en-US": "example meeting", "fr-FR": "la réunion", "de-DE": "Besprechung"}
    assert definition["description"] == {"en-US": "a meeting"}
    assert definition["extensions"] == {"http://example.org/room": "B12"}
