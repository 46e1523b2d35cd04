"""Response hardening for every page: security headers, body limits, framing by registered platforms only.

The tool lives inside LMS iframes, so ``frame-ancestors`` lists ``'self'`` plus the origins
of the registered platforms (their issuer and their login URL), from the cached registry.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request

from .services import registry

MAX_BODY = 2 * 1024 * 1024
"""Default request body cap; the LRS (attachments) and /verify (uploads) set their own below."""
BODY_LIMITS = {"xapi.": 16 * 1024 * 1024, "verify.verify_submitted": 3 * 1024 * 1024,
               "verify.api_verify": 1024 * 1024}
MIN_SECRET_KEY = 32
STRICT_CSP = "default-src 'self'; object-src 'none'; base-uri 'self'"
SANDBOXED_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
PDF_CSP = "default-src 'none'; frame-ancestors 'none'"


def install(app: Flask) -> None:
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY)
    app.before_request(_body_limit)
    app.after_request(_headers)


def check_secret_key(config: dict) -> None:
    """A deployment served over https refuses a short SECRET_KEY: it signs sessions, CSRF and paging tokens."""
    if config["BASE_URL"].startswith("https://") and len(config["SECRET_KEY"]) < MIN_SECRET_KEY:
        raise RuntimeError(f"SECRET_KEY must be at least {MIN_SECRET_KEY} characters when PASSEPORT_BASE_URL is "
                           "https (generate one: python -c 'import secrets; print(secrets.token_urlsafe(48))')")


def _body_limit() -> None:
    endpoint = request.endpoint or ""
    for prefix, limit in BODY_LIMITS.items():
        if endpoint == prefix or (prefix.endswith(".") and endpoint.startswith(prefix)):
            request.max_content_length = limit  # a longer Content-Length is a 413 before anything is read
            break
    if endpoint.startswith("xapi."):
        return  # the LRS authenticates first, then reads (xapi.protocol.read_whole_body)
    if request.content_length is None and request.max_content_length and _has_body():
        # A chunked body: Werkzeug silently cuts it at the limit, so read it (cached) and refuse a cut one.
        if len(request.get_data(cache=True)) >= request.max_content_length:
            abort(413)


def _has_body() -> bool:
    return bool(request.environ.get("wsgi.input_terminated")) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if str(current_app.config["BASE_URL"]).startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if "Content-Security-Policy" not in headers:
        if response.mimetype == "text/html":
            # frame-src: the demo LMS, possibly served from another site, embeds the tool (BASE_URL) in an iframe
            tool = _origin(str(current_app.config["BASE_URL"])) or ""
            headers["Content-Security-Policy"] = (f"{STRICT_CSP}; frame-src 'self' {tool}; "
                                                  f"frame-ancestors {' '.join(frame_ancestors())}")
        elif response.mimetype == "application/pdf":
            headers["Content-Security-Policy"] = PDF_CSP  # a sandboxed PDF would not render in browsers' viewers
        else:
            headers["Content-Security-Policy"] = SANDBOXED_CSP
    return response


def frame_ancestors() -> list[str]:
    """'self' and every registered platform's origins: the pages that may show the tool in an iframe."""
    origins = {_origin(url) for url in registry().origins()}
    return ["'self'", *sorted(o for o in origins if o)]


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in parts.netloc for c in " ;,'\""):
        return None
    return f"{parts.scheme}://{parts.netloc}"
