"""Issued credentials verify in an independent verifier and in ours; tampering and revocation show."""
from __future__ import annotations

import copy
import io
import json

import pytest
import requests
from openbadgeslib import baking
from openbadgeslib.ob3.status import check_credential_status
from openbadgeslib.ob3.verifier import OB3VerificationError
from openbadgeslib.ob3.credential import OpenBadgeCredential
from PIL import Image
from pypdf import PdfReader

from tests.badges.conftest import revoke
from tests.peers.js_verifier import contexts, node_available, verify_with_js


def _documents(live_tool) -> dict:
    did_document = requests.get(live_tool.url + "/.well-known/did.json").json()
    return contexts() | {did_document["id"]: did_document}


def _api(live_tool, **body):
    return requests.post(live_tool.url + "/api/verify", json=body)


def test_passport_verifies_in_digital_bazaar_and_in_passeport(live_tool, passport):
    if not node_available():
        pytest.skip("node/npm are not installed: the independent JavaScript verifier cannot run")
    _verify_url, credential_url, uid = passport
    credential = requests.get(credential_url).json()
    assert credential["issuer"]["id"].startswith("did:web:127.0.0.1%3A")
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert verify_with_js(credential, _documents(live_tool)) == {"verified": True, "errors": []}
    answer = _api(live_tool, credential=credential).json()
    assert answer["verdict"] == "valid" and answer["valid"] is True
    assert len(answer["summary"]["modules"]) == 3
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Passeport d'or"
    js = verify_with_js(tampered, _documents(live_tool))
    assert js["verified"] is False and js["errors"]
    assert _api(live_tool, credential=tampered).json()["verdict"] == "tampered"


def test_revocation_shows_everywhere_at_once(live_tool, passport):
    verify_url, credential_url, uid = passport
    credential = requests.get(credential_url).json()
    downloads = lambda url: requests.get(url).content  # noqa: E731
    check_credential_status(OpenBadgeCredential.from_vc_document(credential), download=downloads, verify_list=False)
    assert requests.get(f"{live_tool.url}/ob2/assertions/{uid}").status_code == 200
    assert "revoked" in revoke(live_tool.app, uid, "Fraude à l'examen")
    with pytest.raises(OB3VerificationError, match="'revocation' is set"):
        check_credential_status(OpenBadgeCredential.from_vc_document(credential), download=downloads,
                                verify_list=False)
    page = requests.get(verify_url)
    assert "Révoqué" in page.text and "Fraude à l&#39;examen" in page.text
    answer = _api(live_tool, url=verify_url).json()
    assert answer["verdict"] == "revoked" and answer["revocation"]["reason"] == "Fraude à l'examen"
    gone = requests.get(f"{live_tool.url}/ob2/assertions/{uid}")
    assert gone.status_code == 410 and gone.json()["revoked"] is True
    pdf = PdfReader(io.BytesIO(requests.get(f"{credential_url}/certificate.pdf").content))
    assert "RÉVOQUÉ" in pdf.pages[0].extract_text()


def test_jwt_and_baked_images_verify(live_tool, passport):
    _verify_url, credential_url, uid = passport
    token = requests.get(credential_url + ".jwt").text
    assert _api(live_tool, jwt=token).json()["verdict"] == "valid"
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert _api(live_tool, jwt=forged).json()["verdict"] == "tampered"
    for kind in ("png", "svg"):
        baked = requests.get(f"{credential_url}.{kind}")
        assert baked.status_code == 200
        page = requests.post(live_tool.url + "/verify", files={"file": (f"badge.{kind}", baked.content)})
        assert page.status_code == 200 and "Valide" in page.text, page.text[:500]
    png = requests.get(f"{credential_url}.png").content
    assert Image.open(io.BytesIO(png)).size == (400, 400)


def test_bad_input_gets_a_clear_4xx(live_tool, passport):
    plain = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(plain, format="PNG")
    cases = [
        requests.post(live_tool.url + "/verify", files={"file": ("photo.png", plain.getvalue())}),
        requests.post(live_tool.url + "/verify", data={"reference": "{not json"}),
        requests.post(live_tool.url + "/verify", data={}),
        requests.post(live_tool.url + "/api/verify", data="{oops", headers={"Content-Type": "application/json"}),
        _api(live_tool, jwt="not-a-jwt"),
    ]
    for response in cases:
        assert response.status_code == 400, response.text[:300]
        assert "Traceback" not in response.text
    huge = requests.post(live_tool.url + "/verify", files={"file": ("big.json", b" " * (5 * 1024 * 1024))})
    assert huge.status_code == 413
    assert _api(live_tool, id="00000000-0000-4000-8000-000000000000").status_code == 404
    assert _api(live_tool, url=passport[0], offer="no-such-offer").status_code == 404


def test_a_credential_from_another_issuer_is_not_ours(live_tool, passport):
    credential = requests.get(passport[1]).json()
    foreign = dict(credential, issuer={**credential["issuer"], "id": "did:web:elsewhere.example"})
    answer = _api(live_tool, credential=foreign).json()
    assert answer["verdict"] == "foreign" and answer["valid"] is False


def test_partner_checks_an_offer(live_tool, passport):
    loan = _api(live_tool, url=passport[0], offer="pret-sans-caution-jeune-entreprise").json()
    assert loan["valid"] is True and loan["offer"]["eligible"] is False
    assert set(loan["offer"]["unmet"]) >= {"siren_required"}
    laptops = _api(live_tool, url=passport[0], offer="ordinateurs-reconditionnes").json()
    assert laptops["offer"]["eligible"] is True


def test_public_documents(live_tool, passport):
    _verify_url, credential_url, uid = passport
    did = requests.get(live_tool.url + "/.well-known/did.json").json()
    assert did["assertionMethod"] and did["verificationMethod"][0]["type"] == "Multikey"
    assert requests.get(live_tool.url + "/badges/achievements/passport").json()["type"] == ["Achievement"]
    assert requests.get(live_tool.url + "/badges/images/vendre-sur-internet.svg").status_code == 200
    assert requests.get(live_tool.url + "/badges/achievements/nope").status_code == 404
    issuer = requests.get(live_tool.url + "/ob2/issuer").json()
    assert issuer["type"] == "Issuer"
    assertion = requests.get(f"{live_tool.url}/ob2/assertions/{uid}").json()
    assert requests.get(assertion["badge"]).json()["issuer"] == issuer["id"]
    pdf = requests.get(f"{credential_url}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assertion_url = f"{live_tool.url}/ob2/assertions/{uid}"
    assert baking.extract_png(requests.get(f"{credential_url}/ob2.png").content) == assertion_url
    assert baking.extract_svg(requests.get(f"{credential_url}/ob2.svg").content) == assertion_url
    assert requests.get(live_tool.url + "/api/openapi.yaml").text.startswith("openapi: 3.1.0")
    assert json.loads(requests.get(credential_url).text)["id"] == credential_url


def test_ob2_assertion_validates_in_the_1edtech_validator_until_revoked(live_tool, passport):
    from tests.peers.ob2_validator import validate_ob2

    uid = passport[2]
    url = f"{live_tool.url}/ob2/assertions/{uid}"
    report = validate_ob2(url)
    assert report["valid"] is True, report["errors"]
    assert report["warnings"] == [], report["warnings"]
    revoke(live_tool.app, uid, "Erreur de saisie")
    assert requests.get(url).status_code == 410
    assert validate_ob2(url)["valid"] is False
