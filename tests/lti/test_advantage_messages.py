"""The LTI Advantage messages Passeport builds, checked against the specifications' shapes (no HTTP)."""
from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.lti import ags
from lti_tool.lti.deep_linking import Choice, Settings, content_item, response_jwt

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.mark.parametrize("lineitem,expected", [
    ("https://lms.example.org/lineitems/7", "https://lms.example.org/lineitems/7/scores"),
    ("https://moodle.example.org/mod/lti/services.php/2/lineitems/5/lineitem?type_id=3",
     "https://moodle.example.org/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=3"),
])
def test_scores_url_keeps_the_line_items_query(lineitem, expected):
    assert ags.scores_url(lineitem) == expected


def test_score_is_the_best_out_of_100_fully_graded_for_the_launch_sub():
    at = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    assert ags.score("sub-9", 0.8333, at) == {
        "userId": "sub-9", "scoreGiven": 83.33, "scoreMaximum": 100, "activityProgress": "Completed",
        "gradingProgress": "FullyGraded", "timestamp": "2026-12-06T10:00:00.000+00:00"}


def test_settings_default_to_what_the_specification_says_when_absent():
    settings = Settings.from_claim({"deep_link_return_url": "https://lms/return", "accept_types": ["link"]})
    assert settings.accept_multiple and settings.accept_lineitem and settings.accept_types == ("link",)
    strict = Settings.from_claim({"deep_link_return_url": "r", "accept_types": ["ltiResourceLink"],
                                  "accept_multiple": False, "accept_lineitem": False, "data": "d"})
    assert not strict.accept_multiple and not strict.accept_lineitem and strict.data == "d"


def test_content_item_carries_module_line_item_and_due_date_only_when_allowed():
    choice = Choice("vendre-sur-internet", "Vendre sur Internet", "Résumé",
                    datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC))
    taking = Settings("r", ("ltiResourceLink",), True, True, None, None)
    item = content_item(choice, "https://tool/lti/launch", taking)
    assert item["custom"] == {"module": "vendre-sur-internet"}
    assert item["lineItem"] == {"scoreMaximum": 100, "label": "Vendre sur Internet",
                                "resourceId": "vendre-sur-internet", "tag": "passeport"}
    assert item["submission"] == {"endDateTime": "2027-01-31T23:59:59+00:00"}
    refusing = Settings("r", ("ltiResourceLink",), False, False, None, None)
    assert "lineItem" not in content_item(choice, "https://tool/lti/launch", refusing)


def test_response_jwt_is_signed_for_the_platform_and_echoes_data():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = Settings("r", ("ltiResourceLink",), True, True, "opaque", None)
    token = response_jwt(settings, [{"type": "ltiResourceLink"}], client_id="client-1",
                         issuer="https://lms.example.org", deployment_id="d-1", kid="kid-1", private_key=key)
    assert jwt.get_unverified_header(token)["kid"] == "kid-1"
    claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], audience="https://lms.example.org")
    assert claims["iss"] == "client-1" and claims["nonce"]
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse" and claims[CLAIM + "deployment_id"] == "d-1"
    assert claims[DL + "data"] == "opaque" and claims[DL + "content_items"] == [{"type": "ltiResourceLink"}]
