"""xAPI 1.0.3 Data 2.4.11, the attachments property."""
from __future__ import annotations

import pytest

from tests.xapi.conftest import statement


@pytest.mark.parametrize("attachments", ["not a list", 12, {"usageType": "http://example.org/u"}, ["text"], [7]])
def test_attachments_of_the_wrong_type_are_a_bad_request(lrs, attachments):
    """XAPI-00025 (Data 2.4.s1 table 1 row 11): attachments is an array of Attachment objects."""
    response = lrs.post("/statements", json=statement(attachments=attachments))
    assert response.status_code == 400 and "attachments" in response.json()["error"]["message"]
