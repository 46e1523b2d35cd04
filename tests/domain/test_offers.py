"""Partner offers: the real file loads, each condition is evaluated with its code and reasons, bad files fail loudly."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from lti_tool.domain.catalogue import Catalogue
from lti_tool.domain.offers import Holder, OfferCatalogue, siren_is_valid

TODAY = date(2026, 11, 26)
VALID_SIREN = "732829320"
TEXTS = {key: {"fr": f"{key} fr", "en": f"{key} en"}
         for key in ("title", "summary", "benefit", "how_to_claim")}
MODULES = {"cybersecurite-essentielle", "facturation-electronique", "vendre-sur-internet"}


def offer(offer_id: str = "o", conditions: list | None = None, **overrides) -> dict:
    return {"id": offer_id, "kind": "software", "partner": "Éditeur Exemple", "example": True,
            **TEXTS, "conditions": conditions or [], **overrides}


def write(tmp_path: Path, *offers: dict, notice: dict | None = None) -> Path:
    path = tmp_path / "offers.yaml"
    path.write_text(yaml.safe_dump({"notice": notice or {"fr": "Exemples", "en": "Examples"},
                                    "offers": list(offers)}, allow_unicode=True), encoding="utf-8")
    return path


def one(tmp_path: Path, *conditions: dict) -> OfferCatalogue:
    return OfferCatalogue(write(tmp_path, offer("o", list(conditions))), MODULES)


def holder(passport: bool = True, modules: tuple[str, ...] = (), siren: str | None = VALID_SIREN,
           created: date | None = date(2026, 1, 1)) -> Holder:
    return Holder(passport, frozenset(modules), siren, created)


# --- the real file -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> OfferCatalogue:
    catalogue = Catalogue()
    return OfferCatalogue(catalogue.root / "offers.yaml", {m.id for m in catalogue.modules},
                          {m.id: m.title for m in catalogue.modules})


def test_real_offers_load_and_are_marked_as_examples(real):
    assert 8 <= len(real.offers) <= 10
    assert {"fictifs", "fictitious"} <= set(real.notice["fr"].split() + real.notice["en"].split())
    assert all(o["example"] is True for o in real.offers)
    assert {o["kind"] for o in real.offers} == {"financing", "equipment", "connectivity", "software", "training"}


def test_real_no_guarantee_loan_needs_passport_young_company_and_siren(real):
    young = holder(modules=("vendre-sur-internet",), created=date(2025, 6, 1))
    assert real.eligibility("pret-sans-caution-jeune-entreprise", young, TODAY).eligible
    result = real.eligibility("pret-sans-caution-jeune-entreprise",
                              holder(passport=False, siren=None, created=date(2020, 1, 1)), TODAY)
    assert result.unmet == ("passport", "company_max_age_years", "siren_required")


def test_real_cybersecurity_pack_needs_the_module_and_names_it_by_title(real):
    result = real.eligibility("pack-cybersecurite", holder(), TODAY)
    assert result.unmet == ("modules_passed:cybersecurite-essentielle",)
    assert "Cybersécurité" in result.reasons["fr"][0]
    assert real.eligibility("pack-cybersecurite", holder(modules=("cybersecurite-essentielle",)), TODAY).eligible


def test_eligible_offers_keeps_file_order_and_only_eligible_ones(real):
    ids = [e.offer_id for e in real.eligible_offers(holder(passport=False, siren=None, created=None), TODAY)]
    assert ids == []
    ids = [e.offer_id for e in real.eligible_offers(holder(modules=("cybersecurite-essentielle",)), TODAY)]
    assert ids == ["pret-sans-caution-jeune-entreprise", "ordinateurs-reconditionnes", "pack-cybersecurite"]
    assert real.get("pack-cybersecurite")["partner"] and real.get("nope") is None


# --- each condition, met and unmet ---------------------------------------------------------------

@pytest.mark.parametrize("condition, met, unmet, code, fr, en", [
    ({"passport": True}, holder(), holder(passport=False), "passport", "Passeport", "Passport"),
    ({"min_modules_passed": 2}, holder(modules=("a", "b")), holder(modules=("a",)), "min_modules_passed",
     "au moins 2 modules (vous en avez réussi 1)", "at least 2 modules (you have passed 1)"),
    ({"siren_required": True}, holder(), holder(siren=None), "siren_required", "SIREN", "SIREN"),
    ({"company_max_age_years": 2}, holder(), holder(created=date(2023, 1, 1)), "company_max_age_years",
     "moins de 2 ans", "less than 2 years"),
    ({"company_max_age_years": 1}, holder(), holder(created=None), "company_created_on_unknown",
     "date de création", "creation date"),
])
def test_condition_met_and_unmet(tmp_path, condition, met, unmet, code, fr, en):
    catalogue = one(tmp_path, condition)
    ok = catalogue.eligibility("o", met, TODAY)
    assert ok.eligible and ok.unmet == () and ok.reasons == {"fr": [], "en": []}
    ko = catalogue.eligibility("o", unmet, TODAY)
    assert not ko.eligible and ko.unmet == (code,)
    assert fr in ko.reasons["fr"][0] and en in ko.reasons["en"][0]


def test_modules_passed_reports_each_missing_module(tmp_path):
    catalogue = one(tmp_path, {"modules_passed": ["cybersecurite-essentielle", "facturation-electronique"]})
    result = catalogue.eligibility("o", holder(modules=("facturation-electronique",)), TODAY)
    assert result.unmet == ("modules_passed:cybersecurite-essentielle",)
    assert result.reasons == {"fr": ["Réussir le module « cybersecurite-essentielle »."],
                              "en": ["Pass the module “cybersecurite-essentielle”."]}
    both = holder(modules=("cybersecurite-essentielle", "facturation-electronique"))
    assert catalogue.eligibility("o", both, TODAY).eligible


def test_offer_is_valid_through_its_last_day_then_expired(tmp_path):
    catalogue = one(tmp_path, {"valid_until": "2026-11-26"})  # a quoted date is accepted too
    assert catalogue.eligibility("o", holder(), date(2026, 11, 26)).eligible
    result = catalogue.eligibility("o", holder(), date(2026, 11, 27))
    assert result.unmet == ("expired",)
    assert result.reasons == {"fr": ["Cette offre a pris fin le 26/11/2026."],
                              "en": ["This offer ended on 2026-11-26."]}
    assert catalogue.eligible_offers(holder(), date(2026, 11, 27)) == []


@pytest.mark.parametrize("created, eligible", [
    (date(2024, 11, 27), True),    # one day short of 2 years
    (date(2024, 11, 26), False),   # exactly 2 years old: not "under 2 years"
    (date(2024, 11, 25), False),
    (date(2026, 11, 26), True),    # created today
])
def test_company_age_is_counted_on_dates(tmp_path, created, eligible):
    result = one(tmp_path, {"company_max_age_years": 2}).eligibility("o", holder(created=created), TODAY)
    assert result.eligible is eligible


def test_company_born_on_29_february_turns_one_on_1_march(tmp_path):
    catalogue = one(tmp_path, {"company_max_age_years": 1})
    born = holder(created=date(2024, 2, 29))
    assert catalogue.eligibility("o", born, date(2025, 2, 28)).eligible
    assert not catalogue.eligibility("o", born, date(2025, 3, 1)).eligible


def test_invalid_declared_siren_does_not_count(tmp_path):
    result = one(tmp_path, {"siren_required": True}).eligibility("o", holder(siren="732829321"), TODAY)
    assert result.unmet == ("siren_required",)


def test_several_unmet_conditions_are_all_reported_in_order(tmp_path):
    catalogue = one(tmp_path, {"passport": True}, {"modules_passed": ["vendre-sur-internet"]},
                    {"valid_until": date(2020, 1, 1)})
    result = catalogue.eligibility("o", holder(passport=False), TODAY)
    assert result.unmet == ("passport", "modules_passed:vendre-sur-internet", "expired")
    assert len(result.reasons["fr"]) == len(result.reasons["en"]) == 3


# --- SIREN ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("siren", ["732829320", "552100554", "356000000",  # La Poste passes Luhn as a SIREN
                                   "732 829 320", " 732829320 ", "732\u00a0829\u00a0320"])
def test_valid_sirens(siren):
    assert siren_is_valid(siren)


@pytest.mark.parametrize("siren", ["732829321", "73282932", "7328293200", "", "   ", "73282932A",
                                   "732-829-320", "٧٣٢٨٢٩٣٢٠",  # Arabic-Indic digits are digits, not ASCII
                                   "35600000000048"])  # a La Poste SIRET is not a SIREN
def test_invalid_sirens(siren):
    assert not siren_is_valid(siren)


# --- malformed files -----------------------------------------------------------------------------

@pytest.mark.parametrize("bad, key", [
    (offer("bad", kind="gift"), "kind"),
    (offer("bad", [{"has_shop": True}]), "conditions.has_shop"),
    (offer("bad", [{"modules_passed": ["cybersecurite"]}]), "conditions.modules_passed"),
    (offer("bad", [{"modules_passed": []}]), "conditions.modules_passed"),
    (offer("bad", [{"min_modules_passed": "3"}]), "conditions.min_modules_passed"),
    (offer("bad", [{"company_max_age_years": True}]), "conditions.company_max_age_years"),
    (offer("bad", [{"passport": False}]), "conditions.passport"),
    (offer("bad", [{"valid_until": "31/12/2027"}]), "conditions.valid_until"),
    (offer("bad", [{"passport": True, "siren_required": True}]), "conditions"),
    (offer("bad", title={"fr": "Titre"}), "title.en"),
    (offer("bad", benefit={"fr": "", "en": "x"}), "benefit.fr"),
    (offer("bad", how_to_claim="Appelez-nous"), "how_to_claim"),
    (offer("bad", partner=""), "partner"),
    (offer("bad", example="yes"), "example"),
])
def test_malformed_offer_names_offer_and_key(tmp_path, bad, key):
    with pytest.raises(ValueError) as error:
        OfferCatalogue(write(tmp_path, offer("fine"), bad), MODULES)
    assert "'bad'" in str(error.value) and f"key {key!r}" in str(error.value)


def test_module_ids_are_only_checked_when_known_modules_are_given(tmp_path):
    path = write(tmp_path, offer("o", [{"modules_passed": ["pas-un-module"]}]))
    assert OfferCatalogue(path).get("o") is not None


def test_duplicate_ids_missing_id_and_missing_notice_language(tmp_path):
    with pytest.raises(ValueError, match=r"offer 'o': key 'id': duplicate"):
        OfferCatalogue(write(tmp_path, offer("o"), offer("o")))
    nameless = offer()
    del nameless["id"]
    with pytest.raises(ValueError, match=r"offer '#2': key 'id'"):
        OfferCatalogue(write(tmp_path, offer("o"), nameless))
    with pytest.raises(ValueError, match=r"key 'notice.en': missing language"):
        OfferCatalogue(write(tmp_path, offer("o"), notice={"fr": "Exemples"}))
