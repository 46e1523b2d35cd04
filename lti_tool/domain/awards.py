"""Awarding rules: a credential for each passed module, the passport at ``min_modules`` passed; revocation.

Each award is made exactly once per learner, even when completions race: the
learner's row is locked for the rest of the transaction, so concurrent passes
are counted one after the other, and a unique constraint backs the rule.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from xapi.sql import dialect_insert

from ..models import Award, Progress, User
from .catalogue import PassportRule

AWARDS = Award.__table__
PASSPORT = "passport"


@dataclass(frozen=True)
class NewAward:
    id: int
    uid: str
    kind: str
    module_id: str


def award_for_pass(connection: Connection, rule: PassportRule, user_id: int, module_id: str,
                   context_id: int | None, at: datetime) -> list[NewAward]:
    """The awards a newly passed module earns (none if already awarded)."""
    _lock_learner(connection, user_id)
    awarded = [a for a in [_award(connection, user_id, "module", module_id, context_id, at)] if a]
    passed = connection.execute(select(func.count()).select_from(Progress).where(
        Progress.user_id == user_id, Progress.passed_at.is_not(None))).scalar_one()
    if passed >= rule.min_modules:
        passport = _award(connection, user_id, PASSPORT, "", context_id, at)
        if passport:
            awarded.append(passport)
    return awarded


# The public reasons a revocation may give; anything else goes in the private note.
REVOCATION_REASONS = ("issued-in-error", "fraud", "holder-request")


def revoke(connection: Connection, uid: str, reason: str, note: str | None, by: str | None, at: datetime) -> bool:
    """True when the award was valid until now."""
    return connection.execute(update(AWARDS).where(AWARDS.c.uid == uid, AWARDS.c.revoked_at.is_(None)).values(
        revoked_at=at, revocation_reason=reason, revocation_note=note, revoked_by=by)).rowcount == 1


def reinstate(connection: Connection, uid: str, note: str | None, by: str | None) -> bool:
    """True when the award was revoked until now; the note and author of the reinstatement are kept."""
    return connection.execute(update(AWARDS).where(AWARDS.c.uid == uid, AWARDS.c.revoked_at.is_not(None)).values(
        revoked_at=None, revocation_reason=None, revocation_note=note, revoked_by=by)).rowcount == 1


def restore(connection: Connection, new: NewAward, user_id: int, context_id: int | None, at: datetime) -> None:
    """Replay: the award a statement says was earned, keeping its signed credential and consent if present."""
    values = {"user_id": user_id, "kind": new.kind, "module_id": new.module_id, "context_id": context_id,
              "awarded_at": at, "revoked_at": None, "revocation_reason": None, "revocation_note": None,
              "revoked_by": None}
    statement = dialect_insert(connection, AWARDS).values(uid=new.uid, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["uid"], set_=values))


def forget_all_but(connection: Connection, uids: set[str]) -> None:
    """Replay: awards no statement tells of go."""
    connection.execute(delete(AWARDS).where(AWARDS.c.uid.not_in(uids)) if uids else delete(AWARDS))


def _lock_learner(connection: Connection, user_id: int) -> None:
    """Serialise a learner's awarding (PostgreSQL row lock; SQLite already serialises writers).

    FOR NO KEY UPDATE, not FOR UPDATE: the transaction's own inserts referencing the
    user (progress, statements) hold KEY SHARE locks on this row, which FOR UPDATE
    would wait on — two completions would deadlock."""
    connection.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def _award(connection: Connection, user_id: int, kind: str, module_id: str, context_id: int | None,
           at: datetime) -> NewAward | None:
    uid = str(uuid.uuid4())
    row = connection.execute(
        dialect_insert(connection, AWARDS).values(uid=uid, user_id=user_id, kind=kind, module_id=module_id,
                                                  context_id=context_id, awarded_at=at)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "module_id"])
        .returning(AWARDS.c.id)).first()
    return NewAward(row.id, uid, kind, module_id) if row else None
