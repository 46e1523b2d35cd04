"""What an LMS administrator reads: /lti/config and Canvas's JSON configuration."""
from __future__ import annotations

import pytest
from markupsafe import escape

from lti_tool import services
from lti_tool.lti.dynamic_registration import SCOPES


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """No database behaviour here beyond the app's start."""
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def test_canvas_json_configuration(tool):
    config = tool.get(tool.url + "/lti/canvas.json").json()
    base = tool.url
    assert config["title"] and config["description"]
    assert config["oidc_initiation_url"] == base + "/lti/login"
    assert config["target_link_uri"] == base + "/lti/launch"
    assert config["public_jwk_url"] == base + "/.well-known/jwks.json"
    assert config["scopes"] == list(SCOPES)
    canvas = config["extensions"][0]
    assert canvas["platform"] == "canvas.instructure.com" and canvas["privacy_level"] == "public"
    assert tool.get(canvas["settings"]["icon_url"]).status_code == 200
    placements = {p["placement"]: p for p in canvas["settings"]["placements"]}
    assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"
    deep_linking = any("deep_link" in endpoint for endpoint in tool.app.view_functions)
    assert ({"assignment_selection", "link_selection"} <= set(placements)) == deep_linking


def test_config_page_lists_every_value_and_module(tool):
    page = tool.get(tool.url + "/lti/config")
    assert page.status_code == 200
    base, text = tool.url, page.text
    for url in ("/lti/register", "/lti/canvas.json", "/lti/launch", "/lti/login", "/.well-known/jwks.json",
                "/static/passeport-icon.svg"):
        assert base + url in text, url
    modules = services.catalogue(tool.app).modules
    assert len(modules) == 18
    for module in modules:
        assert f"module={module.folder}" in text and str(escape(module.title["fr"])) in text
    words = " ".join(text.split())
    assert "Afficher plus… → Paramètres personnalisés</em> — pas dans l'outil" in words  # Moodle: the activity's own
    assert "HTTPS requis" in text  # the test tool is on http://
    assert "nouvelle fenêtre" in text
    if not any("deep_link" in endpoint for endpoint in tool.app.view_functions):
        assert "non pris en charge pour l'instant" in text  # advertise only what works


def test_config_page_on_https_has_no_warning(make_app):
    from tests.inprocess import InProcessTool

    tool = InProcessTool(make_app("https://passeport.example.org"))
    page = tool.get(tool.url + "/lti/config")
    assert "HTTPS requis" not in page.text and "https://passeport.example.org/lti/register" in page.text
