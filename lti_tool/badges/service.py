"""Signing, publishing and revoking credentials; the listener that signs what the domain awards."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from ..domain.awards import REVOCATION_REASONS
from ..domain.catalogue import Catalogue
from ..domain.learning import EventKind, Learner, Learning, LearningEvent
from ..domain.offers import Holder
from ..domain.people import learner_of
from ..models import Award, IssuerProfile, Platform, Progress, StatusListCache, User
from .credentials import AwardView, CredentialFactory, EarnedModule, IssuerProfileView, clean
from .issuer_keys import IssuerKeys

AWARDS = Award.__table__
STATUS_LISTS = StatusListCache.__table__
ISSUER_PROFILE = IssuerProfile.__table__
# A cached list is re-signed once this close to its validUntil (a status change re-signs it at once).
STATUS_LIST_MARGIN = timedelta(days=3)
REASON_LABELS = {  # the public reasons, as shown: (fr, en)
    "issued-in-error": ("Délivré par erreur", "Issued in error"),
    "fraud": ("Fraude constatée", "Fraud found"),
    "holder-request": ("À la demande du titulaire", "At the holder's request"),
}
assert set(REASON_LABELS) == set(REVOCATION_REASONS)


@dataclass(frozen=True)
class StatusList:
    document: dict  # JSON-LD, Data Integrity proof
    token: str  # VC-JWT
    valid_until: datetime


@dataclass(frozen=True)
class Consent:
    """What the holder agrees to make public; everything optional."""

    holder_name: str | None = None
    email: str | None = None
    company_name: str | None = None
    company_siren: str | None = None
    company_created_on: date | None = None


def holder(awards: list) -> Holder:
    """What offers may know of a learner, from their awards: revoked credentials count for nothing."""
    live = [a for a in awards if a.revoked_at is None]
    passport = next((a for a in live if a.kind == "passport"), None)
    return Holder(has_passport=passport is not None,
                  modules_passed=frozenset(a.module_id for a in live if a.kind == "module"),
                  company_siren=passport.company_siren if passport else None,
                  company_created_on=passport.company_created_on if passport else None)


class Badges:
    def __init__(self, catalogue: Catalogue, factory: CredentialFactory, keys: IssuerKeys):
        self.catalogue, self.factory, self.keys = catalogue, factory, keys

    def on_event(self, connection: Connection, event: LearningEvent) -> None:
        """Listener: a credential the domain awarded is signed in the same transaction."""
        if event.kind is EventKind.CREDENTIAL_EARNED and event.award_uid:
            self.issue(connection, event.award_uid, event.learner)
        elif event.kind in (EventKind.CREDENTIAL_REVOKED, EventKind.CREDENTIAL_REINSTATED):
            self.sign_status_list(connection)

    def issue(self, connection: Connection, uid: str, learner: Learner):
        """(Re)sign an award's credential from what is stored now: awarding, or publishing with consent."""
        award = self.award(connection, uid)
        credential = self.factory.build(self.view(connection, award, learner), self.issuer_profile(connection))
        document, token = self.factory.sign(connection, credential)
        connection.execute(update(AWARDS).where(AWARDS.c.id == award.id)
                           .values(credential=document, credential_jwt=token))
        return award

    def award(self, connection: Connection, uid: str):
        return connection.execute(select(AWARDS).where(AWARDS.c.uid == uid)).first()

    def awards_of(self, connection: Connection, user_id: int) -> list:
        return list(connection.execute(select(AWARDS).where(AWARDS.c.user_id == user_id).order_by(AWARDS.c.id)))

    def view(self, connection: Connection, award, learner: Learner) -> AwardView:
        passed = tuple(p for p in self.passed_modules(connection, award.user_id)
                       if award.kind == "passport" or p.module.id == award.module_id)
        return AwardView(
            uid=award.uid, kind=award.kind, module=self.catalogue.get(award.module_id) if award.module_id else None,
            awarded_at=award.awarded_at, status_index=award.id, lti_user=f"{learner.issuer}|{learner.sub}",
            passed=passed, holder_name=award.holder_name, email_hash=award.email_hash, email_salt=award.email_salt,
            company_name=award.company_name, company_siren=award.company_siren,
            training_centre=self.training_centre(connection, award.user_id))

    def training_centre(self, connection: Connection, user_id: int) -> str | None:
        """The name the operator gave the learner's platform (``passeport platform add --name``), else its host."""
        row = connection.execute(select(Platform.name, Platform.issuer).join(User, User.platform_id == Platform.id)
                                 .where(User.id == user_id)).first()
        return (row.name or urlsplit(row.issuer).hostname or row.issuer) if row else None

    def issuer_profile(self, connection: Connection) -> IssuerProfileView:
        row = connection.execute(select(ISSUER_PROFILE)).first()
        return IssuerProfileView(row.name, row.url, row.email, row.image_url) if row else IssuerProfileView()

    def set_issuer_profile(self, connection: Connection, profile: IssuerProfileView) -> None:
        """Replace the issuer profile; credentials signed from now on carry it."""
        connection.execute(delete(ISSUER_PROFILE))
        connection.execute(insert(ISSUER_PROFILE).values(id=1, name=profile.name, url=profile.url,
                                                         email=profile.email, image_url=profile.image_url))

    def passed_modules(self, connection: Connection, user_id: int) -> tuple[EarnedModule, ...]:
        rows = connection.execute(
            select(Progress.module_id, Progress.best_score, Progress.passed_at, AWARDS.c.uid)
            .outerjoin(AWARDS, (AWARDS.c.user_id == Progress.user_id) & (AWARDS.c.module_id == Progress.module_id))
            .where(Progress.user_id == user_id, Progress.passed_at.is_not(None)).order_by(Progress.passed_at))
        return tuple(EarnedModule(module, r.best_score, r.passed_at.date(), r.uid)
                     for r in rows if (module := self.catalogue.get(r.module_id)))

    def publish(self, connection: Connection, uid: str, consent: Consent, learner: Learner):
        """Record the holder's choices and re-sign the credential with exactly what they agreed to show."""
        values = {"holder_name": clean(consent.holder_name) or None,
                  "company_name": clean(consent.company_name) or None,
                  "company_siren": consent.company_siren or None, "company_created_on": consent.company_created_on,
                  "email_hash": None, "email_salt": None, "published_at": utcnow()}
        if consent.email:
            salt = secrets.token_hex(16)
            digest = hashlib.sha256((consent.email.strip().lower() + salt).encode()).hexdigest()
            values.update(email_hash=f"sha256${digest}", email_salt=salt)
        connection.execute(update(AWARDS).where(AWARDS.c.uid == uid).values(**values))
        return self.issue(connection, uid, learner)

    def revoke(self, connection: Connection, learning: Learning, uid: str, reason: str, note: str | None,
               decided_by: str) -> bool:
        """Revoke through the domain (a revocation is an event, hence a statement); False if revoked already.
        ``reason`` is public and one of REVOCATION_REASONS; ``note`` stays private."""
        if reason not in REVOCATION_REASONS:
            raise ValueError(f"the reason must be one of {', '.join(REVOCATION_REASONS)}")
        return self._decide(connection, learning, EventKind.CREDENTIAL_REVOKED, uid, reason, note, decided_by)

    def reinstate(self, connection: Connection, learning: Learning, uid: str, note: str | None,
                  decided_by: str) -> bool:
        """Undo a revocation, recording who and why; False if the credential is not revoked."""
        return self._decide(connection, learning, EventKind.CREDENTIAL_REINSTATED, uid, None, note, decided_by)

    def _decide(self, connection: Connection, learning: Learning, kind: EventKind, uid: str, reason: str | None,
                note: str | None, decided_by: str) -> bool:
        award = self.award(connection, uid)
        learner = learner_of(connection, award.user_id, award.context_id)
        return bool(learning.record(connection, LearningEvent(
            kind=kind, learner=learner, module_id=award.module_id, award_uid=uid, award_kind=award.kind,
            reason=reason, note=clean(note) or None, decided_by=decided_by)))

    def revoked_indices(self, connection: Connection) -> list[int]:
        return list(connection.execute(select(AWARDS.c.id).where(AWARDS.c.revoked_at.is_not(None))).scalars())

    def sign_status_list(self, connection: Connection) -> StatusList:
        """Sign the revocation list now and keep it: called when a status changes, or when the cached copy
        nears its expiry."""
        document, token, valid_until = self.factory.status_list(connection, self.revoked_indices(connection))
        connection.execute(delete(STATUS_LISTS).where(STATUS_LISTS.c.name == "revocation"))
        connection.execute(insert(STATUS_LISTS).values(name="revocation", document=document, token=token,
                                                        valid_until=valid_until, signed_at=utcnow()))
        return StatusList(document, token, valid_until)

    def cached_status_list(self, connection: Connection) -> StatusList | None:
        """The signed list as last kept; None when there is none or it is close to expiring."""
        row = connection.execute(select(STATUS_LISTS).where(STATUS_LISTS.c.name == "revocation")).first()
        if row is None or row.valid_until - STATUS_LIST_MARGIN < utcnow():
            return None
        return StatusList(row.document, row.token, row.valid_until)
