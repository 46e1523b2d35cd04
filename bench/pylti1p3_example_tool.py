"""The comparison peer: a minimal pylti1p3 Flask tool set up the way pylti1p3's Flask example is.

Like that example it builds a ``ToolConfJsonFile`` (JSON + PEM files read and
parsed) on every request, keeps nonces and launch data in Flask-Caching's
in-process SimpleCache, fetches the platform JWKS on every launch, and renders
a page from the launch data with ``render_template``, which compiles the
template once (until 2026-12-07 this peer compiled it on every launch with
``render_template_string``, 10 % of its round trip that the example does not
spend). Left out, which only makes it faster: its JavaScript cookie check (it
needs a browser round trip) and the ``pprint`` of every launch's data to stdout.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, render_template
from flask_caching import Cache
from jinja2 import DictLoader
from pylti1p3.contrib.flask import FlaskCacheDataStorage, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.tool_config import ToolConfJsonFile

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="{{ url_for('static', filename='page.css') }}">
<script>var learner = "{{ name }}"; var launchId = "{{ launch_id }}";</script>
<script src="{{ url_for('static', filename='page.js') }}"></script></head>
<body><h1>{{ title }}</h1><p>{{ module }}</p></body></html>"""


def build(workdir: Path, platform, tool_private_pem: str, tool_public_pem: str) -> Flask:
    (workdir / "private.key").write_text(tool_private_pem)
    (workdir / "public.key").write_text(tool_public_pem)
    config_path = workdir / "tool.json"
    config_path.write_text(json.dumps({platform.issuer: [{
        "default": True,
        "client_id": platform.client_id,
        "auth_login_url": platform.url + "/auth",
        "auth_token_url": platform.url + "/token",
        "key_set_url": platform.url + "/jwks",
        "key_set": None,
        "private_key_file": str(workdir / "private.key"),
        "public_key_file": str(workdir / "public.key"),
        "deployment_ids": [platform.deployment_id],
    }]}))

    app = Flask("pylti1p3-example-peer")
    app.config.update(SECRET_KEY="bench", CACHE_TYPE="SimpleCache", CACHE_DEFAULT_TIMEOUT=600)
    app.jinja_loader = DictLoader({"launched.html": PAGE})
    cache = Cache(app)

    @app.route("/lti/login", methods=["GET", "POST"])
    def login():
        tool_conf = ToolConfJsonFile(str(config_path))
        flask_request = FlaskRequest()
        oidc = FlaskOIDCLogin(flask_request, tool_conf, launch_data_storage=FlaskCacheDataStorage(cache))
        return oidc.redirect(flask_request.get_param("target_link_uri"))

    @app.post("/lti/launch")
    def launch():
        tool_conf = ToolConfJsonFile(str(config_path))
        message = FlaskMessageLaunch(FlaskRequest(), tool_conf, launch_data_storage=FlaskCacheDataStorage(cache))
        data = message.get_launch_data()
        custom = data.get("https://purl.imsglobal.org/spec/lti/claim/custom", {})
        return render_template("launched.html", title="Launched", name=data.get("name", ""),
                               module=custom.get("module"), launch_id=message.get_launch_id())

    return app
