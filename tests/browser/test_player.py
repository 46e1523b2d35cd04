"""A learner goes through a module in a real browser: read, fail, retry, pass; axe on every page type."""
from __future__ import annotations

import pytest

from lti_tool import services
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
MODULE_FOLDER = "05-vendre-sur-internet"


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """The player's storage is covered on both databases by tests/player; one is enough here."""
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def _launch_as_alice(page, live_tool):
    page.goto(live_tool.url + "/demo/")
    module = page.locator("li", has=page.get_by_role("heading", name="Vendre sur Internet"))
    module.get_by_role("button", name="Lancer en tant qu'apprenante Alice").click()
    page.wait_for_url("**/modules/vendre-sur-internet")


def test_reloading_the_launched_page_shows_it_again_without_replaying_the_launch(live_tool, page):
    """The launch answers its POST with the module page, whose script puts the page's own address in history:
    a reload is a GET of that address, not the spent id_token posted again (which would be refused)."""
    _launch_as_alice(page, live_tool)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.reload()
    assert page.url == live_tool.url + "/modules/vendre-sur-internet"
    assert page.get_by_role("heading", level=1).inner_text() == "Vendre sur Internet"
    assert not [url for url in posts if url.endswith("/lti/launch")]


def _check(page, screenshot, name):
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    screenshot(name)


def _answer_by_keyboard(page, bank, right: bool):
    """Select each answer from the keyboard: focus the choice and press Space."""
    for fieldset in page.locator("fieldset.question").all():
        qid = fieldset.get_attribute("id")[2:]
        choices = [c for c in bank[qid]["choices"] if bool(c.get("correct")) == right]
        for choice in choices if right else choices[:1]:
            page.focus(f"#q-{qid}-{choice['id']}")
            page.keyboard.press("Space")
    page.get_by_role("button", name="Valider mes réponses").focus()
    page.keyboard.press("Enter")


def test_learner_reads_fails_retries_and_passes(live_tool, page, screenshot):
    catalogue = services.catalogue(live_tool.app)
    bank = catalogue.quiz(MODULE_FOLDER, "fr")
    module = catalogue.resolve(MODULE_FOLDER)
    _launch_as_alice(page, live_tool)
    assert page.get_by_role("heading", level=1).inner_text() == "Vendre sur Internet"
    _check(page, screenshot, "player-module")

    page.get_by_role("link", name="Commencer le module").click()
    first = catalogue.section(module, module.sections[0]["id"], "fr")
    assert page.get_by_role("heading", level=1).inner_text() == first.title
    _check(page, screenshot, "player-section")
    for _ in module.sections[1:]:
        page.get_by_role("button", name="Section suivante").click()
    page.get_by_role("button", name="Passer le quiz").click()
    page.wait_for_url("**/quiz")
    rules = page.locator(".quiz-rules").inner_text()  # the start page: the rules before any question
    assert "10 questions" in rules and "au moins 70 %" in rules and page.locator("fieldset.question").count() == 0
    _check(page, screenshot, "player-quiz-start")
    page.get_by_role("button", name="Commencer le quiz").click()
    page.wait_for_url("**/quiz")
    assert page.locator("fieldset.question").count() == 10
    _check(page, screenshot, "player-quiz")

    page.once("dialog", lambda dialog: dialog.dismiss())  # the script asks first; dismissing keeps the page
    page.get_by_role("button", name="Valider mes réponses").click()
    assert page.locator("fieldset.question").count() == 10 and page.locator("#unanswered").count() == 0
    page.evaluate("document.getElementById('quiz-form').removeAttribute('data-confirm-text')")  # no script
    page.get_by_role("button", name="Valider mes réponses").click()
    page.wait_for_selector("#unanswered")  # the server asks instead
    assert "question(s) 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 sans réponse" in page.locator("#unanswered").inner_text()
    _check(page, screenshot, "player-quiz-confirm")

    _answer_by_keyboard(page, bank, right=False)
    page.wait_for_url("**/result")
    assert "Module non validé" in page.locator(".verdict").inner_text()
    assert page.get_by_role("heading", name="Sections à relire").count() == 1
    assert "bonne réponse" not in page.locator("main").inner_text()
    _check(page, screenshot, "player-result-failed")

    page.get_by_role("button", name="Recommencer avec de nouvelles questions").click()
    page.wait_for_url("**/quiz")
    _answer_by_keyboard(page, bank, right=True)
    page.wait_for_url("**/result")
    assert "Module validé" in page.locator(".verdict").inner_text()
    _check(page, screenshot, "player-result-passed")

    page.goto(live_tool.url + "/modules/")
    item = page.locator("li", has=page.get_by_role("link", name="Vendre sur Internet"))
    assert "Validé" in item.inner_text()
    _check(page, screenshot, "player-catalogue")


def test_player_fits_a_phone(live_tool, chromium):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
    page = context.new_page()
    _launch_as_alice(page, live_tool)
    page.get_by_role("link", name="Commencer le module").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    artifacts = __import__("tests.browser.conftest", fromlist=["ARTIFACTS"]).ARTIFACTS
    page.screenshot(path=str(artifacts / "player-phone.png"))
    context.close()


def test_item_statistics_page_is_accessible(live_tool, page, screenshot):
    from tests.domain.test_item_stats import _cohort

    _, planted, _ = _cohort(live_tool.app)
    page.goto(live_tool.url + "/demo/")
    module = page.locator("li", has=page.get_by_role("heading", name="Vendre sur Internet"))
    module.get_by_role("button", name="Lancer en tant que formateur Bruno").click()
    page.wait_for_url("**/trainer/")
    page.goto(live_tool.url + "/trainer/item-stats")
    page.get_by_label("Module").select_option("vendre-sur-internet")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/trainer/item-stats?module=vendre-sur-internet")
    row = page.get_by_role("row", name=planted)
    assert "ne distingue pas" in row.inner_text()
    _check(page, screenshot, "item-stats")
