"""Partner offers unlocked by the passport, and who may claim them (``content/offers.yaml``).

The file is checked when loaded, so a typo in a condition fails loudly at start-up instead of
silently hiding an offer from everyone (or showing it to everyone).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import yaml

LANGUAGES = ("fr", "en")
KINDS = frozenset({"financing", "equipment", "connectivity", "software", "training"})
TEXT_KEYS = ("title", "summary", "benefit", "how_to_claim")
CONDITIONS = frozenset({"passport", "modules_passed", "min_modules_passed", "company_max_age_years",
                        "siren_required", "valid_until"})


@dataclass(frozen=True)
class Holder:
    """What we know of a learner when matching offers."""
    has_passport: bool
    modules_passed: frozenset[str]
    company_siren: str | None = None
    company_created_on: date | None = None


@dataclass(frozen=True)
class Eligibility:
    offer_id: str
    eligible: bool
    unmet: tuple[str, ...]  # machine codes, e.g. "passport", "modules_passed:cybersecurite-essentielle"
    reasons: dict           # {"fr": [...], "en": [...]}, one sentence per unmet code


def siren_is_valid(siren: str) -> bool:
    """Nine digits whose Luhn sum is a multiple of 10; spaces are ignored ("732 829 320" is how
    the number is usually printed on a Kbis or an invoice, so learners type it that way).

    La Poste: its SIREN 356 000 000 passes Luhn like any other; the well-known exception is for
    the SIRET numbers of its establishments (356 000 000 + NIC), which use a sum-of-digits
    multiple of 5 instead. Only SIRENs are checked here, so no special case is needed.
    """
    digits = "".join(siren.split())
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _full_years(start: date, today: date) -> int:
    """Completed years from ``start`` to ``today`` (a company born on 29 February turns one on 1 March)."""
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


class OfferCatalogue:
    """The offers of ``offers.yaml``; ``known_modules`` (module ids) lets the check catch misspelt ids,
    ``module_titles`` (id -> {fr, en}) makes the reasons name modules by their title."""

    def __init__(self, path: Path, known_modules: set[str] | None = None,
                 module_titles: Mapping[str, Mapping[str, str]] | None = None):
        self.path = Path(path)
        self.known_modules = known_modules
        self.module_titles = module_titles or {}
        data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{self.path.name}: expected a mapping with 'notice' and 'offers'")  # noqa: TRY004 (a bad file)
        self.notice: dict[str, str] = self._texts(data.get("notice"), "(file)", "notice")
        offers = data.get("offers")
        if not isinstance(offers, list) or not offers:
            raise ValueError(f"{self.path.name}: 'offers' must be a non-empty list")
        self.offers: list[dict] = [self._check(offer, index) for index, offer in enumerate(offers)]
        self._by_id: dict[str, dict] = {}
        for offer in self.offers:
            if offer["id"] in self._by_id:
                self._fail(offer["id"], "id", "duplicate id")
            self._by_id[offer["id"]] = offer

    def get(self, offer_id: str) -> dict | None:
        return self._by_id.get(offer_id)

    def eligibility(self, offer_id: str, holder: Holder, today: date) -> Eligibility:
        offer = self._by_id[offer_id]
        unmet: list[str] = []
        reasons: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}

        def miss(code: str, fr: str, en: str) -> None:
            unmet.append(code)
            reasons["fr"].append(fr)
            reasons["en"].append(en)

        for condition in offer["conditions"]:
            (key, value), = condition.items()
            self._evaluators[key](self, value, holder, today, miss)
        return Eligibility(offer_id, not unmet, tuple(unmet), reasons)

    def eligible_offers(self, holder: Holder, today: date) -> list[Eligibility]:
        """The offers ``holder`` may claim today, in file order."""
        results = (self.eligibility(offer["id"], holder, today) for offer in self.offers)
        return [result for result in results if result.eligible]

    # --- evaluation: one function per condition kind -------------------------------------------

    def _passport(self, _value: bool, holder: Holder, _today: date, miss: Callable) -> None:
        if not holder.has_passport:
            miss("passport", "Obtenir le Passeport pour l'économie numérique.",
                 "Earn the Digital Economy Passport.")

    def _modules_passed(self, value: list[str], holder: Holder, _today: date, miss: Callable) -> None:
        for module_id in value:
            if module_id not in holder.modules_passed:
                title = self.module_titles.get(module_id, {})
                miss(f"modules_passed:{module_id}",
                     f"Réussir le module « {title.get('fr', module_id)} ».",
                     f"Pass the module “{title.get('en', module_id)}”.")

    def _min_modules_passed(self, value: int, holder: Holder, _today: date, miss: Callable) -> None:
        passed = len(holder.modules_passed)
        if passed < value:
            miss("min_modules_passed",
                 f"Réussir au moins {_plural(value, 'module')} (vous en avez réussi {passed}).",
                 f"Pass at least {_plural(value, 'module')} (you have passed {passed}).")

    def _company_max_age_years(self, value: int, holder: Holder, today: date, miss: Callable) -> None:
        if holder.company_created_on is None:
            miss("company_created_on_unknown", "Indiquer la date de création de votre entreprise.",
                 "Give your company's creation date.")
        elif _full_years(holder.company_created_on, today) >= value:
            miss("company_max_age_years",
                 f"Offre réservée aux entreprises créées il y a moins de {_plural(value, 'an')}.",
                 f"Only for companies created less than {_plural(value, 'year')} ago.")

    def _siren_required(self, _value: bool, holder: Holder, _today: date, miss: Callable) -> None:
        if not (holder.company_siren and siren_is_valid(holder.company_siren)):
            miss("siren_required", "Déclarer le numéro SIREN (valide) de votre entreprise.",
                 "Declare your company's (valid) SIREN number.")

    def _valid_until(self, value: date, _holder: Holder, today: date, miss: Callable) -> None:
        if today > value:  # the last day is included
            miss("expired", f"Cette offre a pris fin le {value:%d/%m/%Y}.",
                 f"This offer ended on {value.isoformat()}.")

    _evaluators: ClassVar[dict[str, Callable]] = {
        "passport": _passport, "modules_passed": _modules_passed, "min_modules_passed": _min_modules_passed,
        "company_max_age_years": _company_max_age_years, "siren_required": _siren_required,
        "valid_until": _valid_until,
    }

    # --- validation ------------------------------------------------------------------------------

    def _fail(self, offer_id: str, key: str, problem: str) -> NoReturn:
        raise ValueError(f"{self.path.name}: offer {offer_id!r}: key {key!r}: {problem}")

    def _texts(self, value: Any, offer_id: str, key: str) -> dict[str, str]:
        if not isinstance(value, dict):
            self._fail(offer_id, key, "expected a mapping of languages (fr, en)")
        for lang in LANGUAGES:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self._fail(offer_id, f"{key}.{lang}", "missing language")
        return value

    def _check(self, offer: Any, index: int) -> dict:
        if not isinstance(offer, dict):
            self._fail(f"#{index + 1}", "(offer)", "expected a mapping")
        offer_id = offer.get("id")
        if not isinstance(offer_id, str) or not offer_id.strip():
            self._fail(f"#{index + 1}", "id", "missing")
        if offer.get("kind") not in KINDS:
            self._fail(offer_id, "kind", f"unknown kind {offer.get('kind')!r} (expected one of {sorted(KINDS)})")
        if not isinstance(offer.get("partner"), str) or not offer["partner"].strip():
            self._fail(offer_id, "partner", "missing")
        if not isinstance(offer.get("example", False), bool):
            self._fail(offer_id, "example", "expected true or false")
        for key in TEXT_KEYS:
            self._texts(offer.get(key), offer_id, key)
        conditions = offer.get("conditions")
        if not isinstance(conditions, list):
            self._fail(offer_id, "conditions", "expected a list (possibly empty)")
        offer["conditions"] = [self._condition(c, offer_id) for c in conditions]
        return offer

    def _condition(self, condition: Any, offer_id: str) -> dict:
        if not isinstance(condition, dict) or len(condition) != 1:
            self._fail(offer_id, "conditions", f"each condition is a one-key mapping, got {condition!r}")
        (name, value), = condition.items()
        key = f"conditions.{name}"
        if name not in CONDITIONS:
            self._fail(offer_id, key, f"unknown condition (expected one of {sorted(CONDITIONS)})")
        if name in ("passport", "siren_required") and value is not True:
            self._fail(offer_id, key, "must be true (omit the condition otherwise)")
        if name in ("min_modules_passed", "company_max_age_years") and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1):
            self._fail(offer_id, key, "expected a positive whole number")
        if name == "modules_passed":
            if not isinstance(value, list) or not value or not all(isinstance(m, str) for m in value):
                self._fail(offer_id, key, "expected a non-empty list of module ids")
            unknown = [m for m in value if self.known_modules is not None and m not in self.known_modules]
            if unknown:
                self._fail(offer_id, key, f"unknown module id(s) {unknown}")
        if name == "valid_until":
            try:
                value = (value.date() if isinstance(value, datetime)
                         else value if isinstance(value, date) else date.fromisoformat(str(value)))
            except ValueError:
                self._fail(offer_id, key, f"expected a date YYYY-MM-DD, got {value!r}")
        return {name: value}
