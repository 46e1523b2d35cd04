"""Issued credentials verify in an independent verifier and in ours; tampering and revocation show.

The tool answers in-process; the 1EdTech OB 2.0 validator fetches over a real socket (``live_tool``)."""
from __future__ import annotations

import copy
import io
import json

import pytest
import requests
from openbadgeslib import baking
from openbadgeslib.ob3.credential import OpenBadgeCredential
from openbadgeslib.ob3.status import check_credential_status
from openbadgeslib.ob3.verifier import OB3VerificationError
from PIL import Image
from pypdf import PdfReader

from tests.badges.conftest import reinstate, revoke
from tests.peers.js_verifier import contexts, node_available, verify_with_js


def _documents(tool) -> dict:
    get = getattr(tool, "get", requests.get)  # in-process tool, or a live server
    did_document = get(tool.url + "/.well-known/did.json").json()
    return contexts() | {did_document["id"]: did_document}


def _api(tool, **body):
    return tool.post(tool.url + "/api/verify", json=body)


@pytest.mark.peer
def test_passport_verifies_in_digital_bazaar_and_in_passeport(tool, passport):
    if not node_available():
        pytest.skip("node/npm are not installed: the independent JavaScript verifier cannot run")
    _verify_url, credential_url, uid = passport
    credential = tool.get(credential_url).json()
    assert credential["issuer"]["id"].startswith("did:web:127.0.0.1%3A")
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert verify_with_js(credential, _documents(tool)) == {"verified": True, "errors": []}
    answer = _api(tool, credential=credential).json()
    assert answer["verdict"] == "valid" and answer["valid"] is True
    assert len(answer["summary"]["modules"]) == 3
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Passeport d'or"
    js = verify_with_js(tampered, _documents(tool))
    assert js["verified"] is False and js["errors"]
    assert _api(tool, credential=tampered).json()["verdict"] == "tampered"


@pytest.mark.peer
def test_digital_bazaar_checks_status_through_revocation_and_reinstatement(live_tool, live_passport):
    """The issued passport verifies in Digital Bazaar's verifier WITH status checking (the status list is
    fetched from the live server); revoked, it fails as revoked; reinstated, it verifies again."""
    if not node_available():
        pytest.skip("node/npm are not installed: the independent JavaScript verifier cannot run")
    _verify_url, credential_url, uid = live_passport
    credential = requests.get(credential_url).json()
    documents = _documents(live_tool)
    listed = verify_with_js(credential, documents, status_from=live_tool.url)
    assert listed == {"verified": True, "errors": [], "status": {"checked": True, "revoked": False}}
    revoke(live_tool.app, uid, "fraud")
    revoked = verify_with_js(credential, documents, status_from=live_tool.url)
    assert revoked["verified"] is False and revoked["status"]["revoked"] is True, revoked
    assert any("revoked" in e for e in revoked["errors"])
    reinstate(live_tool.app, uid, "Erreur de saisie corrigée")
    again = verify_with_js(credential, documents, status_from=live_tool.url)
    assert again == {"verified": True, "errors": [], "status": {"checked": True, "revoked": False}}


def test_revocation_shows_everywhere_at_once(tool, passport):
    verify_url, credential_url, uid = passport
    credential = tool.get(credential_url).json()
    downloads = lambda url: tool.get(url).content  # noqa: E731
    check_credential_status(OpenBadgeCredential.from_vc_document(credential), download=downloads, verify_list=False)
    assert tool.get(f"{tool.url}/ob2/assertions/{uid}").status_code == 200
    assert "revoked" in revoke(tool.app, uid, "fraud", "Copie du voisin, note privée")
    with pytest.raises(OB3VerificationError, match="'revocation' is set"):
        check_credential_status(OpenBadgeCredential.from_vc_document(credential), download=downloads,
                                verify_list=False)
    page = tool.get(verify_url)
    assert "Révoqué le" in page.text and "Fraude constatée" in page.text
    assert "Copie du voisin" not in page.text  # the private note is never public
    answer = _api(tool, url=verify_url).json()
    assert answer["verdict"] == "revoked" and answer["revocation"]["reason"] == "fraud"
    assert "Copie du voisin" not in json.dumps(answer)
    gone = tool.get(f"{tool.url}/ob2/assertions/{uid}")
    assert gone.status_code == 410 and gone.json()["revoked"] is True
    pdf = PdfReader(io.BytesIO(tool.get(f"{credential_url}/certificate.pdf").content))
    assert "RÉVOQUÉ" in pdf.pages[0].extract_text()


def test_jwt_and_baked_images_verify(tool, passport):
    _verify_url, credential_url, uid = passport
    token = tool.get(credential_url + ".jwt").text
    assert _api(tool, jwt=token).json()["verdict"] == "valid"
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert _api(tool, jwt=forged).json()["verdict"] == "tampered"
    for kind in ("png", "svg"):
        baked = tool.get(f"{credential_url}.{kind}")
        assert baked.status_code == 200
        page = tool.post(tool.url + "/verify", files={"file": (f"badge.{kind}", baked.content)})
        assert page.status_code == 200 and "Valide" in page.text, page.text[:500]
    png = tool.get(f"{credential_url}.png").content
    assert Image.open(io.BytesIO(png)).size == (400, 400)


def test_bad_input_gets_a_clear_4xx(tool, passport):
    plain = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(plain, format="PNG")
    cases = [
        tool.post(tool.url + "/verify", files={"file": ("photo.png", plain.getvalue())}),
        tool.post(tool.url + "/verify", data={"reference": "{not json"}),
        tool.post(tool.url + "/verify", data={}),
        tool.post(tool.url + "/api/verify", data="{oops", headers={"Content-Type": "application/json"}),
        _api(tool, jwt="not-a-jwt"),
    ]
    for response in cases[:3]:  # a verdict page with a way back, never a bare 400
        assert response.status_code == 400, response.text[:300]
        assert "Vérification impossible" in response.text and 'href="/verify"' in response.text
    for response in cases[3:]:  # problem details (RFC 9457), never HTML
        assert response.status_code in (400, 422), response.text[:300]
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code and response.json()["detail"]
    huge = tool.post(tool.url + "/verify", files={"file": ("big.json", b" " * (5 * 1024 * 1024))})
    assert huge.status_code == 413 and "2 Mo" in huge.text
    unknown = _api(tool, id="00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and unknown.json()["verdict"] == "unknown"
    no_offer = _api(tool, url=passport[0], offer="no-such-offer")
    assert no_offer.status_code == 404 and no_offer.headers["Content-Type"] == "application/problem+json"


def test_a_credential_from_another_issuer_is_not_ours(tool, passport):
    credential = tool.get(passport[1]).json()
    foreign = dict(credential, issuer={**credential["issuer"], "id": "did:web:elsewhere.example"})
    answer = _api(tool, credential=foreign).json()
    assert answer["verdict"] == "unknown" and answer["valid"] is False


def test_partner_checks_an_offer(tool, passport):
    loan = _api(tool, url=passport[0], offer="pret-sans-caution-jeune-entreprise").json()
    assert loan["valid"] is True and loan["offer"]["eligible"] is False
    assert set(loan["offer"]["unmet"]) >= {"siren_required"}
    laptops = _api(tool, url=passport[0], offer="ordinateurs-reconditionnes").json()
    assert laptops["offer"]["eligible"] is True


def test_public_documents(tool, passport):
    _verify_url, credential_url, uid = passport
    did = tool.get(tool.url + "/.well-known/did.json").json()
    assert did["assertionMethod"] and did["verificationMethod"][0]["type"] == "Multikey"
    assert tool.get(tool.url + "/badges/achievements/passport").json()["type"] == ["Achievement"]
    assert tool.get(tool.url + "/badges/images/vendre-sur-internet.svg").status_code == 200
    assert tool.get(tool.url + "/badges/achievements/nope").status_code == 404
    issuer = tool.get(tool.url + "/ob2/issuer").json()
    assert issuer["type"] == "Issuer"
    assertion = tool.get(f"{tool.url}/ob2/assertions/{uid}").json()
    assert tool.get(assertion["badge"]).json()["issuer"] == issuer["id"]
    pdf = tool.get(f"{credential_url}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assertion_url = f"{tool.url}/ob2/assertions/{uid}"
    assert baking.extract_png(tool.get(f"{credential_url}/ob2.png").content) == assertion_url
    assert baking.extract_svg(tool.get(f"{credential_url}/ob2.svg").content) == assertion_url
    assert tool.get(tool.url + "/api/openapi.yaml").text.startswith("openapi: 3.1.0")
    assert json.loads(tool.get(credential_url).text)["id"] == credential_url


def test_ob2_assertion_validates_in_the_1edtech_validator_until_revoked(live_tool, live_passport):
    from tests.peers.ob2_validator import validate_ob2

    uid = live_passport[2]
    url = f"{live_tool.url}/ob2/assertions/{uid}"
    report = validate_ob2(url)
    assert report["valid"] is True, report["errors"]
    assert report["warnings"] == [], report["warnings"]
    revoke(live_tool.app, uid, "issued-in-error")
    assert requests.get(url).status_code == 410
    assert validate_ob2(url)["valid"] is False
