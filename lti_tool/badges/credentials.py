"""Open Badges credentials for awards: OB 3.0 (Data Integrity eddsa-rdfc-2022 and VC-JWT) and OB 2.0 hosted.

openbadgeslib builds, canonicalises and signs; this module only decides what
a Passeport credential says. User-supplied text is cleaned of control
characters first: pyld escapes them the old URDNA2015 way, which JavaScript
verifiers reject.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import jwt
from openbadgeslib.ob3.credential import Achievement, Alignment, Evidence, IdentityObject, Issuer, OpenBadgeCredential
from openbadgeslib.ob3.ldp import OB3LdpSigner
from openbadgeslib.ob3.status_list import build_status_list_credential, status_entry
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from ..domain.catalogue import Catalogue, Module
from .addresses import ISSUER_NAME, PASSPORT, BadgeAddresses
from .issuer_keys import IssuerKeys

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FRAMEWORKS = {
    "crcn": ("CRCN (Cadre de référence des compétences numériques)", "https://pix.fr/competences"),
    "digcomp": ("DigComp 2.2", "https://joint-research-centre.ec.europa.eu/digcomp_en"),
}
STATUS_LIST_SIZE = 131072


def clean(text: str | None) -> str | None:
    """No control characters, no surrounding spaces; None stays None."""
    return CONTROL.sub("", text).strip() if text else text


@dataclass(frozen=True)
class EarnedModule:
    module: Module
    score: float
    passed_on: date
    award_uid: str | None


@dataclass(frozen=True)
class AwardView:
    """What a credential says about an award; personal fields only with the holder's consent."""

    uid: str
    kind: str  # module | passport
    module: Module | None
    awarded_at: datetime
    status_index: int
    lti_user: str  # "<issuer>|<sub>", hashed into the identifier when no e-mail is given
    passed: tuple[EarnedModule, ...] = ()
    holder_name: str | None = None
    email_hash: str | None = None
    email_salt: str | None = None
    company_name: str | None = None
    company_siren: str | None = None


class CredentialFactory(BadgeAddresses):
    def __init__(self, base_url: str, catalogue: Catalogue, keys: IssuerKeys):
        super().__init__(base_url)
        self.catalogue, self.keys = catalogue, keys
        self._signers: dict[str, OB3LdpSigner] = {}

    # -- OB 3.0
    def issuer(self) -> Issuer:
        return Issuer(id=self.keys.did, name=ISSUER_NAME, url=self.base_url)

    def achievement(self, module: Module | None) -> Achievement:
        if module is None:
            rule = self.catalogue.passport_rule
            return Achievement(
                id=self.achievement_url(PASSPORT), name=ISSUER_NAME,
                description="Passeport attestant la maîtrise des usages numériques essentiels d'une petite entreprise. "
                            "/ Passport showing a small business masters the essential digital practices.",
                criteria_narrative=f"Valider au moins {rule.min_modules} des 18 modules du Passeport, chacun avec au "
                                   f"moins {round(rule.pass_mark * 100)} % de bonnes réponses au quiz. / Pass at "
                                   f"least {rule.min_modules} of the 18 modules, each with a quiz score of at least "
                                   f"{round(rule.pass_mark * 100)} %.",
                image_url=self.image_url(PASSPORT), achievement_type="Certificate", tags=["passeport", "numérique"])
        alignments = [Alignment(target_name=f"{FRAMEWORKS[f][0]} {code}", target_url=FRAMEWORKS[f][1],
                                target_framework=FRAMEWORKS[f][0], target_code=code)
                      for f in ("crcn", "digcomp") for code in module.competences.get(f, [])]
        return Achievement(
            id=self.achievement_url(module.id), name=module.title["fr"],
            description=f"{module.summary['fr']} / {module.summary['en']}",
            criteria_narrative=f"Suivre le module « {module.title['fr']} » et réussir son quiz avec au moins "
                               f"{round(self.catalogue.passport_rule.pass_mark * 100)} % de bonnes réponses. / "
                               f"Follow the module '{module.title['en']}' and pass its quiz.",
            image_url=self.image_url(module.id), achievement_type="Badge", alignments=alignments,
            tags=["passeport", module.id])

    def build(self, award: AwardView) -> OpenBadgeCredential:
        identifiers = [self._identifier(award)]
        holder_name = clean(award.holder_name)
        if holder_name:
            identifiers.append(IdentityObject(identity_hash=holder_name, identity_type="name",
                                              hashed=False))
        return OpenBadgeCredential(
            id=self.credential_url(award.uid), issuer=self.issuer(), recipient_id=None,
            achievement=self.achievement(award.module), issuance_date=award.awarded_at,
            identifiers=identifiers, evidence=self._evidence(award),
            credential_status=[status_entry(self.status_list_url, "revocation", award.status_index)],
        )

    def _identifier(self, award: AwardView) -> IdentityObject:
        if award.email_hash:
            return IdentityObject(identity_hash=award.email_hash, identity_type="emailAddress", hashed=True,
                                  salt=award.email_salt)
        digest = hashlib.sha256((award.lti_user + award.uid).encode()).hexdigest()
        return IdentityObject(identity_hash=f"sha256${digest}", identity_type="ltiUserId", hashed=True,
                              salt=award.uid)

    def _evidence(self, award: AwardView) -> list[Evidence]:
        evidence = [Evidence(id=self.credential_url(p.award_uid) if p.award_uid else None,
                             name=p.module.title["fr"], genre="Module",
                             narrative=f"Quiz réussi à {round(p.score * 100)} % le {p.passed_on.isoformat()} / "
                                       f"Quiz passed with {round(p.score * 100)} % on {p.passed_on.isoformat()}")
                    for p in award.passed]
        if award.company_name or award.company_siren:
            company = " ".join(filter(None, [clean(award.company_name),
                                             f"(SIREN {award.company_siren})" if award.company_siren else None]))
            evidence.append(Evidence(name="Entreprise déclarée / Declared company", genre="Company",
                                     narrative=company))
        return evidence

    def sign(self, connection: Connection, credential: OpenBadgeCredential) -> tuple[dict, str]:
        """The credential with an embedded eddsa-rdfc-2022 proof, and the same credential as a VC-JWT."""
        method, private = self.keys.active(connection)
        signer = self._signers.get(method)
        if signer is None:
            signer = self._signers[method] = OB3LdpSigner(private, verification_method=method)
        token = jwt.encode(credential.to_jwt_payload(), private, algorithm="EdDSA", headers={"kid": method})
        return signer.sign(credential), token

    def status_list(self, connection: Connection, revoked: list[int]) -> str:
        """The revocation list as a signed VC-JWT, fresh for a day: re-signed on every request, so a
        revocation shows at once and an old copy cannot be replayed past its validUntil."""
        now = utcnow()
        document = build_status_list_credential(self.keys.did, self.status_list_url, "revocation", revoked,
                                                size_bits=STATUS_LIST_SIZE, issued=now,
                                                valid_until=now + timedelta(days=1))
        method, private = self.keys.active(connection)
        payload = dict(document, iss=document["issuer"], jti=document["id"], nbf=int(now.timestamp()))
        return jwt.encode(payload, private, algorithm="EdDSA", headers={"kid": method})
