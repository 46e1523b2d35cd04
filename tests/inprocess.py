"""HTTP without sockets: requests-style calls answered in-process by Flask's ``app.test_client()``.

Tests written against ``requests`` keep their calls (``params``, ``data``, ``json``, ``files``,
``headers``, ``auth``, ``allow_redirects``) and their assertions (``status_code``, ``headers``,
``text``, ``content``, ``json()``); each origin is one WSGI app, so a redirect from the tool to
an in-process LTI platform and back is followed like a browser would. Anything not routed to an
app is refused: these tests never touch the network.
"""
from __future__ import annotations

import io
import json as jsonlib
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
from werkzeug.datastructures import MultiDict

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 30  # requests' own limit


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Response:
    """The parts of ``requests.Response`` the tests read, from a werkzeug test response."""

    def __init__(self, answer, url: str):
        self.status_code = answer.status_code
        self.headers = answer.headers
        self.content = answer.get_data()
        self.url = url

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return jsonlib.loads(self.content)


class Browser:
    """A ``requests.Session`` look-alike over in-process apps (one cookie jar per app, like per site)."""

    def __init__(self, apps: dict, use_cookies: bool = True):
        self.apps, self.use_cookies, self.clients = apps, use_cookies, {}
        self.headers: dict[str, str] = {}
        self.auth: tuple[str, str] | None = None

    def request(self, method: str, url: str, params=None, data=None, json=None, files=None, headers=None,
                auth=None, allow_redirects: bool | None = None) -> Response:
        method = method.upper()
        if allow_redirects is None:
            allow_redirects = method != "HEAD"
        answer = self._send(method, url, params, data, json, files, headers, auth)
        for _ in range(MAX_REDIRECTS):
            if not (allow_redirects and answer.status_code in REDIRECTS and "Location" in answer.headers):
                return Response(answer, url)
            url = urljoin(url, answer.headers["Location"])
            if answer.status_code not in (307, 308) and method != "HEAD":
                # like requests (and browsers): the body is dropped and the method becomes GET
                method, data, json, files = "GET", None, None, None
                headers = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
            answer = self._send(method, url, None, data, json, files, headers, auth)
        raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _send(self, method, url, params, data, json, files, headers, auth):
        site, path = origin(url), url[len(origin(url)):] or "/"
        if site not in self.clients:
            apps = {origin(known): app for known, app in self.apps.items()}
            if site not in apps:
                raise ConnectionError(f"{site} is not served in-process (known: {', '.join(apps)})")
            self.clients[site] = apps[site].test_client(use_cookies=self.use_cookies)
        if params is not None and "?" in path:
            path, query = path.split("?", 1)
            params = parse_qsl(query) + list(params.items() if isinstance(params, dict) else params)
        return self.clients[site].open(
            path, method=method, base_url=site, query_string=params, data=_form(data, files), json=json,
            headers={**self.headers, **(headers or {})}, auth=auth if auth is not None else self.auth)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url, **kwargs):
        return self.request("PUT", url, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)

    def head(self, url, **kwargs):
        return self.request("HEAD", url, **kwargs)

    def options(self, url, **kwargs):
        return self.request("OPTIONS", url, **kwargs)


def _form(data, files):
    """requests' ``data``/``files`` in the shapes werkzeug's EnvironBuilder takes."""
    if files:
        form = MultiDict(data or {})
        for field, (filename, content) in files.items():
            form.add(field, (io.BytesIO(content), filename))
        return form
    if isinstance(data, list):
        return MultiDict(data)
    return data


class WsgiTransport(requests.adapters.BaseAdapter):
    """Lets an application's own ``requests.Session`` reach an in-process app (e.g. a platform's JWKS)."""

    def __init__(self, app):
        super().__init__()
        self.client = app.test_client()

    def send(self, request, **kwargs):
        site = origin(request.url)
        answer = self.client.open(request.url[len(site):], method=request.method, base_url=site,
                                  headers=dict(request.headers), data=request.body)
        response = requests.Response()
        response.status_code, response._content = answer.status_code, answer.get_data()
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
        response.url, response.request = request.url, request
        return response

    def close(self):
        pass


class InProcessTool(Browser):
    """The tool as ``live_tool`` offers it (``url``, ``app``), answered without a socket.

    Its own ``get``/``post``/… are one-off calls without cookies, like ``requests.get``;
    ``browser()`` is a session with cookies. ``sites`` may gain other in-process apps (a platform).
    """

    def __init__(self, app):
        self.app, self.url = app, app.config["BASE_URL"]
        self.sites = {self.url: app}
        super().__init__(self.sites, use_cookies=False)

    def browser(self) -> Browser:
        return Browser(self.sites)
