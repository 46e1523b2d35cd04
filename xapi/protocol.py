"""One request shape for every xAPI resource, whether sent plainly or with the alternate request syntax."""
from __future__ import annotations

from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP

import orjson
from flask import Request

from .validation import StatementInvalid, validate_agent

ALTERNATE_HEADERS = ("authorization", "x-experience-api-version", "content-type", "content-length",
                     "if-match", "if-none-match")
METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")


class XapiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class XapiRequest:
    method: str
    params: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    mimetype: str
    content_type: str = ""
    languages: list[str] = field(default_factory=list)

    def json(self):
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as error:
            raise XapiError(400, f"the body is not valid JSON: {error}") from error


def from_flask(request: Request) -> XapiRequest:
    """The request as the client meant it, unwrapping the alternate request syntax (POST ?method=…)."""
    languages = [lang for lang, _q in request.accept_languages]
    read_whole_body(request)
    if request.method == "POST" and "method" in request.args:
        return _alternate(request, languages)
    return XapiRequest(request.method, request.args.to_dict(), {k.lower(): v for k, v in request.headers.items()},
                       request.get_data(), request.mimetype, request.content_type or "", languages)


def read_whole_body(request: Request) -> bytes:
    """The body, cached for form parsing; 413 when it reaches ``max_content_length``. Werkzeug refuses a
    too-long Content-Length up front, but silently cuts a chunked body at the limit: a cut body is refused."""
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(data) >= limit:
        raise XapiError(413, f"the body is larger than this LRS accepts ({limit} bytes)")
    return data


def _alternate(request: Request, languages: list[str]) -> XapiRequest:
    if set(request.args) != {"method"}:
        raise XapiError(400, "with the alternate request syntax, 'method' must be the only query parameter")
    method = request.args["method"].upper()
    if method not in METHODS:
        raise XapiError(400, f"unknown method {method!r} in the alternate request syntax")
    if request.mimetype != "application/x-www-form-urlencoded":
        raise XapiError(400, "the alternate request syntax needs an application/x-www-form-urlencoded body")
    form = request.form.to_dict()
    # Headers may be sent as real headers too; those given as form parameters win.
    headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in ("content-type", "content-length")}
    headers.update({name.lower(): form.pop(name) for name in list(form) if name.lower() in ALTERNATE_HEADERS})
    body = form.pop("content", "").encode()
    content_type = headers.get("content-type", "application/json")
    return XapiRequest(method, form, headers, body, content_type.split(";")[0].strip().lower(), content_type,
                       languages)


def agent_param(params: dict, required: bool = True) -> dict | None:
    """The ``agent`` query parameter: JSON naming exactly one Agent or identified Group."""
    if "agent" not in params:
        if required:
            raise XapiError(400, "the agent parameter is required")
        return None
    try:
        agent = orjson.loads(params["agent"])
    except orjson.JSONDecodeError as error:
        raise XapiError(400, "agent must be a JSON Agent or identified Group") from error
    try:
        validate_agent(agent)
    except StatementInvalid as error:  # named after the parameter, not a statement
        raise XapiError(400, f"agent{'.' + error.path if error.path else ''}: {error.message}") from None
    return agent


def multipart_parts(xreq: XapiRequest) -> list[tuple[dict[str, str], bytes]]:
    """(headers, body) of each part of a multipart/mixed body."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {xreq.content_type}\r\n\r\n".encode() + xreq.body)
    if not message.is_multipart():
        raise XapiError(400, "the multipart/mixed body has no parts (check the boundary)")
    parts = []
    for part in message.iter_parts():
        headers = {k.lower(): str(v) for k, v in part.items()}
        payload = part.get_payload(decode=True)
        parts.append((headers, payload if isinstance(payload, bytes) else b""))
    return parts
