"""State, Activity Profile and Agent Profile: key/value documents with ETag concurrency."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response
from sqlalchemy import delete, select, update

from .agents import agent_key
from .limits import IRI_LENGTH, MEDIA_TYPE_LENGTH, unstorable
from .lrs import current_lrs
from .models import Document
from .protocol import XapiError, XapiRequest, agent_param
from .times import parse_time
from .validation import is_uuid

DOCUMENTS = Document.__table__
INERT = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
         "Content-Disposition": "attachment"}
"""A stored document is whatever a client sent (HTML, SVG…): never rendered from the LRS's origin."""


@dataclass(frozen=True)
class Kind:
    name: str
    id_param: str
    needs_activity: bool
    needs_agent: bool
    has_registration: bool
    strict_concurrency: bool  # PUT needs If-Match/If-None-Match: else 409 on an existing document, 400 on a new one

    @property
    def params(self) -> set[str]:
        names = {self.id_param, "since"}
        names |= {"activityId"} if self.needs_activity else set()
        names |= {"agent"} if self.needs_agent else set()
        names |= {"registration"} if self.has_registration else set()
        return names


STATE = Kind("state", "stateId", True, True, True, False)
ACTIVITY_PROFILE = Kind("activity_profile", "profileId", True, False, False, True)
AGENT_PROFILE = Kind("agent_profile", "profileId", False, True, False, True)


def _key(kind: Kind, params: dict) -> dict:
    unknown = set(params) - kind.params
    if unknown:
        raise XapiError(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")
    key = {"kind": kind.name, "activity_id": "", "agent_key": "", "registration": ""}
    if kind.needs_activity:
        if not params.get("activityId"):
            raise XapiError(400, "the activityId parameter is required")
        key["activity_id"] = _fitting(params["activityId"], IRI_LENGTH, "activityId")
    if kind.needs_agent:
        key["agent_key"] = agent_key(agent_param(params)) or ""  # an agent without identifier matches nothing
    if kind.has_registration and "registration" in params:
        if not is_uuid(params["registration"]):
            raise XapiError(400, f"registration must be a UUID, not {params['registration']!r}")
        key["registration"] = params["registration"].lower()
    return key


def _named_id(kind: Kind, params: dict) -> str | None:
    """The document id a request names, refused alike by every method: an id no document can have (a NUL, past
    the column) is the same 400 on every database (PostgreSQL cannot even compare a NUL; SQLite finds nothing)."""
    document_id = params.get(kind.id_param)
    return None if document_id is None else _fitting(document_id, IRI_LENGTH, kind.id_param)


def _fitting(value: str, limit: int, name: str) -> str:
    reason = unstorable(value, limit)
    if reason:
        raise XapiError(400, f"{name} {reason}")
    return value


def _where(key: dict, document_id: str | None = None):
    conditions = [DOCUMENTS.c[name] == value for name, value in key.items()]
    if document_id is not None:
        conditions.append(DOCUMENTS.c.document_id == document_id)
    return conditions


def _database():
    return current_lrs().database


def _etag(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def _http_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def get(kind: Kind, xreq: XapiRequest, _principal) -> Response:
    key = _key(kind, xreq.params)
    document_id = _named_id(kind, xreq.params)
    with _database().read() as connection:
        if document_id is None:
            return _ids(connection, key, xreq.params.get("since"))
        row = connection.execute(select(DOCUMENTS).where(*_where(key, document_id))).first()
    if row is None:
        raise XapiError(404, f"no document {document_id!r}")
    return Response(row.content, content_type=row.content_type,
                    headers={"ETag": f'"{row.etag}"', "Last-Modified": _http_date(row.updated), **INERT})


def _ids(connection, key: dict, since: str | None) -> Response:
    query = select(DOCUMENTS.c.document_id).where(*_where(key))
    if since:
        try:
            moment = parse_time(since)
        except ValueError as error:
            raise XapiError(400, "since must be an ISO 8601 timestamp") from error
        query = query.where(DOCUMENTS.c.updated > moment)
    ids = [row.document_id for row in connection.execute(query.order_by(DOCUMENTS.c.document_id))]
    return Response(json.dumps(ids), mimetype="application/json")


def put(kind: Kind, xreq: XapiRequest, _principal) -> Response:
    return _write(kind, xreq, merge=False)


def post(kind: Kind, xreq: XapiRequest, _principal) -> Response:
    return _write(kind, xreq, merge=True)


def _write(kind: Kind, xreq: XapiRequest, merge: bool) -> Response:
    key = _key(kind, xreq.params)
    document_id = _named_id(kind, xreq.params)
    if not document_id:
        raise XapiError(400, f"the {kind.id_param} parameter is required")
    sent = _json_object(xreq.body, "the document") if merge and xreq.mimetype == "application/json" else None
    content = xreq.body
    content_type = _fitting(xreq.content_type or "application/octet-stream", MEDIA_TYPE_LENGTH, "Content-Type")
    with _database().begin() as connection:
        row = connection.execute(select(DOCUMENTS).where(*_where(key, document_id)).with_for_update()).first()
        _preconditions(kind, xreq, row, strict=not merge)
        if merge and row is not None:
            content, content_type = _merged(row, sent)
        values = {"content": content, "content_type": content_type, "etag": _etag(content),
                  "updated": datetime.now(UTC)}
        if row is None:
            connection.execute(DOCUMENTS.insert().values(**key, document_id=document_id, **values))
        else:
            connection.execute(update(DOCUMENTS).where(DOCUMENTS.c.id == row.id).values(**values))
    return Response(status=204, headers={"ETag": f'"{values["etag"]}"'})


def _json_object(content: bytes, what: str) -> dict:
    """A JSON POST is merged into the stored document, so it must be a JSON object (XAPI-00314)."""
    try:
        value = json.loads(content)
    except ValueError as error:
        raise XapiError(400, f"{what} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise XapiError(400, f"POST merges JSON objects only: {what} is not one")
    return value


def _merged(row, sent: dict | None) -> tuple[bytes, str]:
    """POST merges two JSON objects' top-level properties; anything else cannot be merged."""
    if sent is None or not row.content_type.startswith("application/json"):
        raise XapiError(400, "POST merges JSON documents only: both must be application/json")
    stored = _json_object(row.content, "the stored document")
    return json.dumps({**stored, **sent}).encode(), "application/json"


def _preconditions(kind: Kind, xreq: XapiRequest, row, strict: bool) -> None:
    if_match, if_none_match = xreq.headers.get("if-match"), xreq.headers.get("if-none-match")
    current = f'"{row.etag}"' if row is not None else None
    if if_match is not None and (current is None or (if_match.strip() != "*" and current not in _tags(if_match))):
        raise XapiError(412, "If-Match does not match the document's current ETag")
    matches = if_none_match is not None and (if_none_match.strip() == "*" or current in _tags(if_none_match))
    if matches and current is not None:
        raise XapiError(412, "If-None-Match: the document already exists")
    if strict and kind.strict_concurrency and if_match is None and if_none_match is None:
        if row is not None:
            raise XapiError(409, "this document exists: send If-Match with its ETag (or If-None-Match) to change it")
        raise XapiError(400, "send If-None-Match: * to create this document (or If-Match with the ETag you replace)")


def _tags(header: str) -> set[str]:
    return {tag.strip() if tag.strip().startswith('"') else f'"{tag.strip()}"' for tag in header.split(",")}


def remove(kind: Kind, xreq: XapiRequest, _principal) -> Response:
    key = _key(kind, xreq.params)
    document_id = _named_id(kind, xreq.params)
    if document_id is None and kind is not STATE:
        raise XapiError(400, f"the {kind.id_param} parameter is required")
    with _database().begin() as connection:
        row = connection.execute(select(DOCUMENTS).where(*_where(key, document_id))).first() if document_id else None
        if row is not None:
            _preconditions(kind, xreq, row, strict=False)
        connection.execute(delete(DOCUMENTS).where(*_where(key, document_id)))
    return Response(status=204)


def _handlers(kind: Kind) -> dict:
    return {method: (lambda xreq, principal, f=function: f(kind, xreq, principal))
            for method, function in (("GET", get), ("PUT", put), ("POST", post), ("DELETE", remove))}


HANDLERS = {"state": _handlers(STATE), "activity_profile": _handlers(ACTIVITY_PROFILE),
            "agent_profile": _handlers(AGENT_PROFILE)}
ROUTES = [("/activities/state", "state"), ("/activities/profile", "activity_profile"),
          ("/agents/profile", "agent_profile")]
