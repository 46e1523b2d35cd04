"""/verify in a real browser, as an employer uses it: paste, upload, link; axe-clean; screenshots of the
valid, tampered and revoked verdicts in test-artifacts/."""
from __future__ import annotations

import copy
import json

import pytest
import requests

from tests.badges.conftest import revoke, seed_passport
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """Verification is covered on both databases by tests/badges; one is enough here."""
    return f"sqlite:///{tmp_path / 'passeport.db'}"


def _clean(page) -> None:
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def _headline(page) -> str:
    return page.locator(".verdict .score").inner_text()


def test_employer_pastes_uploads_and_follows_a_link(live_tool, page, screenshot, tmp_path):
    _verify_url, credential_url, uid = seed_passport(live_tool)
    credential = requests.get(credential_url).json()

    page.goto(live_tool.url + "/verify")
    _clean(page)
    screenshot("verify-form")

    # paste: the genuine credential, then a tampered copy naming the same id
    page.get_by_label("Collez le JSON, le JWT ou le lien du badge", exact=False).fill(json.dumps(credential))
    page.get_by_role("button", name="Vérifier ce badge").click()
    page.wait_for_load_state()
    assert _headline(page).startswith("Valide")
    _clean(page)
    screenshot("verify-result-valid")

    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Passeport d'or"
    page.goto(live_tool.url + "/verify")
    page.get_by_label("Collez le JSON, le JWT ou le lien du badge", exact=False).fill(json.dumps(tampered))
    page.get_by_role("button", name="Vérifier ce badge").click()
    page.wait_for_load_state()
    assert _headline(page).startswith("Falsifié")
    _clean(page)
    screenshot("verify-result-tampered")

    # upload: the Open Badges 2.0 baked PNG
    badge = tmp_path / "passeport-ob2.png"
    badge.write_bytes(requests.get(credential_url + "/ob2.png").content)
    page.goto(live_tool.url + "/verify")
    page.get_by_label("Image du badge (PNG, SVG — Open Badges 3.0 ou 2.0)", exact=False).set_input_files(str(badge))
    page.get_by_role("button", name="Vérifier ce badge").click()
    page.wait_for_load_state()
    assert _headline(page).startswith("Valide")

    # link: the labelled lookup by number
    page.goto(live_tool.url + "/verify")
    page.get_by_label("Numéro du passeport ou lien de vérification", exact=False).fill(uid)
    page.get_by_role("button", name="Vérifier le passeport n°").click()
    page.wait_for_url(f"**/verify/{uid}")
    assert f"Vérification du passeport n° {uid}" in page.locator("h1").inner_text()

    # a bad input: a verdict page with a way back
    page.goto(live_tool.url + "/verify")
    page.get_by_label("Collez le JSON, le JWT ou le lien du badge", exact=False).fill("pas un badge")
    page.get_by_role("button", name="Vérifier ce badge").click()
    page.wait_for_load_state()
    assert "Vérification impossible" in _headline(page)
    _clean(page)
    page.get_by_role("link", name="Revenir à la vérification").click()
    page.wait_for_url("**/verify")

    revoke(live_tool.app, uid, "fraud", "note privée de test")
    page.goto(f"{live_tool.url}/verify/{uid}")
    assert _headline(page).startswith("Révoqué le") and "Fraude constatée" in _headline(page)
    assert "note privée de test" not in page.content()
    _clean(page)
    screenshot("verify-result-revoked")
