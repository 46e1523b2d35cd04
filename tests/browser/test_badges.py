"""The passport in a real browser: the holder publishes it, an employer verifies an uploaded badge,
a trainer revokes."""
from __future__ import annotations

import pytest
import requests

from lti_tool.demo.seed import demo_cli
from tests.badges.conftest import run
from tests.browser.conftest import ARTIFACTS, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """Credentials are covered on both databases by tests/badges; one is enough here."""
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def _check(page, screenshot, name):
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    screenshot(name)


def _launch(page, live_tool, who: str):
    page.goto(live_tool.url + "/demo/")
    item = page.locator("li", has=page.get_by_role("heading", name="Vendre sur Internet"))
    item.get_by_role("button", name=who).click()
    page.wait_for_load_state()


def test_holder_publishes_and_employer_verifies_an_upload(live_tool, page, screenshot, tmp_path):
    run(live_tool.app, demo_cli, "seed")
    _launch(page, live_tool, "Lancer en tant qu'apprenante Alice")
    page.goto(live_tool.url + "/passport")
    assert "Passeport obtenu" in page.locator(".verdict").inner_text()
    _check(page, screenshot, "passport-page")

    page.get_by_label("Afficher mon nom").check()
    page.get_by_label("Nom affiché").fill("Alice Martin")
    page.get_by_label("Nom de l'entreprise").fill("Boulangerie Martin")
    page.get_by_label("SIREN (9 chiffres)").fill("732 829 320")
    page.get_by_role("button", name="Publier mon passeport").click()
    page.wait_for_url("**/passport")
    verify_link = page.get_by_role("link", name="Page de vérification").last
    verify_url = live_tool.url + verify_link.get_attribute("href")
    png_href = page.locator("ul.awards li").last.get_by_role("link", name="PNG", exact=True).get_attribute("href")

    page.goto(verify_url)
    assert "Valide" in page.locator(".verdict").inner_text()
    assert "Alice Martin" in page.content() and "732829320" in page.content()
    _check(page, screenshot, "verify-result-valid")

    badge = tmp_path / "passeport.png"
    badge.write_bytes(requests.get(live_tool.url + png_href).content)
    page.goto(live_tool.url + "/verify")
    _check(page, screenshot, "verify-form")
    page.get_by_label("Image du badge (PNG, SVG) ou fichier JSON, 2 Mo au plus").set_input_files(str(badge))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_load_state()
    assert "Valide" in page.locator(".verdict").inner_text()


def test_trainer_revokes_and_the_verification_page_says_so(live_tool, page, screenshot, chromium):
    run(live_tool.app, demo_cli, "seed")
    _launch(page, live_tool, "Lancer en tant que formateur Bruno")
    page.wait_for_url("**/trainer/")
    page.get_by_role("link", name="Alice Martin").click()  # revocation sits on the learner's detail
    page.wait_for_url("**/trainer/learners/*")
    _check(page, screenshot, "trainer-home-with-badges")
    first = page.locator("form.revoke").first
    first.get_by_label("Motif de révocation").fill("Tentative frauduleuse")
    first.get_by_role("button", name="Révoquer").click()
    page.wait_for_url("**/trainer/")
    page.get_by_role("link", name="Alice Martin").click()
    page.wait_for_url("**/trainer/learners/*")
    assert "Révoqué" in page.content()
    with live_tool.app.app_context():
        from sqlalchemy import select

        from lti_tool import database
        from lti_tool.models import Award

        with database(live_tool.app).sessions() as db:
            revoked = db.scalars(select(Award).where(Award.revoked_at.is_not(None))).one()
    visitor = chromium.new_page()
    visitor.goto(f"{live_tool.url}/verify/{revoked.uid}")
    assert "Révoqué" in visitor.locator(".verdict").inner_text()
    assert "Tentative frauduleuse" in visitor.content()
    visitor.screenshot(path=str(ARTIFACTS / "verify-result-revoked.png"), full_page=True)
    visitor.close()
