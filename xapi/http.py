"""The embedded LRS's HTTP API (xAPI 1.0.3): ``create_blueprint(lrs)`` mounts it at /xapi."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from flask import Blueprint, Response, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from . import basic_auth, documents, formats
from .agents import agent_key
from .attachments import match_attachments, read_multipart, write_multipart
from .lrs import Lrs, current_lrs
from .protocol import XapiError, XapiRequest, agent_param, from_flask
from .signatures import check_signatures
from .store import VOIDED, Conflict, StatementQuery, now_iso, prepare
from .times import parse_time
from .validation import StatementInvalid, validate_statements

VERSION = "1.0.3"
EXPOSED = "ETag, Last-Modified, X-Experience-API-Consistent-Through, X-Experience-API-Version"
ALLOWED = "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match"
QUERY_PARAMS = {"agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
                "until", "limit", "format", "attachments", "ascending", "more"}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}
CONTAINERS = (dict, list)
MAX_DEPTH = 64
"""JSON nesting a statement may have (extensions included); deeper bodies are refused, not stored."""
log = logging.getLogger(__name__)


def lrs() -> Lrs:
    return current_lrs()


def _json(value, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(value), status=status, mimetype="application/json", headers=headers)


def _error(status: int, message: str) -> Response:
    return _json({"error": {"status": status, "message": message}}, status)


def _protocol_headers(response: Response) -> Response:
    response.headers["X-Experience-API-Version"] = VERSION
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
    response.headers["Access-Control-Allow-Headers"] = ALLOWED
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    return response


def _route(bp: Blueprint, served: Lrs, path: str, resource: str, needs_auth: bool = True):
    def view():
        with served.serving():
            response = _answer(path, resource, needs_auth)
        if resource == "statements":  # on every answer, errors included (XAPI-00153)
            response.headers.setdefault("X-Experience-API-Consistent-Through", now_iso())
        return response

    view.__name__ = f"xapi_{resource}"
    bp.add_url_rule(path, view_func=view, methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"])


def _answer(path: str, resource: str, needs_auth: bool) -> Response:
    if request.method == "OPTIONS":
        return Response(status=204)
    try:
        alternate = request.method == "POST" and "method" in request.args
        principal = None
        if needs_auth and not alternate:
            # credentials first: an anonymous client never gets its body read
            _check_version_header(request.headers.get("X-Experience-API-Version"))
            principal = _authenticate(request.headers.get("Authorization"))
        xreq = from_flask(request)
        handler = HANDLERS[resource].get("GET" if xreq.method == "HEAD" else xreq.method)
        if handler is None:
            raise XapiError(405, f"{xreq.method} is not allowed on {path}")
        if needs_auth:
            _check_version_header(xreq.headers.get("x-experience-api-version"))
            principal = _authorise(xreq, principal)
        response = handler(xreq, principal)
        if xreq.method == "HEAD":
            response.set_data(b"")
        return response
    except XapiError as error:
        return _error(error.status, error.message)
    except StatementInvalid as error:
        return _error(400, f"{error.path or 'statement'}: {error.message}")
    except RequestEntityTooLarge:
        return _error(413, f"the body is larger than this LRS accepts ({request.max_content_length} bytes)")
    except RecursionError:
        return _error(400, "the body is nested too deeply")
    except DataError as error:  # a value the checks above let through, which the database cannot take
        log.warning("xAPI request refused by the database: %s", error.orig)
        return _error(400, "the request holds a value this LRS's database cannot handle (a NUL character, or a "
                           "number out of range): it changed nothing")


def _check_version_header(version: str | None) -> None:
    if not version:
        raise XapiError(400, "the X-Experience-API-Version header is required")
    if not (version == "1.0" or version.startswith("1.0.")):
        raise XapiError(400, f"X-Experience-API-Version {version} is not supported (1.0.x)")


def _authenticate(authorization: str | None) -> basic_auth.Principal:
    """The credential's principal; 401 when wrong, 429 while a key is backing off after wrong secrets."""
    key = basic_auth.key_of(authorization)
    throttle = lrs().throttle
    if key is not None and (wait := throttle.wait(key)) > 0:
        raise XapiError(429, f"too many wrong secrets for this key: retry in {int(wait) + 1} s")
    with lrs().database.read() as connection:
        principal = basic_auth.authenticate(connection, authorization)
    if principal is None:
        if key is not None:
            throttle.failed(key)
        raise XapiError(401, "valid HTTP Basic credentials are required (passeport xapi credentials add)")
    throttle.succeeded(key or "")
    return principal


def _authorise(xreq: XapiRequest, principal: basic_auth.Principal | None) -> basic_auth.Principal:
    """The request's principal, allowed the action; ``principal`` when the headers were already checked (the
    alternate request syntax carries its credentials in the body, checked here)."""
    principal = principal or _authenticate(xreq.headers.get("authorization"))
    action = "read" if xreq.method in ("GET", "HEAD") else "write"
    if not principal.may(action):
        raise XapiError(403, f"this credential may not {action}")
    return principal


# ---------------------------------------------------------------- statements

def statements_get(xreq: XapiRequest, _principal) -> Response:
    params = xreq.params
    form = params.get("format", "exact")
    if form not in ("exact", "ids", "canonical"):
        raise XapiError(400, f"format must be exact, ids or canonical, not {form!r}")
    with_attachments = _boolean(params, "attachments")
    single = params.keys() & {"statementId", "voidedStatementId"}
    if single:
        return _single_statement(xreq, single, form, with_attachments)
    unknown = set(params) - QUERY_PARAMS
    if unknown:
        raise XapiError(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")
    query, form, with_attachments = _statement_query(params, form, with_attachments)
    if form == "exact" and not with_attachments:  # the statements as stored: no parsing, no re-encoding
        with lrs().database.read() as connection:
            documents, more = lrs().store.query_documents(connection, query)
        return Response(b'{"statements":[' + ",".join(documents).encode() + b'],"more":'
                        + orjson.dumps(_more_url(query, form, with_attachments, more) if more else "") + b"}",
                        mimetype="application/json")
    with lrs().database.read() as connection:
        found, more = lrs().store.query(connection, query)
        attachments = lrs().store.attachments_for(connection, found) if with_attachments else {}
    body = {"statements": [formats.apply(s, form, xreq.languages) for s in found],
            "more": _more_url(query, form, with_attachments, more) if more else ""}
    if with_attachments:
        return _multipart(body, attachments, {})
    return _json(body)


def _single_statement(xreq, single, form, with_attachments) -> Response:
    if len(single) > 1 or set(xreq.params) - SINGLE_PARAMS:
        raise XapiError(400, "statementId/voidedStatementId take no other parameter than format and attachments")
    voided = "voidedStatementId" in single
    statement_id = xreq.params["voidedStatementId" if voided else "statementId"]
    with lrs().database.read() as connection:
        found = lrs().store.get(connection, statement_id, voided=voided)
        attachments = lrs().store.attachments_for(connection, [found]) if found and with_attachments else {}
    if found is None:
        raise XapiError(404, f"no {'voided ' if voided else ''}statement {statement_id}")
    body = formats.apply(found, form, xreq.languages)
    headers = {"Last-Modified": _http_date(parse_time(found["stored"]))}
    return _multipart(body, attachments, headers) if with_attachments else _json(body, headers=headers)


def _statement_query(params: dict, form: str, with_attachments: bool) -> tuple[StatementQuery, str, bool]:
    if "more" in params:
        try:
            saved = _paging().loads(params["more"])
            limit = min(int(saved["query"]["limit"]) or lrs().page_size, lrs().page_size)  # the cap holds on every page
            query = StatementQuery(**{**saved["query"], "after": tuple(saved["after"]), "limit": limit,
                                      "since": _time_or_none(saved["query"]["since"]),
                                      "until": _time_or_none(saved["query"]["until"])})
        except (BadSignature, ValueError, KeyError, TypeError, AttributeError) as error:
            raise XapiError(400, "the 'more' token is not one this LRS issued") from error
        return query, saved["format"], saved["attachments"]
    agent = agent_key(agent_param(params, required=False))
    limit = _integer(params, "limit", 0)
    limit = min(limit or lrs().page_size, lrs().page_size)
    return StatementQuery(
        agent=agent, verb=params.get("verb"), activity=params.get("activity"),
        registration=params.get("registration", "").lower() or None,
        related_activities=_boolean(params, "related_activities"), related_agents=_boolean(params, "related_agents"),
        since=_time(params, "since"), until=_time(params, "until"), limit=limit,
        ascending=_boolean(params, "ascending"),
    ), form, with_attachments


def _more_url(query: StatementQuery, form: str, with_attachments: bool, after) -> str:
    saved = {k: v for k, v in query.__dict__.items() if k != "after"}
    saved["since"] = saved["since"].isoformat() if saved["since"] else None
    saved["until"] = saved["until"].isoformat() if saved["until"] else None
    token = _paging().dumps({"query": saved, "after": list(after), "format": form, "attachments": with_attachments})
    return f"{request.script_root}/xapi/statements?more={token}"


def _paging() -> URLSafeSerializer:
    """Signs ``more`` tokens, so a client cannot edit the page size or the query they carry."""
    return URLSafeSerializer(lrs().secret, salt="xapi-more")


def statements_put(xreq: XapiRequest, principal) -> Response:
    statement_id = xreq.params.get("statementId")
    if not statement_id:
        raise XapiError(400, "PUT /statements needs the statementId parameter")
    if set(xreq.params) != {"statementId"}:
        raise XapiError(400, "PUT /statements takes only the statementId parameter")
    statement, attachments = _read_statements(xreq)
    if not isinstance(statement, dict):
        raise XapiError(400, "PUT /statements takes one statement (a JSON object)")
    if "id" in statement and str(statement["id"]).lower() != statement_id.lower():
        raise XapiError(400, "the statement's id differs from the statementId parameter")
    statement = {**statement, "id": statement_id}
    _store([statement], attachments, principal)
    return Response(status=204)


def statements_post(xreq: XapiRequest, principal) -> Response:
    if xreq.params:
        raise XapiError(400, f"POST /statements takes no parameters ({', '.join(xreq.params)})")
    statements, attachments = _read_statements(xreq)
    batch = statements if isinstance(statements, list) else [statements]
    if not batch or not all(isinstance(s, dict) for s in batch):
        raise XapiError(400, "the body must be a statement or a non-empty list of statements")
    if len(batch) > lrs().max_batch:
        raise XapiError(413, f"at most {lrs().max_batch} statements per request (this one has {len(batch)})")
    return _json(_store(batch, attachments, principal))


def _store(batch: list[dict], attachments: dict, principal) -> list[str]:
    validate_statements(batch)
    match_attachments(batch, attachments)
    check_signatures(batch, attachments)
    _check_voiding(batch, principal)
    stored, authority = now_iso(), principal.authority(lrs().base_url)
    prepared = [prepare(s, authority, stored) for s in batch]
    try:
        return _save(prepared, attachments)
    except IntegrityError:
        # Another request stored one of these ids between our check and our insert: once more,
        # and the check now sees it (identical → skipped, different → 409).
        try:
            return _save(prepared, attachments)
        except IntegrityError as error:
            raise XapiError(409, "statements with these ids are being stored concurrently") from error


def _check_voiding(batch: list[dict], principal: basic_auth.Principal) -> None:
    """Only a statement's own authority may void it; an ``all``-scoped (admin) credential may void any,
    and is logged doing so."""
    targets = {str(s["object"].get("id", "")).lower() for s in batch if s["verb"]["id"] == VOIDED}
    if not targets:
        return
    with lrs().database.read() as connection:
        owners = lrs().store.authorities(connection, sorted(targets))
    mine = agent_key(principal.authority(lrs().base_url))
    foreign = sorted(target for target, owner in owners.items() if owner != mine)
    if foreign and "all" not in principal.scopes:
        raise XapiError(403, f"this credential may not void statements stored by another authority ({foreign[0]})")
    if foreign:
        log.warning("credential %s (%s) voided statements of another authority: %s", principal.key, principal.name,
                    ", ".join(foreign))


def _save(prepared: list[dict], attachments: dict) -> list[str]:
    try:
        with lrs().database.begin() as connection:
            ids = lrs().store.save(connection, prepared, attachments)
            lrs().after_store(connection, prepared)
        return ids
    except Conflict as conflict:
        raise XapiError(409, f"statement {conflict} is already stored with different content") from conflict


def _read_statements(xreq: XapiRequest):
    """The statement(s) and the attachment parts sent with them, each part checked against its hash."""
    attachments: dict[str, tuple[str, bytes]] = {}
    if xreq.mimetype == "application/json":
        statements = xreq.json()
    elif xreq.mimetype == "multipart/mixed":
        statements, attachments = read_multipart(xreq)
    else:
        raise XapiError(400, f"statements are sent as application/json or multipart/mixed, not {xreq.mimetype}")
    if not _nesting_within(statements, MAX_DEPTH):
        raise XapiError(400, f"the statements are nested more than {MAX_DEPTH} levels deep")
    return statements, attachments


def _nesting_within(value, limit: int) -> bool:
    """Whether JSON ``value`` nests at most ``limit`` levels (level by level: deep input must not recurse)."""
    level = [value] if type(value) in CONTAINERS else []
    for _ in range(limit):
        if not level:
            return True
        level = [child for item in level for child in (item.values() if type(item) is dict else item)
                 if type(child) in CONTAINERS]
    return not level


def _multipart(body, attachments: dict, headers: dict) -> Response:
    payload, content_type = write_multipart(body, attachments)
    return Response(payload, content_type=content_type, headers=headers)


# ---------------------------------------------------------------- agents, activities, about

def agents_get(xreq: XapiRequest, _principal) -> Response:
    agent = agent_param(xreq.params) or {}  # required: a missing agent is already a 400
    person: dict[str, object] = {"objectType": "Person"}
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    if agent.get("name"):
        person["name"] = [agent["name"]]
    return _json(person)


def activities_get(xreq: XapiRequest, _principal) -> Response:
    activity_id = xreq.params.get("activityId")
    if not activity_id:
        raise XapiError(400, "the activityId parameter is required")
    with lrs().database.read() as connection:
        found = lrs().store.activity(connection, activity_id)
    return _json(found or {"objectType": "Activity", "id": activity_id})


def about_get(_xreq: XapiRequest, _principal) -> Response:
    return _json({"version": ["1.0.3", "1.0.2", "1.0.1", "1.0.0"], "extensions": {}})


# ---------------------------------------------------------------- parameters

def _boolean(params: dict, name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise XapiError(400, f"{name} must be true or false")
    return value == "true"


def _integer(params: dict, name: str, default: int) -> int:
    try:
        value = int(params.get(name, default))
    except ValueError as error:
        raise XapiError(400, f"{name} must be a non-negative integer") from error
    if value < 0:
        raise XapiError(400, f"{name} must be a non-negative integer")
    return value


def _time(params: dict, name: str) -> datetime | None:
    if name not in params:
        return None
    try:
        return parse_time(params[name])
    except ValueError as error:
        raise XapiError(400, f"{name} must be an ISO 8601 timestamp") from error


def _time_or_none(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


HANDLERS: dict[str, dict[str, Callable[[XapiRequest, Any], Response]]] = {
    "statements": {"GET": statements_get, "PUT": statements_put, "POST": statements_post},
    "agents": {"GET": agents_get},
    "activities": {"GET": activities_get},
    "about": {"GET": about_get},
    **documents.HANDLERS,
}



def create_blueprint(served: Lrs) -> Blueprint:
    """The xAPI resources of ``served`` under /xapi."""
    bp = Blueprint("xapi", __name__, url_prefix="/xapi")
    bp.after_request(_protocol_headers)
    _route(bp, served, "/statements", "statements")
    _route(bp, served, "/agents", "agents")
    _route(bp, served, "/activities", "activities")
    _route(bp, served, "/about", "about", needs_auth=False)
    for path, resource in documents.ROUTES:
        _route(bp, served, path, resource)
    return bp
