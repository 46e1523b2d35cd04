"""Signing, publishing and revoking credentials; the listener that signs what the domain awards."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from ..domain.catalogue import Catalogue
from ..domain.learning import EventKind, Learner, Learning, LearningEvent
from ..domain.offers import Holder
from ..domain.people import learner_of
from ..models import Award, Progress
from .credentials import AwardView, CredentialFactory, EarnedModule, clean
from .issuer_keys import IssuerKeys

AWARDS = Award.__table__


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

    def issue(self, connection: Connection, uid: str, learner: Learner):
        """(Re)sign an award's credential from what is stored now: awarding, or publishing with consent."""
        award = self.award(connection, uid)
        credential = self.factory.build(self.view(connection, award, learner))
        document, token = self.factory.sign(connection, credential)
        connection.execute(update(AWARDS).where(AWARDS.c.id == award.id)
                           .values(credential=document, credential_jwt=token))
        return award

    def award(self, connection: Connection, uid: str):
        return connection.execute(select(AWARDS).where(AWARDS.c.uid == uid)).first()

    def awards_of(self, connection: Connection, user_id: int) -> list:
        return list(connection.execute(select(AWARDS).where(AWARDS.c.user_id == user_id).order_by(AWARDS.c.id)))

    def view(self, connection: Connection, award, learner: Learner) -> AwardView:
        passed = self.passed_modules(connection, award.user_id) if award.kind == "passport" else ()
        return AwardView(
            uid=award.uid, kind=award.kind, module=self.catalogue.get(award.module_id) if award.module_id else None,
            awarded_at=award.awarded_at, status_index=award.id, lti_user=f"{learner.issuer}|{learner.sub}",
            passed=passed, holder_name=award.holder_name, email_hash=award.email_hash, email_salt=award.email_salt,
            company_name=award.company_name, company_siren=award.company_siren)

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

    def revoke(self, connection: Connection, learning: Learning, uid: str, reason: str) -> bool:
        """Revoke through the domain (a revocation is an event, hence a statement); False if revoked already."""
        award = self.award(connection, uid)
        learner = learner_of(connection, award.user_id, award.context_id)
        return bool(learning.record(connection, LearningEvent(
            kind=EventKind.CREDENTIAL_REVOKED, learner=learner, module_id=award.module_id, award_uid=uid,
            award_kind=award.kind, reason=clean(reason))))

    def revoked_indices(self, connection: Connection) -> list[int]:
        return list(connection.execute(select(AWARDS.c.id).where(AWARDS.c.revoked_at.is_not(None))).scalars())
