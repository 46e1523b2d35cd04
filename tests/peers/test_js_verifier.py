"""The independent JS verifier (Digital Bazaar's @digitalbazaar/vc) accepts
openbadgeslib-signed eddsa-rdfc-2022 credentials from a did:web issuer and
rejects tampered or wrongly signed ones, fully offline."""
from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openbadgeslib.keys import public_jwk_from_pem
from openbadgeslib.ob3.credential import Achievement, Issuer, OpenBadgeCredential
from openbadgeslib.ob3.did import build_did_document, did_web_from_url, multikey_from_pem
from openbadgeslib.ob3.ldp import OB3LdpSigner

from tests.peers.js_verifier import contexts, node_available, verify_with_js

pytestmark = pytest.mark.peer

if not node_available():
    pytest.skip("Node.js and npm are needed for the JS verifier "
                "(tests/peers/js_verifier)", allow_module_level=True)

ISSUER_URL = "https://passeport.example.org"
DID = did_web_from_url(ISSUER_URL)
VM = f"{DID}#key-1"

VC2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"


def _keypair() -> tuple[bytes, bytes]:
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private_pem, public_pem


def _multikey_did_document(public_pem: bytes) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/did/v1",
                     "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [{
            "id": VM,
            "type": "Multikey",
            "controller": DID,
            "publicKeyMultibase": multikey_from_pem(public_pem),
        }],
        "assertionMethod": [VM],
    }


def _credential(issuer_id: str = DID, **extra) -> OpenBadgeCredential:
    return OpenBadgeCredential(
        issuer=Issuer(id=issuer_id, name="Passeport", url=ISSUER_URL),
        recipient_id="mailto:learner@example.org",
        achievement=Achievement(
            id=f"{ISSUER_URL}/achievements/python-101",
            name="Python 101",
            description="Completed the Python 101 activity.",
            criteria_narrative="Score at least 80% on the final quiz.",
        ),
        **extra,
    )


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, bytes]:
    return _keypair()


@pytest.fixture(scope="module")
def did_document(keys) -> dict:
    return _multikey_did_document(keys[1])


@pytest.fixture(scope="module")
def documents(did_document) -> dict:
    return contexts() | {DID: did_document}


@pytest.fixture(scope="module")
def signed(keys) -> dict:
    return OB3LdpSigner(keys[0], verification_method=VM).sign(_credential())


def test_contexts_are_openbadgeslibs_allowlist():
    docs = contexts()
    for url in (VC2, OB303, OB_EXT, "https://w3id.org/security/data-integrity/v2",
                "https://w3id.org/security/multikey/v1"):
        assert isinstance(docs[url].get("@context"), dict), url


def test_openbadgeslib_credential_verifies(signed, documents):
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["verificationMethod"] == VM
    assert verify_with_js(signed, documents) == {"verified": True, "errors": []}


def test_minimal_document_set(signed, did_document):
    """Exactly what a did:web credential needs: the three contexts it names and
    the DID document under the bare DID (no data-integrity, multikey or DID
    context: the VC 2.0 context defines DataIntegrityProof, and a DID document
    whose first @context is did/v1 is used without framing)."""
    all_contexts = contexts()
    minimal = {url: all_contexts[url] for url in (VC2, OB303, OB_EXT)}
    minimal[DID] = did_document
    assert verify_with_js(signed, minimal)["verified"] is True


def test_jwk_did_document_from_openbadgeslib_verifies(keys, signed):
    """openbadgeslib's build_did_document publishes JsonWebKey2020 keys;
    ed25519-multikey imports those from publicKeyJwk."""
    did_document = build_did_document(DID, [("key-1", public_jwk_from_pem(keys[1]))])
    result = verify_with_js(signed, contexts() | {DID: did_document})
    assert result == {"verified": True, "errors": []}


@pytest.mark.parametrize("path, value", [
    (("credentialSubject", "achievement", "name"), "Python 102"),
    (("credentialSubject", "id"), "mailto:someone-else@example.org"),
    (("issuer", "name"), "Not Passeport"),
    (("validFrom",), "2020-01-01T00:00:00Z"),
])
def test_tampered_credential_fails(signed, documents, path, value):
    tampered = copy.deepcopy(signed)
    node = tampered
    for key in path[:-1]:
        node = node[key]
    assert node[path[-1]] != value
    node[path[-1]] = value
    result = verify_with_js(tampered, documents)
    assert result["verified"] is False
    assert result["errors"], result


def test_other_key_same_verification_method_fails(documents):
    other_private, _ = _keypair()
    forged = OB3LdpSigner(other_private, verification_method=VM).sign(_credential())
    result = verify_with_js(forged, documents)
    assert result["verified"] is False
    assert any("signature" in e.lower() for e in result["errors"]), result


def test_unknown_context_is_named(signed, documents):
    unknown = "https://contexts.example.org/not-served/v1.json"
    credential = copy.deepcopy(signed)
    credential["@context"] = [*credential["@context"], unknown]
    result = verify_with_js(credential, documents)
    assert result["verified"] is False
    assert any(unknown in e for e in result["errors"]), result


def test_missing_did_document_is_named(signed):
    result = verify_with_js(signed, contexts())
    assert result["verified"] is False
    assert any(VM in e for e in result["errors"]), result


def test_issuer_must_be_the_key_controller(keys, documents):
    """Digital Bazaar's CredentialIssuancePurpose: the issuer id must be the
    verification method's controller (here: an https issuer id, did:web key)."""
    signed = OB3LdpSigner(keys[0], verification_method=VM).sign(
        _credential(issuer_id=ISSUER_URL))
    result = verify_with_js(signed, documents)
    assert result["verified"] is False
    assert any("must match the verification method controller" in e
               for e in result["errors"]), result


def test_key_not_listed_for_assertion_fails(keys, signed, did_document):
    did_document = copy.deepcopy(did_document)
    did_document["assertionMethod"] = []
    result = verify_with_js(signed, contexts() | {DID: did_document})
    assert result["verified"] is False
    assert any("not authorized" in e for e in result["errors"]), result


def test_credential_status_is_left_to_python(keys, documents):
    status = {
        "id": f"{ISSUER_URL}/status/1#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": f"{ISSUER_URL}/status/1",
    }
    signed = OB3LdpSigner(keys[0], verification_method=VM).sign(
        _credential(credential_status=[status]))
    assert signed["credentialStatus"] == status
    # the status list is not among the documents: it is never fetched
    assert verify_with_js(signed, documents) == {"verified": True, "errors": []}


def test_validity_window_uses_now(keys, documents):
    now = datetime.now(UTC).replace(microsecond=0)
    signed = OB3LdpSigner(keys[0], verification_method=VM).sign(
        _credential(issuance_date=now, expiration_date=now + timedelta(days=1)))
    assert verify_with_js(signed, documents)["verified"] is True
    later = (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = verify_with_js(signed, documents, now=later)
    assert result["verified"] is False
    assert any("validUntil" in e for e in result["errors"]), result
