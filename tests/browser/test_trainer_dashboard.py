"""The trainer dashboard in a real browser: grid (1280 and 375 px), learner detail, course view, preview; axe-clean."""
from __future__ import annotations

import pytest

from lti_tool.demo.seed import demo_cli
from tests.badges.conftest import run
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
WIDEST = """[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > window.innerWidth)
    .map(e => e.tagName + "." + e.className).slice(0, 5).join(", ")"""
WIDTHS = {"1280": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 740}}


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """The dashboard's queries run on both databases in tests/dashboards; one is enough here."""
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def _check(page, screenshot, name: str) -> None:
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
            f"{name} scrolls sideways at {width} px: " + page.evaluate(WIDEST)
        screenshot(f"{name}-{width}")


def _launch_bruno(page, live_tool) -> None:
    run(live_tool.app, demo_cli, "seed")
    page.goto(live_tool.url + "/demo/")
    item = page.locator("li", has=page.get_by_role("heading", name="Vendre sur Internet"))
    item.get_by_role("button", name="Lancer en tant que formateur Bruno").click()
    page.wait_for_url("**/trainer/")


def test_grid_and_learner_detail(live_tool, page, screenshot):
    _launch_bruno(page, live_tool)
    assert page.get_by_role("heading", level=1).inner_text() == "Espace formateur"
    alice = page.get_by_role("row", name="Alice Martin")
    assert alice.get_by_text("Passeport", exact=True).is_visible()
    assert alice.get_by_role("cell").filter(has_text="Validé").count() == 3
    _check(page, screenshot, "trainer-grid")
    page.set_viewport_size(WIDTHS["375"])
    grid = page.get_by_role("region", name="Progression des apprenants par module")
    assert grid.evaluate("e => e.scrollWidth > e.clientWidth")  # the grid scrolls inside its container
    page.set_viewport_size(WIDTHS["1280"])

    page.get_by_label("Afficher").select_option("not_started")
    page.get_by_role("button", name="Appliquer").click()
    assert page.get_by_text("Aucun apprenant ne correspond.").is_visible()
    page.get_by_label("Afficher").select_option("passport")
    page.get_by_label("Rechercher un nom").fill("alice")
    page.get_by_role("button", name="Appliquer").click()
    page.get_by_role("link", name="Alice Martin").click()
    page.wait_for_url("**/trainer/learners/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Alice Martin"
    assert page.get_by_role("link", name="Page de vérification").count() == 4  # three modules and the passport
    _check(page, screenshot, "trainer-learner")

    page.get_by_role("link", name="Vue du cours").click()
    page.wait_for_url("**/trainer/course")
    assert page.get_by_role("img", name="Répartition des meilleurs scores").is_visible()
    _check(page, screenshot, "trainer-course")


def test_preview_shows_the_banner_and_tracks_nothing(live_tool, page, screenshot):
    _launch_bruno(page, live_tool)
    page.get_by_role("link", name="Vendre sur Internet").click()
    page.wait_for_url("**/trainer/preview/vendre-sur-internet")
    assert page.get_by_role("status").filter(has_text="Aperçu formateur").is_visible()
    _check(page, screenshot, "trainer-preview-module")
    page.get_by_role("link", name="Commencer le module").click()
    assert page.get_by_role("status").filter(has_text="Aperçu formateur").is_visible()
    _check(page, screenshot, "trainer-preview-section")
    page.goto(live_tool.url + "/trainer/preview/vendre-sur-internet/quiz")
    _check(page, screenshot, "trainer-preview-quiz")
    page.goto(live_tool.url + "/trainer/")
    assert page.get_by_role("row", name="Alice Martin").get_by_role("cell").filter(
        has_text="Vendre sur Internet").count() == 0  # Bruno's preview left no row of his own
    assert page.get_by_role("row").filter(has_text="Bruno").count() == 0
