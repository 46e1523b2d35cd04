"""The deep-linking picker and the demo LMS loop in a real browser: Bruno places modules, Alice passes one,
her score shows in the demo gradebook. Axe-clean, screenshots at 1280 and 375 px."""
from __future__ import annotations

import pytest

from lti_tool import services
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
MODULE = "vendre-sur-internet"


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """One database is enough here: the protocol is covered on both by tests/lti."""
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def _pass_quiz(page, app) -> None:
    catalogue = services.catalogue(app)
    bank = catalogue.quiz(catalogue.get(MODULE).folder, "fr")
    page.goto(page.url.split("/modules/")[0] + f"/modules/{MODULE}/quiz")
    page.get_by_role("button", name="Commencer le quiz").click()  # the start page: pass mark, questions
    for fieldset in page.locator("fieldset.question").all():
        question = fieldset.get_attribute("id")[len("q-"):]
        for choice in bank[question]["choices"]:
            if choice.get("correct"):
                fieldset.locator(f'input[value="{choice["id"]}"]').check()
    page.get_by_role("button", name="Valider mes réponses").click()
    page.wait_for_url("**/result")


def test_bruno_places_modules_alice_passes_gradebook_shows_it(live_tool, page, screenshot):
    page.goto(live_tool.url + "/demo/")
    page.get_by_role("button", name="Sélectionner un contenu (deep linking) en tant que formateur Bruno").click()
    page.wait_for_url("**/lti/deep-linking")
    assert page.get_by_role("heading", level=1).inner_text() == "Choisir des modules"
    assert page.get_by_role("checkbox").count() == 18
    assert axe_violations(page) == []
    screenshot("deep-linking-picker-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    assert axe_violations(page) == []
    screenshot("deep-linking-picker-375")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("checkbox", name="Vendre sur Internet").check()
    page.get_by_role("checkbox", name="Cybersécurité essentielle").check()
    page.locator(f"#due-{MODULE}").fill("2027-03-01")
    page.get_by_role("button", name="Placer dans le cours").click()
    page.wait_for_url("**/demo/#activites")  # the response posted itself back and the demo LMS accepted it
    placed = page.locator("ol.demo-activities > li")
    assert placed.count() == 2
    assert "avant le 01/03/2027" in placed.first.inner_text()

    placed.first.get_by_role("button", name="Lancer en tant qu'apprenante Alice").click()
    page.wait_for_url(f"**/modules/{MODULE}")
    _pass_quiz(page, live_tool.app)
    assert services.outbox(live_tool.app).run_once() == 2  # launch progress and score; `passeport serve` runs it

    page.goto(live_tool.url + "/demo/gradebook")
    row = page.get_by_role("row", name="Alice Martin")
    assert row.get_by_role("cell").all_inner_texts() == ["100 / 100", "—"]
    assert axe_violations(page) == []
    screenshot("demo-gradebook-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("demo-gradebook-375")
