"""xAPI 1.0.3 Data 2.2, formatting requirements: the LRS rejects what the spec's formats forbid."""
from __future__ import annotations

from tests.xapi.conftest import statement

NOT_A_LANGUAGE_TAG = "xx_not a tag"


def test_context_language_must_be_an_rfc_5646_tag(lrs):
    """XAPI-00013 (Data 2.2.s4.b2, 2.4.6.s3 table 1 row 7): context.language is an RFC 5646 tag."""
    bad = statement(context={"language": NOT_A_LANGUAGE_TAG})
    response = lrs.post("/statements", json=bad)
    assert response.status_code == 400 and "context.language" in response.json()["error"]["message"]
    assert lrs.post("/statements", json=statement(context={"language": "fr-FR"})).status_code == 200


def test_context_language_of_a_substatement_must_be_an_rfc_5646_tag(lrs):
    inner = statement(context={"language": NOT_A_LANGUAGE_TAG})
    del inner["id"], inner["timestamp"]
    response = lrs.post("/statements", json=statement(object={"objectType": "SubStatement", **inner}))
    assert response.status_code == 400 and "object.context.language" in response.json()["error"]["message"]
