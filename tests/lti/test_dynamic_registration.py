"""LTI Dynamic Registration against a Moodle-like and a Canvas-like platform, each ending with a launch."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool import database, services
from lti_tool.lti.dynamic_registration import SCOPES, TOOL_CONFIGURATION
from lti_tool.models import Platform
from tests.inprocess import WsgiTransport
from tests.peers.lti_platform import landing
from tests.peers.registering_platforms import BrightspaceLikePlatform, CanvasLikePlatform, MoodleLikePlatform

PLATFORMS = {"moodle": (MoodleLikePlatform, "http://moodle.test"), "canvas": (CanvasLikePlatform, "http://canvas.test"),
             "brightspace": (BrightspaceLikePlatform, "http://brightspace.test")}


def _serve(tool, kind: str):
    cls, url = PLATFORMS[kind]
    platform = cls(tool.url, url)
    tool.sites[platform.url] = platform.app
    services.platform_keys(tool.app).http.mount(platform.url, WsgiTransport(platform.app))
    return platform


def _registrations(app) -> list[tuple]:
    with database(app).sessions() as db:
        return [(p.issuer, p.client_id, sorted(d.deployment_id for d in p.deployments), p.auth_login_url)
                for p in db.scalars(select(Platform).where(Platform.issuer.notlike("%/demo")))]


@pytest.mark.parametrize("kind", ["moodle", "canvas"])
def test_registration_then_launch_with_the_issued_client(tool, kind):
    platform = _serve(tool, kind)
    page = tool.browser().get(platform.registration_url(tool.url))
    assert page.status_code == 200, page.text
    assert "Passeport est inscrit" in page.text and platform.client_id in page.text
    assert "registration-close.js" in page.text
    assert _registrations(tool.app) == [(platform.issuer, platform.client_id, [platform.deployment_id],
                                         platform.url + "/auth")]
    if kind == "canvas":  # Canvas answers 401 to a configuration fetch without the Bearer token
        assert platform.configuration_requests[-1]["Authorization"] == "Bearer reg-token-1"

    browser = tool.browser()
    module = platform.launch(browser)
    assert landing(module) == "/modules/vendre-sur-internet" and "Vendre sur Internet" in module.text


def test_the_posted_registration_carries_every_field(tool):
    platform = _serve(tool, "moodle")
    assert tool.browser().get(platform.registration_url(tool.url)).status_code == 200
    posted, base = platform.posted, tool.url
    assert posted["application_type"] == "web"
    assert posted["response_types"] == ["id_token"]
    assert posted["grant_types"] == ["implicit", "client_credentials"]
    assert posted["initiate_login_uri"] == base + "/lti/login"
    assert posted["redirect_uris"] == [base + "/lti/launch"]
    assert posted["jwks_uri"] == base + "/.well-known/jwks.json"
    assert posted["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(posted["scope"].split()) == set(SCOPES)
    assert tool.get(posted["logo_uri"]).status_code == 200
    assert posted["client_name"] and posted["client_name#en"] == "Passport for the digital economy"
    lti = posted[TOOL_CONFIGURATION]
    assert lti["domain"] == base.split("://")[1] and lti["target_link_uri"] == base + "/lti/launch"
    assert {"sub", "iss", "name", "email"} <= set(lti["claims"])
    messages = {m["type"]: m for m in lti["messages"]}
    deep_linking = any("deep_link" in endpoint for endpoint in tool.app.view_functions)
    expected = {"LtiResourceLinkRequest"} | ({"LtiDeepLinkingRequest"} if deep_linking else set())
    assert set(messages) == expected  # deep linking only once a view answers it
    assert all(m["label"] and m["placements"] for m in messages.values())


FAILURES = [
    # fault, registration token, status, code
    ("foreign_issuer", "reg-token-1", 502, "issuer_mismatch"),
    ("refuse", "reg-token-1", 502, "registration_refused"),
    (None, "wrong-token", 403, "token_refused"),
]


@pytest.mark.parametrize("fault,token,status,code", FAILURES, ids=[f[3] for f in FAILURES])
def test_failures_are_pages_for_the_administrator_and_store_nothing(tool, fault, token, status, code):
    platform = _serve(tool, "canvas")
    if fault:
        platform.faults.add(fault)
    url = platform.registration_url(tool.url).replace("reg-token-1", token)
    page = tool.browser().get(url)
    assert page.status_code == status
    assert f"<code>{code}</code>" in page.text and "Inscription impossible" in page.text
    assert "Traceback" not in page.text
    assert _registrations(tool.app) == []


@pytest.mark.parametrize("query,code", [
    ("", "missing_openid_configuration"),
    ("?openid_configuration=ftp://x/y", "bad_configuration_url"),
    ("?openid_configuration=http://127.0.0.1:9/conf", "platform_unreachable"),
])
def test_bad_or_unreachable_configuration_is_a_clear_page(tool, query, code):
    page = tool.get(tool.url + "/lti/register" + query)
    assert 400 <= page.status_code < 600 and page.status_code != 500
    assert f"<code>{code}</code>" in page.text


def test_demo_lms_registers_itself_by_dynamic_registration(tool):
    with database(tool.app).sessions() as db:
        demo = db.scalars(select(Platform).where(Platform.issuer == tool.url + "/demo")).one()
        assert (demo.client_id, [d.deployment_id for d in demo.deployments], demo.name) == (
            "passeport-demo", ["demo-deployment-1"], "passeport-demo")
    # the token was single use: a second registration with no or another token is refused by the demo LMS
    refused = tool.post(tool.url + "/demo/registrations", json={"redirect_uris": [tool.url + "/lti/launch"]},
                        headers={"Authorization": "Bearer guessed"})
    assert refused.status_code == 401


def test_registration_without_deployment_then_the_first_launch_names_it(tool, caplog):
    platform = _serve(tool, "brightspace")
    page = tool.browser().get(platform.registration_url(tool.url))
    assert page.status_code == 200 and "pas encore" in page.text
    assert _registrations(tool.app) == [(platform.issuer, platform.client_id, [], platform.url + "/auth")]
    platform.deployment_id = "d2l-deployment-9"  # the administrator deploys the tool
    refused = platform.launch(tool.browser())
    assert refused.status_code == 403 and "<code>unknown_deployment</code>" in refused.text
    # the complete command goes to administrators: here, to the log under the reference the page shows
    assert 'class="reference"' in refused.text and "passeport platform add" not in refused.text
    assert f"--client-id {platform.client_id}" in caplog.text and "--deployment-id d2l-deployment-9" in caplog.text
