"""The learner's passport page over HTTP after a real LTI launch: the progress picture, the third pass as a
moment, 'Mon passeport' in every learner page's header, the prefilled consent form and its inline errors."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool import database, services
from lti_tool.models import Award
from tests.peers.lti_platform import landing


@pytest.fixture
def learner(tool, platform):
    browser = tool.browser()
    assert landing(platform.launch(browser)).startswith("/modules/")
    return browser


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _pass(tool, browser, module) -> str:
    """Answer a module's quiz right; the result page's HTML."""
    start = browser.get(f"{tool.url}/modules/{module.id}/quiz")  # the start page: pass mark, questions
    page = browser.post(f"{tool.url}/modules/{module.id}/quiz/new", data={"csrf_token": _csrf(start.text)})
    action = re.search(rf'action="(/modules/{module.id}/quiz/\d+)"', page.text).group(1)
    bank = services.catalogue(tool.app).quiz(module.folder, "fr")
    form = [("csrf_token", _csrf(page.text))]
    for qid in dict.fromkeys(re.findall(r'name="answer-(q\d+)"', page.text)):
        form += [(f"answer-{qid}", c["id"]) for c in bank[qid]["choices"] if c.get("correct")]
    result = browser.post(tool.url + action, data=form)
    assert result.status_code == 200, result.text[:300]
    return result.text


def _picture(html: str) -> str:
    return re.search(r'<svg[^>]*class="passport-picture".*?</svg>', html, re.S).group(0)


def test_progress_picture_and_the_third_pass_moment(tool, learner):
    modules = services.catalogue(tool.app).modules[:3]
    page = learner.get(tool.url + "/passport").text
    assert 'aria-label="Passeport : 0 module(s) validé(s) sur 3."' in _picture(page)

    first = _pass(tool, learner, modules[0])
    assert "Module validé" in first and "Vous avez obtenu le Passeport" not in first
    assert "Recommencer" not in first and 'href="/passport"' in first
    assert ">1/3<" in _picture(learner.get(tool.url + "/passport").text)
    second = _pass(tool, learner, modules[1])
    assert "Vous avez obtenu le Passeport" not in second
    assert ">2/3<" in _picture(learner.get(tool.url + "/passport").text)

    third = _pass(tool, learner, modules[2])
    moment = re.search(r'<div class="verdict passed moment".*?</div>', third, re.S).group(0)
    assert "Vous avez obtenu le Passeport pour l" in moment and "économie numérique !" in moment
    assert 'href="/passport"' in moment and "Recommencer" not in third

    page = learner.get(tool.url + "/passport").text
    picture = _picture(page)
    assert 'aria-label="Passeport obtenu : 3 modules validés."' in picture and ">✓<" in picture
    assert "Passeport obtenu" in page
    with database(tool.app).sessions() as db:
        uid = db.scalars(select(Award.uid).where(Award.kind == "passport")).one()
    assert f'href="/credentials/{uid}/certificate.pdf">Télécharger mon certificat (PDF)</a>' in page
    assert f'href="/credentials/{uid}.png">Image du badge</a>' in page
    linkedin = re.search(r'href="(https://www.linkedin.com/profile/add\?[^"]+)"[^>]*>Ajouter à LinkedIn', page)
    assert linkedin and f"verify%2F{uid}" in linkedin.group(1)
    for module in modules:  # each module badge shown with its own text alternative
        assert f'alt="Badge du module {module.order} du Passeport : {module.title["fr"]}"'.replace(
            "'", "&#39;") in page


def test_mon_passeport_in_every_learner_page_header(tool, learner):
    module = services.catalogue(tool.app).modules[0]
    for path in ("/modules/", f"/modules/{module.id}", f"/modules/{module.id}/quiz", "/passport"):
        html = learner.get(tool.url + path).text
        header = re.search(r'<header class="site">.*?</header>', html, re.S).group(0)
        assert '<a href="/passport">Mon passeport</a>' in header, path


def test_consent_form_is_prefilled_from_the_launch_and_keeps_a_siren_typo(tool, learner):
    for module in services.catalogue(tool.app).modules[:3]:
        _pass(tool, learner, module)
    page = learner.get(tool.url + "/passport").text
    assert re.search(r'id="holder_name" name="holder_name" type="text" value="Peer learner-1"', page)
    assert re.search(r'id="email" name="email" type="email" value="learner-1@lms.example.org"', page)

    typo = learner.post(tool.url + "/passport/publish", data={
        "csrf_token": _csrf(page), "show_name": "1", "holder_name": "Alice Martin", "email": "alice@example.org",
        "company_name": "Boulangerie Martin", "company_siren": "732 829 321"})
    assert typo.status_code == 400
    assert 'value="Alice Martin"' in typo.text and 'value="Boulangerie Martin"' in typo.text
    assert 'value="732 829 321"' in typo.text
    assert re.search(r'id="company_siren"[^>]*aria-invalid="true" aria-describedby="company_siren-error"', typo.text)
    error = re.search(r'<p class="field-error" id="company_siren-error">([^<]+)</p>', typo.text).group(1)
    assert "732829321" in error and "pas valide" in error
    with database(tool.app).sessions() as db:
        assert db.scalars(select(Award.published_at).where(Award.kind == "passport")).one() is None

    fixed = learner.post(tool.url + "/passport/publish", data={
        "csrf_token": _csrf(page), "show_name": "1", "holder_name": "Alice Martin",
        "company_name": "Boulangerie Martin", "company_siren": "732 829 320"})
    assert fixed.status_code == 200 and "est publié : votre passeport montre" in fixed.text
    with database(tool.app).sessions() as db:
        award = db.scalars(select(Award).where(Award.kind == "passport")).one()
    assert award.company_siren == "732829320" and award.holder_name == "Alice Martin"


def test_consent_form_refuses_names_longer_than_kept_and_publishes_nothing(tool, learner):
    for module in services.catalogue(tool.app).modules[:3]:
        _pass(tool, learner, module)
    page = learner.get(tool.url + "/passport").text
    too_long = learner.post(tool.url + "/passport/publish", data={
        "csrf_token": _csrf(page), "show_name": "1", "holder_name": "A" * 256, "company_name": "B" * 300})
    assert too_long.status_code == 400
    for field in ("holder_name", "company_name"):
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', too_long.text), field
        error = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', too_long.text).group(1)
        assert "255" in error
    with database(tool.app).sessions() as db:
        assert db.scalars(select(Award.published_at).where(Award.kind == "passport")).one() is None
