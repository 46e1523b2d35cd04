"""xAPI 1.0.3 Communication 1.3, the alternate request syntax (a POST carrying another method)."""
from __future__ import annotations

import json

from tests.xapi.conftest import statement

FORM = "application/x-www-form-urlencoded"


def test_a_get_sent_as_a_post_with_real_headers_returns_a_statement_result(lrs):
    """XAPI-00148, XAPI-00336 (Communication 1.3.s3.b15): the headers may come as real headers; the form then
    carries only the query parameters."""
    lrs.post("/statements", json=statement())
    response = lrs.post("/statements", params={"method": "GET"}, data={"limit": "1"})
    assert response.status_code == 200, response.text
    assert len(response.json()["statements"]) == 1 and "more" in response.json()


def test_a_put_sent_as_a_post_with_real_headers_stores_the_statement(lrs):
    """XAPI-00336: statementId and content in the form, Authorization and the version as real headers."""
    sent = statement()
    response = lrs.post("/statements", params={"method": "PUT"},
                        data={"statementId": sent["id"], "content": json.dumps(sent)})
    assert response.status_code == 204, response.text
    assert lrs.get("/statements", params={"statementId": sent["id"]}).json()["id"] == sent["id"]


def test_a_form_header_overrides_the_real_one(lrs):
    """Communication 1.3.s3.b7: listed form parameters are headers (here an unsupported version wins)."""
    sent = statement()
    response = lrs.post("/statements", params={"method": "PUT"}, data={
        "statementId": sent["id"], "content": json.dumps(sent), "X-Experience-API-Version": "0.8"})
    assert response.status_code == 400


def test_an_alternate_request_without_a_form_body_is_a_bad_request(lrs):
    """Communication 1.3.s3.b4: no form, hence no content parameter: 400 Bad Request."""
    response = lrs.post("/statements", params={"method": "PUT"})
    assert response.status_code == 400
    as_json = lrs.post("/statements", params={"method": "PUT"}, json={"statementId": "x", "content": "{}"})
    assert as_json.status_code == 400
