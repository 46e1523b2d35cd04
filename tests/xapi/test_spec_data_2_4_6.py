"""xAPI 1.0.3 Data 2.4.6, the context property: contextActivities come back as arrays."""
from __future__ import annotations

import pytest

from tests.xapi.conftest import statement

KINDS = ("parent", "grouping", "category", "other")


def _single(kind: str) -> dict:
    return {"contextActivities": {kind: {"objectType": "Activity", "id": f"http://example.org/{kind}"}}}


@pytest.mark.parametrize("kind", KINDS)
def test_a_single_context_activity_is_returned_in_an_array(lrs, kind):
    """XAPI-00096 (Data 2.4.6.2.s4.b3): one context activity may be sent as an object; the LRS returns an array."""
    sent = statement(context=_single(kind))
    lrs.post("/statements", json=sent)
    single = {"objectType": "Activity", "id": f"http://example.org/{kind}"}
    for form, returned in (("exact", single), ("canonical", single), ("ids", {"id": single["id"]})):
        got = lrs.get("/statements", params={"statementId": sent["id"], "format": form})
        assert got.status_code == 200, got.text
        assert got.json()["context"]["contextActivities"][kind] == [returned]


def test_a_single_context_activity_of_a_substatement_is_returned_in_an_array(lrs):
    inner = statement(context=_single("parent"))
    del inner["id"], inner["timestamp"]
    sent = statement(object={"objectType": "SubStatement", **inner})
    lrs.post("/statements", json=sent)
    got = lrs.get("/statements", params={"statementId": sent["id"]}).json()
    assert isinstance(got["object"]["context"]["contextActivities"]["parent"], list)
    listed = lrs.get("/statements", params={"format": "ids"})
    assert listed.status_code == 200, listed.text
