"""Templates' remembered ``url_for``: the same links as Flask builds, per launch token and script root."""
from __future__ import annotations

from flask import g, url_for


def _links(app, script_root: str = "", token: str | None = None):
    remembered = app.jinja_env.globals["url_for"]
    with app.test_request_context("/modules/x", base_url="http://localhost" + script_root):
        if token:
            g.launch_session_token = token
        pairs = [(remembered(endpoint, **values), url_for(endpoint, **values)) for endpoint, values in (
            ("player.section", {"module_id": "vendre-sur-internet", "section_id": "s1"}),
            ("player.catalogue", {}),
            ("static", {"filename": "player.js"}),
            ("player.catalogue", {"_external": True}),
        )]
        remembered_again = remembered("player.section", module_id="vendre-sur-internet", section_id="s1")
    return pairs, remembered_again


def test_remembered_links_are_the_links_flask_builds_for_each_token_and_script_root(app):
    seen = set()
    for script_root, token in (("", None), ("", "token-a"), ("", "token-b"), ("/passeport", None),
                               ("/passeport", "token-a")):
        pairs, again = _links(app, script_root, token)
        for remembered, built in pairs:
            assert remembered == built
        section = pairs[0][0]
        assert again == section
        assert section.startswith(script_root + "/modules/vendre-sur-internet/sections/s1")
        assert (f"pt={token}" in section) == bool(token)
        assert pairs[3][0].startswith("http://")  # _external: built by Flask, not remembered relative
        seen.add(section)
    assert len(seen) == 5
