"""Cross-site launches in Chromium with third-party cookies blocked: the demo LMS on 127.0.0.1 embeds the tool,
served as ``localhost`` (another site), in an iframe.

In the iframe the tool is a third party: Chromium (``--test-third-party-cookie-phaseout``) refuses its cookies, and
the tool's HTTP cookies (SameSite=Lax) would not flow to a cross-site frame anyway. The launch completes through LTI
postMessage storage and the learner reads a section and submits the quiz through the session token; without
storage, the new-tab page completes the launch top-level.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARGS, ARTIFACTS, CHROMIUM, axe_violations
from tests.peers.http import LiveServer, free_port

pytestmark = pytest.mark.browser
MODULE = "Vendre sur Internet"


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'passeport.db'}"


@pytest.fixture
def cross_site(make_app):
    """One server; the tool is http://localhost:PORT, the demo LMS http://127.0.0.1:PORT (two sites)."""
    port = free_port()
    app = make_app(f"http://localhost:{port}", demo=True)
    app.config["DEMO_URL"] = f"http://127.0.0.1:{port}"
    from lti_tool.demo import register_demo_platform

    register_demo_platform(app)  # again, now with the demo LMS on its own site
    with LiveServer(app, port) as server:
        server.app, server.lms = app, f"http://127.0.0.1:{port}"
        yield server


@pytest.fixture
def blocked_page(playwright):
    """Chromium with third-party cookies blocked, at a phone's width."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--test-third-party-cookie-phaseout"])
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})
    yield context.new_page()
    context.close()
    browser.close()


def _launch_alice(page, lms: str, query: str):
    page.goto(f"{lms}/demo/?{query}")
    module = page.locator("li", has=page.get_by_role("heading", name=MODULE))
    module.get_by_role("button", name="Lancer en tant qu'apprenante Alice").click()
    return page.frame_locator("#tool-frame")


def test_iframe_launch_with_cookies_blocked_reads_a_section_and_submits_the_quiz(cross_site, blocked_page):
    page = blocked_page
    frame = _launch_alice(page, cross_site.lms, "container=iframe&storage=on")
    frame.get_by_role("heading", level=1, name=MODULE).wait_for(timeout=90_000)  # a loaded CI machine is slow
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#tool-frame").screenshot(path=str(ARTIFACTS / "iframe-launch-375.png"))
    tool = page.frame(name="tool-frame")
    assert "pt=" in tool.url  # the session travels in the URL, not in a cookie
    assert tool.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    frame.locator("a[href*='/sections/']").first.click()
    frame.get_by_text("Section 1 sur").wait_for()
    tool = page.frame(name="tool-frame")
    for width in (320, 1024):  # the iframe as narrow as a phone, as wide as a desktop course page
        page.set_viewport_size({"width": width, "height": 800})
        assert tool.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), width
    page.set_viewport_size({"width": 375, "height": 800})
    tool.goto(tool.url.split("/sections/")[0] + "/quiz?" + tool.url.split("?", 1)[1])
    frame.get_by_role("button", name="Commencer le quiz").click()  # the start page: pass mark, questions
    frame.locator("fieldset.question").first.wait_for()
    for question in frame.locator("fieldset.question").all():
        question.locator("input").first.check()
    frame.locator("form[action*='/quiz/'] button[type=submit]").last.click()
    frame.get_by_text("Score").first.wait_for()
    assert "pt=" in page.frame(name="tool-frame").url
    assert axe_violations(page) == []  # the LMS page with its iframe


def test_without_storage_the_new_tab_page_completes_the_launch(cross_site, blocked_page):
    page = blocked_page
    frame = _launch_alice(page, cross_site.lms, "container=iframe&storage=off")
    link = frame.get_by_role("link", name="Ouvrir dans un nouvel onglet")
    link.wait_for()
    with page.expect_popup() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_url("**/modules/vendre-sur-internet")
    assert tab.get_by_role("heading", level=1).inner_text() == MODULE


@pytest.fixture
def https_cross_site(make_app, tmp_path):
    """The tool on https://localhost:P (a certificate from a local CA, trustme), the demo LMS on http://127.0.0.1:Q."""
    import ssl
    import threading

    import trustme
    from werkzeug.serving import make_server

    from lti_tool.demo import register_demo_platform

    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(context)
    tool_port, lms_port = free_port(), free_port()
    app = make_app(f"https://localhost:{tool_port}", demo=True)
    app.config["DEMO_URL"] = f"http://127.0.0.1:{lms_port}"
    register_demo_platform(app)
    server = make_server("127.0.0.1", tool_port, app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with LiveServer(app, lms_port) as lms:
        yield {"tool": f"https://localhost:{tool_port}", "lms": lms.url, "ca": ca, "home": tmp_path / "home"}
    server.shutdown()
    server.server_close()


def _browser_trusting(playwright, ca, home):
    """Chromium trusts the local CA through an NSS database under its HOME (certutil, Debian libnss3-tools)."""
    import os
    import shutil
    import subprocess

    if not shutil.which("certutil"):
        pytest.skip("certutil is not installed (apt-get install libnss3-tools); dev.py test installs it")
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    pem = home / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "passeport-test-ca", "-i", str(pem)],
                   check=True)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--test-third-party-cookie-phaseout"],
                                      env={**os.environ, "HOME": str(home)})


@pytest.mark.parametrize("storage", ["off", "on"])
def test_https_iframe_launch_with_partitioned_cookies(https_cross_site, playwright, storage):
    """Over HTTPS the state and session cookies are partitioned (CHIPS): the launch needs no token in the URL."""
    browser = _browser_trusting(playwright, https_cross_site["ca"], https_cross_site["home"])
    page = browser.new_page(locale="fr-FR", viewport={"width": 375, "height": 800})
    frame = _launch_alice(page, https_cross_site["lms"], f"container=iframe&storage={storage}")
    frame.get_by_role("heading", level=1, name=MODULE).wait_for(timeout=90_000)
    tool = page.frame(name="tool-frame")
    assert tool.url.startswith(https_cross_site["tool"]) and "pt=" not in tool.url
    frame.locator("a[href*='/sections/']").first.click()
    frame.get_by_text("Section 1 sur").wait_for()
    browser.close()
