"""What an administrator sees while installing, in Chromium at 375 px: /lti/config and a dynamic registration."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.peers.http import LiveServer, free_port
from tests.peers.registering_platforms import MoodleLikePlatform

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_config_page_at_375_px(live_tool, page, screenshot):
    for width in (320, 375, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_tool.url + "/lti/config")
        assert _fits(page), f"horizontal scroll at {width} px"
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.get_by_role("cell", name="module=05-vendre-sur-internet").is_visible()
    assert axe_violations(page) == []
    screenshot("lti-config-375")


def test_dynamic_registration_result_at_375_px(live_tool, page, screenshot):
    port = free_port()
    moodle = MoodleLikePlatform(live_tool.url, f"http://127.0.0.1:{port}")
    with LiveServer(moodle.app, port):
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(moodle.registration_url(live_tool.url))
        assert page.get_by_role("heading", level=1).inner_text().startswith("Passeport est inscrit")
        assert moodle.client_id in page.content()
        assert _fits(page) and axe_violations(page) == []
        screenshot("dynamic-registration-result-375")
