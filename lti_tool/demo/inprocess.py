"""The tool reaches the demo LMS, which lives in its own process, without a socket.

At first run no server is listening yet, and a one-thread server would wait on itself:
requests to ``<base>/demo/`` from the tool's HTTP session are answered by the app directly.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import Flask


class AppTransport(requests.adapters.BaseAdapter):
    def __init__(self, app: Flask):
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout=None, verify=True,
             cert=None, proxies=None) -> requests.Response:
        parts = urlsplit(request.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        with self.app.test_client() as client:
            answer = client.open(path, method=request.method, base_url=f"{parts.scheme}://{parts.netloc}",
                                 headers=dict(request.headers), data=request.body)
        response = requests.Response()
        response.status_code, response._content = answer.status_code, answer.get_data()
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
        response.url, response.request = request.url or "", request
        return response

    def close(self) -> None:
        pass
