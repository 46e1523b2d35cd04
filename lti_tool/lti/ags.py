"""Assignment and Grade Services 2.0: line items and scores, as the platform speaks them.

Plain HTTP through ``service_http`` (timeouts, JSON checked, refusals classified);
where the scores go and when is decided by ``grades``.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import requests

from .service_http import ServiceError, TokenSource, call, json_of

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
TAG = "passeport"
SCORE_MAXIMUM = 100


def line_item(module_id: str, label: str, resource_link_id: str | None = None) -> dict:
    """The line item Passeport asks for, by deep linking or by creating it."""
    item = {"scoreMaximum": SCORE_MAXIMUM, "label": label, "resourceId": module_id, "tag": TAG}
    if resource_link_id:
        item["resourceLinkId"] = resource_link_id
    return item


def score(sub: str, best: float, timestamp: datetime) -> dict:
    """A learner's best score (scaled 0..1) as an AGS score out of 100; the quiz is graded at once."""
    return {"userId": sub, "scoreGiven": round(best * SCORE_MAXIMUM, 2), "scoreMaximum": SCORE_MAXIMUM,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "timestamp": timestamp.isoformat(timespec="milliseconds")}


def progress(sub: str, activity: str, timestamp: datetime) -> dict:
    """Where a learner without a graded attempt stands: ``Started`` or ``InProgress``, nothing to grade yet."""
    return {"userId": sub, "activityProgress": activity, "gradingProgress": "NotReady",
            "timestamp": timestamp.isoformat(timespec="milliseconds")}


def scores_url(lineitem_url: str) -> str:
    """``/scores`` appended to the line item's path, its query kept (Moodle's line items have one)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def post_score(http: requests.Session, tokens: TokenSource, lineitem_url: str, payload: dict,
               timeout: float) -> None:
    call(http, tokens, [SCOPE_SCORE], "POST", scores_url(lineitem_url), timeout, json=payload,
         headers={"Content-Type": SCORE_TYPE})


def find_line_item(http: requests.Session, tokens: TokenSource, lineitems_url: str, scopes: list[str],
                   module_id: str, timeout: float) -> str | None:
    """The line item with our ``resourceId`` and tag, if the platform has one."""
    scope = SCOPE_LINEITEM if SCOPE_LINEITEM in scopes else SCOPE_LINEITEM_READ
    response = call(http, tokens, [scope], "GET", lineitems_url, timeout,
                    params={"resource_id": module_id, "tag": TAG}, headers={"Accept": LINEITEMS_TYPE})
    items = json_of(response, "line items service")
    if not isinstance(items, list):
        raise ServiceError("the line items service did not answer a list", permanent=True)
    found = [i for i in items if isinstance(i, dict) and i.get("resourceId") == module_id
             and i.get("tag", TAG) == TAG and i.get("id")]
    return str(found[0]["id"]) if found else None


def create_line_item(http: requests.Session, tokens: TokenSource, lineitems_url: str, item: dict,
                     timeout: float) -> str:
    response = call(http, tokens, [SCOPE_LINEITEM], "POST", lineitems_url, timeout, json=item,
                    headers={"Content-Type": LINEITEM_TYPE, "Accept": LINEITEM_TYPE})
    created = json_of(response, "line items service")
    if not isinstance(created, dict) or not created.get("id"):
        raise ServiceError("the created line item has no id", permanent=True)
    return str(created["id"])
