"""Issuing, publishing and revoking credentials; the learning-event listener that awards them."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..domain.awards import award_for_pass
from ..domain.catalogue import Catalogue
from ..domain.learning import EventKind, LearningEvent
from ..models import Award, Platform, Progress, User, utcnow
from .credentials import AwardView, CredentialFactory, PassedModule, clean
from .keys import IssuerKeys

AWARDS = Award.__table__


@dataclass(frozen=True)
class Consent:
    """What the holder agrees to make public; everything optional."""

    holder_name: str | None = None
    email: str | None = None
    company_name: str | None = None
    company_siren: str | None = None
    company_created_on: date | None = None


class Badges:
    def __init__(self, catalogue: Catalogue, factory: CredentialFactory, keys: IssuerKeys, lrs):
        self.catalogue, self.factory, self.keys, self.lrs = catalogue, factory, keys, lrs

    def on_learning_event(self, connection: Connection, event: LearningEvent) -> None:
        """Listener: a passed module may earn credentials; each is signed and recorded as 'earned'."""
        if event.kind is not EventKind.MODULE_PASSED:
            return
        for new in award_for_pass(connection, self.catalogue.passport_rule, event.user_id, event.module_id,
                                  event.context_id):
            award = self.issue(connection, new.uid)
            achievement = self.factory.achievement(self.catalogue.get(award.module_id) if award.module_id else None)
            self.lrs.record_earned(connection, event, self.factory.credential_url(award.uid), achievement.id,
                                   achievement.name)

    def issue(self, connection: Connection, uid: str):
        """(Re)sign an award's credential from what is stored now: awarding, or publishing with consent."""
        award = self.award(connection, uid)
        credential = self.factory.build(self.view(connection, award))
        document, token = self.factory.sign(connection, credential)
        connection.execute(update(AWARDS).where(AWARDS.c.id == award.id)
                           .values(credential=document, credential_jwt=token))
        return award

    def award(self, connection: Connection, uid: str):
        return connection.execute(select(AWARDS).where(AWARDS.c.uid == uid)).first()

    def awards_of(self, connection: Connection, user_id: int) -> list:
        return connection.execute(select(AWARDS).where(AWARDS.c.user_id == user_id).order_by(AWARDS.c.id)).all()

    def view(self, connection: Connection, award) -> AwardView:
        issuer, sub = connection.execute(select(Platform.issuer, User.sub).join(User, User.platform_id == Platform.id)
                                         .where(User.id == award.user_id)).one()
        passed = self.passed_modules(connection, award.user_id) if award.kind == "passport" else ()
        return AwardView(
            uid=award.uid, kind=award.kind, module=self.catalogue.get(award.module_id) if award.module_id else None,
            awarded_at=_aware(award.awarded_at), status_index=award.id, lti_user=f"{issuer}|{sub}", passed=passed,
            holder_name=award.holder_name, email_hash=award.email_hash, email_salt=award.email_salt,
            company_name=award.company_name, company_siren=award.company_siren)

    def passed_modules(self, connection: Connection, user_id: int) -> tuple[PassedModule, ...]:
        rows = connection.execute(
            select(Progress.module_id, Progress.best_score, Progress.passed_at, AWARDS.c.uid)
            .outerjoin(AWARDS, (AWARDS.c.user_id == Progress.user_id) & (AWARDS.c.module_id == Progress.module_id))
            .where(Progress.user_id == user_id, Progress.passed_at.is_not(None)).order_by(Progress.passed_at))
        return tuple(PassedModule(self.catalogue.get(r.module_id), r.best_score, _aware(r.passed_at).date(), r.uid)
                     for r in rows if self.catalogue.get(r.module_id))

    def publish(self, connection: Connection, uid: str, consent: Consent):
        """Record the holder's choices and re-sign the credential with exactly what they agreed to show."""
        values = {"holder_name": clean(consent.holder_name) or None, "company_name": clean(consent.company_name) or None,
                  "company_siren": consent.company_siren or None, "company_created_on": consent.company_created_on,
                  "email_hash": None, "email_salt": None, "published_at": utcnow()}
        if consent.email:
            salt = secrets.token_hex(16)
            digest = hashlib.sha256((consent.email.strip().lower() + salt).encode()).hexdigest()
            values.update(email_hash=f"sha256${digest}", email_salt=salt)
        connection.execute(update(AWARDS).where(AWARDS.c.uid == uid).values(**values))
        return self.issue(connection, uid)

    def revoke(self, connection: Connection, uid: str, reason: str) -> bool:
        result = connection.execute(update(AWARDS).where(AWARDS.c.uid == uid, AWARDS.c.revoked_at.is_(None))
                                    .values(revoked_at=utcnow(), revocation_reason=clean(reason)))
        return result.rowcount == 1

    def revoked_indices(self, connection: Connection) -> list[int]:
        return list(connection.execute(select(AWARDS.c.id).where(AWARDS.c.revoked_at.is_not(None))).scalars())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
