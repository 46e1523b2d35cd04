"""Passeport signs without openbadgeslib's self-check of the JSON form: every shape it issues must still
pass openbadgeslib's full verifier (context validation included), and JSON that differs from what was
issued still goes through that full check."""
from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from openbadgeslib.ob3.ldp import OB3LdpVerifier

from lti_tool import database, services
from lti_tool.badges import integrity
from lti_tool.badges.credentials import AwardView, EarnedModule

UID = "3f2a9c1e-0000-4000-8000-000000000001"


def _views(catalogue):
    modules = catalogue.modules
    passed = tuple(EarnedModule(m, 0.8 + i / 20, date(2026, 11, 2 + i), None) for i, m in enumerate(modules[:4]))
    base = dict(uid=UID, awarded_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC), status_index=7,
                lti_user="https://lms.example.org|42")
    return {
        "module badge": AwardView(kind="module", module=modules[0], **base),
        "anonymous passport": AwardView(kind="passport", module=None, passed=passed[:3], **base),
        "published passport": AwardView(
            kind="passport", module=None, passed=passed, holder_name="Zoé\x07 L'Hôte-Ñúñez", email_hash="sha256$ab",
            email_salt="cd", company_name="Fromagerie « Perrot » & fils", company_siren="732829320", **base),
    }


@pytest.mark.parametrize("shape", ["module badge", "anonymous passport", "published passport"])
def test_every_issued_shape_passes_the_full_verifier(app, shape):
    badges = services.badges(app)
    with database(app).begin() as connection:
        document, _token = badges.factory.sign(connection, badges.factory.build(_views(services.catalogue(app))[shape]))
        method, _ = badges.keys.active(connection)
        public = badges.keys.public_pem(connection, method)
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    OB3LdpVerifier(pubkey_pem=public).verify(copy.deepcopy(document))  # context validation included
    assert integrity.proof_problem(document, public, issued=document) is None
    assert integrity.proof_problem(document, public, issued=None) is None


def test_json_that_is_not_what_was_issued_gets_the_full_check(app):
    badges = services.badges(app)
    with database(app).begin() as connection:
        document, _ = badges.factory.sign(connection, badges.factory.build(
            _views(services.catalogue(app))["anonymous passport"]))
        public = badges.keys.public_pem(connection, badges.keys.active(connection)[0])
    # a member no context defines: the RDF (hence the proof) is unchanged, the JSON is not what was signed
    padded = copy.deepcopy(document)
    padded["credentialSubject"]["achievement"]["grade"] = "Mention très bien"
    assert integrity.proof_problem(padded, public, issued=document)
    renamed = copy.deepcopy(document)
    renamed["credentialSubject"]["achievement"]["name"] = "Passeport d'or"
    assert integrity.proof_problem(renamed, public, issued=document)
    assert integrity.proof_problem(renamed, public, issued=renamed)  # the fast path still checks the proof
