"""The bundled demo LMS, clicked through in a real browser: genuine LTI 1.3 launches."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """One database is enough here: the launch protocol is covered on both by tests/lti."""
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def test_alice_then_bruno_launch_from_the_demo_course(live_tool, page, screenshot):
    page.goto(live_tool.url + "/demo/")
    assert page.locator("h1").inner_text().startswith("LMS de démonstration")
    assert axe_violations(page) == []
    screenshot("demo-course")

    module = page.locator("li", has=page.get_by_role("heading", name="Vendre sur Internet"))
    module.get_by_role("button", name="Lancer en tant qu'apprenante Alice").click()
    page.wait_for_url("**/modules/vendre-sur-internet")
    assert page.get_by_role("heading", level=1).inner_text() == "Vendre sur Internet"
    assert axe_violations(page) == []
    screenshot("learner-module-after-launch")

    page.goto(live_tool.url + "/demo/")
    module = page.locator("li", has=page.get_by_role("heading", name="Vendre sur Internet"))
    module.get_by_role("button", name="Lancer en tant que formateur Bruno").click()
    page.wait_for_url("**/trainer/")
    assert page.get_by_role("heading", level=1).inner_text() == "Espace formateur"
    assert page.get_by_role("link", name="Alice Martin").is_visible()
    assert axe_violations(page) == []
    screenshot("trainer-home-after-launch")


def test_error_and_config_pages_are_accessible(live_tool, page):
    page.goto(live_tool.url + "/lti/config")
    assert "/lti/login" in page.content()
    assert axe_violations(page) == []
    response = page.request.post(live_tool.url + "/lti/launch", form={"state": "x"})
    assert response.status == 401
    page.set_content(response.text())
    assert axe_violations(page) == []
